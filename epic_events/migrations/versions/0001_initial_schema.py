"""Initial schema: departments, collaborators, clients, contracts, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 17:49:25.625621
"""

import sqlalchemy as sa
from alembic import op

TIMESTAMPED_TABLES = ("collaborators", "clients", "contracts", "events")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "name IN ('gestion', 'commerce', 'support')", name=op.f("ck_departments_known_name")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "collaborators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_collaborators_email_lowercase")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_collaborators_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_collaborators_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaborators")),
        sa.UniqueConstraint("email", name=op.f("uq_collaborators_email")),
    )
    op.create_index(
        op.f("ix_collaborators_department_id"), "collaborators", ["department_id"], unique=False
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("company_name", sa.String(length=100), nullable=False),
        sa.Column("commercial_contact_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_clients_email_lowercase")),
        sa.CheckConstraint("length(trim(full_name)) > 0", name=op.f("ck_clients_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["commercial_contact_id"],
            ["collaborators.id"],
            name=op.f("fk_clients_commercial_contact_id_collaborators"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("email", name=op.f("uq_clients_email")),
    )
    op.create_index(
        op.f("ix_clients_commercial_contact_id"), "clients", ["commercial_contact_id"], unique=False
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("commercial_contact_id", sa.Integer(), nullable=False),
        sa.Column("total_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount_due", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("signed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "amount_due >= 0 AND amount_due <= total_amount AND amount_due <> 'NaN'::numeric",
            name=op.f("ck_contracts_amount_due_within_total"),
        ),
        sa.CheckConstraint(
            "total_amount >= 0 AND total_amount <> 'NaN'::numeric",
            name=op.f("ck_contracts_total_amount_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_contracts_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["commercial_contact_id"],
            ["collaborators.id"],
            name=op.f("fk_contracts_commercial_contact_id_collaborators"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    op.create_index(op.f("ix_contracts_client_id"), "contracts", ["client_id"], unique=False)
    op.create_index(
        op.f("ix_contracts_commercial_contact_id"),
        "contracts",
        ["commercial_contact_id"],
        unique=False,
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("support_contact_id", sa.Integer(), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("attendees", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("attendees >= 0", name=op.f("ck_events_attendees_non_negative")),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_events_ends_after_start")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_events_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_events_contract_id_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["support_contact_id"],
            ["collaborators.id"],
            name=op.f("fk_events_support_contact_id_collaborators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_contract_id"), "events", ["contract_id"], unique=False)
    op.create_index(
        op.f("ix_events_support_contact_id"), "events", ["support_contact_id"], unique=False
    )
    # updated_at is the database's job, so no code path can forget it.
    op.execute(
        """
        CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END;
        $$
        """
    )
    for table in TIMESTAMPED_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def downgrade() -> None:
    for table in TIMESTAMPED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_set_updated_at ON {table}")
    op.execute("DROP FUNCTION IF EXISTS set_updated_at()")
    op.drop_index(op.f("ix_events_support_contact_id"), table_name="events")
    op.drop_index(op.f("ix_events_contract_id"), table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_contracts_commercial_contact_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_client_id"), table_name="contracts")
    op.drop_table("contracts")
    op.drop_index(op.f("ix_clients_commercial_contact_id"), table_name="clients")
    op.drop_table("clients")
    op.drop_index(op.f("ix_collaborators_department_id"), table_name="collaborators")
    op.drop_table("collaborators")
    op.drop_table("departments")
