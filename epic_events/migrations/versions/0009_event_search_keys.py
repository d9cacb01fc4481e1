"""An event's search document carries the keys of the lists' filters: its support contact
(0 for none) and whether it is archived.

"My events" or "without support" searched for a common surname intersected two large sets
in two tables (1M events: 5% match "martin", 8% are one helper's): 400-470 ms, whatever the
indexes, because every candidate of one side was checked against the other. Now one GIN
index holds the support key next to the document's trigrams (btree_gin): the index itself
intersects them, and the count reads the documents alone (managers/events.py).

A new event writes its whole document (as before); an assignment or an archive only
updates the keys, without recomputing the text or locking the client.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEPARATOR = "chr(31)"
SEARCH_LOCK = 6006  # as in 0006: (SEARCH_LOCK, client id)
KEYED = ("clients", "contracts", "events")
DOCUMENT = (
    f"lower(e.name || {SEPARATOR} || e.location || {SEPARATOR} || c.full_name "
    f"|| {SEPARATOR} || c.company_name)"
)


def functions(keys: bool) -> str:
    """The document's refresh and bulk fill, with the filter keys (or as 0006 left them)."""
    columns = ", support_key, archived" if keys else ""
    new_keys = ", coalesce(NEW.support_contact_id, 0), NEW.archived_at IS NOT NULL" if keys else ""
    row_keys = ", coalesce(e.support_contact_id, 0), e.archived_at IS NOT NULL" if keys else ""
    updated = ", support_key = EXCLUDED.support_key, archived = EXCLUDED.archived" if keys else ""
    return f"""
CREATE OR REPLACE FUNCTION refresh_event_search() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    its_client integer;
BEGIN
    SELECT k.client_id INTO its_client FROM contracts k WHERE k.id = NEW.contract_id;
    PERFORM pg_advisory_xact_lock_shared({SEARCH_LOCK}, its_client);
    INSERT INTO event_search (event_id, search_doc{columns})
    SELECT NEW.id, event_search_document(NEW.name, NEW.location, k.client_id){new_keys}
    FROM contracts k WHERE k.id = NEW.contract_id
    ON CONFLICT (event_id) DO UPDATE SET search_doc = EXCLUDED.search_doc{updated};
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION fill_event_search(first_id integer) RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    WITH added AS (
        INSERT INTO event_search (event_id, search_doc{columns})
        SELECT e.id, {DOCUMENT}{row_keys}
        FROM events e JOIN contracts k ON k.id = e.contract_id JOIN clients c ON c.id = k.client_id
        WHERE e.id >= first_id
        ON CONFLICT (event_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM added
$$;
"""


KEYS_TRIGGER = """
CREATE FUNCTION refresh_event_search_keys() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE event_search
    SET support_key = coalesce(NEW.support_contact_id, 0),
        archived = NEW.archived_at IS NOT NULL
    WHERE event_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_refresh_search_keys AFTER UPDATE OF support_contact_id, archived_at
ON events FOR EACH ROW
WHEN (OLD.support_contact_id IS DISTINCT FROM NEW.support_contact_id
      OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL))
EXECUTE FUNCTION refresh_event_search_keys();
"""


def _rebuild(keys: bool) -> None:
    """Write every event's document again (faster without the indexes, rebuilt after)."""
    for table in KEYED:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(functions(keys))
    op.execute("SELECT fill_event_search(0)")
    for table in KEYED:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("DROP INDEX ix_event_search_search_doc_trgm")
    op.execute("DROP INDEX ix_event_search_search_pairs_trgm")
    op.execute("TRUNCATE event_search")
    op.add_column("event_search", sa.Column("support_key", sa.Integer(), nullable=False))
    op.add_column("event_search", sa.Column("archived", sa.Boolean(), nullable=False))
    _rebuild(keys=True)
    op.execute(KEYS_TRIGGER)
    op.execute("REVOKE ALL ON FUNCTION refresh_event_search_keys() FROM PUBLIC")
    # Serves a search alone too: a GIN index searches any of its columns.
    op.execute(
        "CREATE INDEX ix_event_search_support_key_search_doc_trgm ON event_search "
        "USING gin (support_key, search_doc gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_event_search_search_pairs_trgm ON event_search "
        "USING gin (search_pairs gin_trgm_ops)"
    )
    op.execute("ANALYZE event_search")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS events_refresh_search_keys ON events")
    op.execute("DROP FUNCTION IF EXISTS refresh_event_search_keys()")
    op.execute("DROP INDEX ix_event_search_support_key_search_doc_trgm")
    op.execute("DROP INDEX ix_event_search_search_pairs_trgm")
    op.execute("TRUNCATE event_search")
    op.drop_column("event_search", "archived")
    op.drop_column("event_search", "support_key")
    _rebuild(keys=False)
    op.execute(
        "CREATE INDEX ix_event_search_search_doc_trgm ON event_search "
        "USING gin (search_doc gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_event_search_search_pairs_trgm ON event_search "
        "USING gin (search_pairs gin_trgm_ops)"
    )
    op.execute("ANALYZE event_search")
