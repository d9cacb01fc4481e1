"""Search documents: one lower-cased text per searchable row, one trigram index each.

A list's search was an OR of ILIKEs over several columns (and, for events, a UNION through
contracts to clients), which no single index serves: a one-letter search of the events took
ten seconds at a million rows. Now each list searches one column with one LIKE:
- client_search.search_doc: a client's name, email and company; contracts search their
  client's;
- event_search.search_doc: the event's name and location and its client's name and company
  (a client renamed renames its events' documents).
Both are tables of their own, kept current by triggers, without row-level security: the
planner uses a column's statistics for a LIKE (not leakproof) only where no policy applies,
and every collaborator reads every client and event anyway. Only the triggers' SECURITY
DEFINER functions, owned by the owner, write to them.
Fields are joined by U+001F, which a search cannot contain, so no match spans two fields:
the same rows as an ILIKE on each column. A trigram needs three letters: for searches of one
or two, the generated column `search_pairs` writes every two letters of the document as a
word of its own (" ab cd e  bc de " for "abcde"), and a trigram index on it finds "zz" or
"75" without reading every row. It is stored, not computed in the index only: a row found
through the index is then checked with a plain LIKE, not by computing it again. A statistics target of 1000 on each document lets
the planner estimate a LIKE from 1000 sampled documents, so it walks the sort index for a
frequent word and reads the trigram index for a rare one.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from epic_events.roles import current_roles

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SEPARATOR = "chr(31)"
SEARCH_LOCK = 6006  # advisory lock namespace: (SEARCH_LOCK, client id)
OLD_TRIGRAMS = [
    ("clients", "full_name"),
    ("clients", "email"),
    ("clients", "company_name"),
    ("events", "name"),
    ("events", "location"),
]

FUNCTIONS = f"""
CREATE FUNCTION refresh_client_search() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO client_search (client_id, search_doc)
    VALUES (NEW.id, lower(NEW.full_name || {SEPARATOR} || NEW.email || {SEPARATOR}
                          || NEW.company_name))
    ON CONFLICT (client_id) DO UPDATE SET search_doc = EXCLUDED.search_doc;
    RETURN NULL;
END;
$$;

