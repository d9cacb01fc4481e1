"""Recent activity searched through its kinds: the (actor, action, entity) triples that occur.

A search of the history looks in three short columns (who, what, on what) of a table that
grows without end, under row-level security: the planner could not estimate the ILIKE and
walked every row newest first for a name nobody has (1.6M rows: 3 s). Those columns take
few distinct triples (collaborators by actions by entities). `audit_kinds` holds each triple
once, added by a statement trigger when a history row brings a new one; a search first finds
the matching triples there, then reads their rows from an index on (actor_name, action,
entity, at, id), which hands each triple's rows newest first (managers/audit.py). Like the
search documents it has no row-level security (every collaborator reads all the history),
and only the trigger's SECURITY DEFINER function, owned by the owner, writes to it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from epic_events.roles import current_roles

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FUNCTIONS = """
CREATE FUNCTION note_audit_kinds() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO audit_kinds (actor_name, action, entity)
    SELECT DISTINCT actor_name, action, entity FROM added ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_log_note_kinds AFTER INSERT ON audit_log
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION note_audit_kinds();

-- Bulk: the triples of rows written without triggers (the migration's backfill, and the
-- benchmark's history); returns how many were added.
CREATE FUNCTION fill_audit_kinds() RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    WITH added AS (
        INSERT INTO audit_kinds (actor_name, action, entity)
        SELECT DISTINCT actor_name, action, entity FROM audit_log
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM added
$$;
"""


def upgrade() -> None:
    _, app = current_roles(op.get_bind())
    op.create_table(
        "audit_kinds",
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("actor_name", "action", "entity", name="pk_audit_kinds"),
    )
    op.create_index(
        "ix_audit_log_kind_at_id", "audit_log", ["actor_name", "action", "entity", "at", "id"]
    )
    # Migrations run with row_security off: FORCE is lifted, in this transaction, while the
    # functions are checked and the backfill reads (a query the policies apply to would fail).
    op.execute("ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY")
    op.execute(FUNCTIONS)
    op.execute("SELECT fill_audit_kinds()")
    op.execute("ALTER TABLE audit_log FORCE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT ON audit_kinds TO {app}")
    op.execute("REVOKE ALL ON FUNCTION note_audit_kinds(), fill_audit_kinds() FROM PUBLIC")
    op.execute("ANALYZE audit_kinds")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_note_kinds ON audit_log")
    op.drop_index("ix_audit_log_kind_at_id", table_name="audit_log")
    op.drop_table("audit_kinds")
    op.execute("DROP FUNCTION IF EXISTS fill_audit_kinds(), note_audit_kinds()")
