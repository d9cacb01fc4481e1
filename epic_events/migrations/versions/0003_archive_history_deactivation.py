"""Archive instead of delete, the audit log, deactivated collaborators, signature dates.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ARCHIVABLE = ("clients", "contracts", "events")


def upgrade() -> None:
    for table in ARCHIVABLE:
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("contracts", sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True))
    # Backfill without touching updated_at: the trigger would stamp every signed contract.
    op.execute("ALTER TABLE contracts DISABLE TRIGGER contracts_set_updated_at")
    op.execute("UPDATE contracts SET signed_at = updated_at WHERE signed")
    op.execute("ALTER TABLE contracts ENABLE TRIGGER contracts_set_updated_at")
    op.add_column(
        "collaborators",
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column(
            "changes",
            postgresql.JSON(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["collaborators.id"],
            name=op.f("fk_audit_log_actor_id_collaborators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity_entity_id_at", "audit_log", ["entity", "entity_id", "at"])
    op.create_index("ix_audit_log_at_id", "audit_log", ["at", "id"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at_id", table_name="audit_log")
    op.drop_index("ix_audit_log_entity_entity_id_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_column("collaborators", "active")
    op.drop_column("contracts", "signed_at")
    for table in ARCHIVABLE:
        op.drop_column(table, "archived_at")