CREATE FUNCTION fill_client_search(first_id integer) RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    WITH added AS (
        INSERT INTO client_search (client_id, search_doc)
        SELECT c.id, lower(c.full_name || {SEPARATOR} || c.email || {SEPARATOR}
                           || c.company_name)
        FROM clients c WHERE c.id >= first_id
        ON CONFLICT (client_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM added
$$;

CREATE TRIGGER clients_refresh_search AFTER INSERT OR UPDATE OF full_name, email, company_name
ON clients FOR EACH ROW EXECUTE FUNCTION refresh_client_search();

CREATE FUNCTION event_search_document(event_name text, location text, client_id integer)
RETURNS text LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT lower(event_name || {SEPARATOR} || location || {SEPARATOR} || c.full_name
                 || {SEPARATOR} || c.company_name)
    FROM clients c WHERE c.id = client_id
$$;

-- An event's document holds its client's name: writing it and renaming the client take a
-- transaction lock on the client (shared to write one event's, exclusive to rename), so a
-- rename and a new or edited event never each miss the other's change. Each statement after
-- the lock reads what was committed before it (a new snapshot).
CREATE FUNCTION refresh_event_search() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    its_client integer;
BEGIN
    SELECT k.client_id INTO its_client FROM contracts k WHERE k.id = NEW.contract_id;
    PERFORM pg_advisory_xact_lock_shared({SEARCH_LOCK}, its_client);
    INSERT INTO event_search (event_id, search_doc)
    SELECT NEW.id, event_search_document(NEW.name, NEW.location, k.client_id)
    FROM contracts k WHERE k.id = NEW.contract_id
    ON CONFLICT (event_id) DO UPDATE SET search_doc = EXCLUDED.search_doc;
    RETURN NULL;
END;
$$;

CREATE FUNCTION refresh_client_event_search() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({SEARCH_LOCK}, NEW.id);
    UPDATE event_search s
    SET search_doc = event_search_document(e.name, e.location, k.client_id)
    FROM events e JOIN contracts k ON k.id = e.contract_id
    WHERE s.event_id = e.id AND k.client_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION refresh_contract_event_search() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({SEARCH_LOCK}, least(OLD.client_id, NEW.client_id));
    PERFORM pg_advisory_xact_lock({SEARCH_LOCK}, greatest(OLD.client_id, NEW.client_id));
    UPDATE event_search s
    SET search_doc = event_search_document(e.name, e.location, NEW.client_id)
    FROM events e
    WHERE s.event_id = e.id AND e.contract_id = NEW.id;
    RETURN NULL;
END;
$$;

-- Bulk: the documents of the events from `first_id` on that have none (the migration's
-- backfill, and the demo's COPY, which runs without triggers); returns how many were added.
CREATE FUNCTION fill_event_search(first_id integer) RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    WITH added AS (
        INSERT INTO event_search (event_id, search_doc)
        SELECT e.id, lower(e.name || {SEPARATOR} || e.location || {SEPARATOR} || c.full_name
                           || {SEPARATOR} || c.company_name)
        FROM events e JOIN contracts k ON k.id = e.contract_id JOIN clients c ON c.id = k.client_id
        WHERE e.id >= first_id
        ON CONFLICT (event_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM added
$$;

CREATE TRIGGER events_refresh_search AFTER INSERT OR UPDATE OF name, location, contract_id
ON events FOR EACH ROW EXECUTE FUNCTION refresh_event_search();

CREATE TRIGGER clients_refresh_event_search AFTER UPDATE OF full_name, company_name
ON clients FOR EACH ROW
WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name
      OR OLD.company_name IS DISTINCT FROM NEW.company_name)
EXECUTE FUNCTION refresh_client_event_search();

CREATE TRIGGER contracts_refresh_event_search AFTER UPDATE OF client_id
ON contracts FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id)
EXECUTE FUNCTION refresh_contract_event_search();
"""

# " ab cd e  bc de " for "abcde": every pair of letters, at even then odd offsets, as a word
# between spaces (the generated column search_pairs, created with the tables).
PAIRS = r"""
CREATE FUNCTION search_pairs(doc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN ' ' || regexp_replace(doc, '(..)', '\1 ', 'g') || ' '
       || regexp_replace(substr(doc, 2), '(..)', '\1 ', 'g');
"""

BACKFILL = "SELECT fill_client_search(0), fill_event_search(0)"
SEARCHED = {"client_search": "client_id", "event_search": "event_id"}


def upgrade() -> None:
    _, app = current_roles(op.get_bind())
    op.execute(PAIRS)
    for table, key in SEARCHED.items():
        parent = f"{key.removesuffix('_id')}s"
        op.create_table(
            table,
            sa.Column(key, sa.Integer(), nullable=False),
            sa.Column("search_doc", sa.Text(), nullable=False),
            sa.Column(
                "search_pairs",
                sa.Text(),
                sa.Computed("search_pairs(search_doc)", persisted=True),
                nullable=True,
            ),
            sa.ForeignKeyConstraint(
                [key], [f"{parent}.id"], name=f"fk_{table}_{key}_{parent}", ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint(key, name=f"pk_{table}"),
        )
    # The owner reads every row anyway (read policies are `true`); FORCE is lifted while the
    # functions are checked and the backfill runs, in this transaction, because migrations
    # run with row_security off (a query the policies apply to would fail).
    for table in ("clients", "contracts", "events"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(FUNCTIONS)
    op.execute(BACKFILL)
    for table in ("clients", "contracts", "events"):
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for table in SEARCHED:
        op.execute(
            f"CREATE INDEX ix_{table}_search_doc_trgm ON {table} "
            "USING gin (search_doc gin_trgm_ops)"
        )
        op.execute(
            f"CREATE INDEX ix_{table}_search_pairs_trgm ON {table} "
            "USING gin (search_pairs gin_trgm_ops)"
        )
        for column in ("search_doc", "search_pairs"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS 1000")
    for table, column in OLD_TRIGRAMS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
    op.execute(f"GRANT SELECT ON client_search, event_search TO {app}")
    op.execute(
        "REVOKE ALL ON FUNCTION refresh_client_search(), refresh_event_search(), "
        "refresh_client_event_search(), refresh_contract_event_search(), "
        "fill_client_search(integer), fill_event_search(integer), "
        "event_search_document(text, text, integer) FROM PUBLIC"
    )
    op.execute("ANALYZE client_search, event_search")


def downgrade() -> None:
    for table, column in OLD_TRIGRAMS:
        op.execute(
            f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )
    op.execute("DROP TRIGGER IF EXISTS contracts_refresh_event_search ON contracts")
    op.execute("DROP TRIGGER IF EXISTS clients_refresh_event_search ON clients")
    op.execute("DROP TRIGGER IF EXISTS events_refresh_search ON events")
    op.execute("DROP TRIGGER IF EXISTS clients_refresh_search ON clients")
    op.drop_table("event_search")
    op.drop_table("client_search")
    op.execute(
        "DROP FUNCTION IF EXISTS fill_event_search(integer), fill_client_search(integer), "
        "refresh_contract_event_search(), refresh_client_event_search(), "
        "refresh_event_search(), refresh_client_search(), "
        "event_search_document(text, text, integer), search_pairs(text)"
    )
