"""Workstations: each machine of an install logs in to PostgreSQL as a role of its own.

A workstation role (`<database>_ws_<name>`, made by setup.py, never by a migration: roles
belong to the server) is a member of the app group role and holds no power of its own; this
table says which machine it is, when it joined, when it was last seen and whether it was
revoked. No app role reads it; a workstation only says it was seen, through
`workstation_seen()` (at most one write a minute).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from epic_events.roles import current_roles

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SEEN = """
CREATE FUNCTION workstation_seen() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE workstations SET last_seen_at = clock_timestamp()
    WHERE role_name = session_user
      AND (last_seen_at IS NULL OR last_seen_at < clock_timestamp() - interval '1 minute')
$$;
"""


def upgrade() -> None:
    _, app = current_roles(op.get_bind())
    op.create_table(
        "workstations",
        sa.Column("role_name", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_workstations")),
        sa.UniqueConstraint("name", name=op.f("uq_workstations_name")),
    )
    op.execute("REVOKE ALL ON workstations FROM PUBLIC")
    op.execute(SEEN)
    op.execute("REVOKE ALL ON FUNCTION workstation_seen() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION workstation_seen() TO {app}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS workstation_seen()")
    op.drop_table("workstations")
