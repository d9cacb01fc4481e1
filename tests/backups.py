"""What the backup tests compare: every row of every table, and what guards the rows."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from epic_events.roles import app_role, owner_role

HISTORY = """
UPDATE clients SET archived_at = now() - interval '3 days' WHERE id % 17 = 0;
UPDATE contracts SET archived_at = now() - interval '2 days' WHERE id % 23 = 0;
UPDATE events SET archived_at = now() - interval '1 day', notes = E'Zoë''s "party"\\n\\ttabs, 🎉'
    WHERE id % 29 = 0;
UPDATE collaborators SET active = false WHERE id = (SELECT max(id) FROM collaborators);
INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, changes)
SELECT now() - make_interval(mins => n), (SELECT min(id) FROM collaborators),
       'Ädmin O''Brien', (ARRAY['create', 'update', 'archive'])[1 + n % 3], 'client', n,
       json_build_object('full_name', json_build_array('Old "name" ' || n, E'New\\nname ' || n))
FROM generate_series(1, 400) AS n;
SELECT record_login_failure('nobody@example.com');
"""


def add_history_and_archives(url: str) -> None:
    """Archived clients, contracts and events, a deactivated collaborator, a history with
    quotes, new lines and emoji, a failed login: the rows a backup must not lose."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.connection.dbapi_connection.cursor().execute(HISTORY)
    engine.dispose()


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """table -> (rows, md5 of all its rows in order); sequence -> its last value.
    The workstations are the server's machines, not the CRM's data: a restore elsewhere
    keeps only the machine that restored it."""
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = conn.scalars(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('alembic_version', 'workstations') ORDER BY 1"
            )
        ).all()
        found = {
            table: tuple(
                conn.execute(
                    text(
                        "SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' "
                        f"ORDER BY r::text), '')) FROM public.{table} r"
                    )
                ).one()
            )
            for table in tables
        }
        for name, last in conn.execute(
            text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        ):
            found[f"sequence {name}"] = (last, "")
    engine.dispose()
    return found


SECURITY_QUERIES = {
    "policies": "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check "
    "FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2",
    "tables": "SELECT relname, relkind, relrowsecurity, relforcerowsecurity, "
    "pg_get_userbyid(relowner), relacl::text FROM pg_class "
    "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'v') ORDER BY 1",
    "functions": "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner), p.prosecdef, "
    "p.proacl::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') "
    "ORDER BY 1",
    "triggers": "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
    "WHERE NOT tgisinternal ORDER BY 1, 2",
    "schema": "SELECT pg_get_userbyid(nspowner), nspacl::text FROM pg_namespace "
    "WHERE nspname = 'public'",
    "roles": "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, "
    "rolbypassrls FROM pg_roles WHERE rolname IN (:owner, :app) ORDER BY 1",
    "database": "SELECT datacl::text FROM pg_database WHERE datname = current_database()",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = 'public' ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, contype, convalidated, "
    "pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
}


def security(url: str) -> dict[str, list[tuple]]:
    """Owners, grants, policies, triggers, indexes, constraints and the two roles, with the
    roles' names (which follow the database's) replaced by <owner> and <app>."""
    engine = create_engine(url)
    with engine.connect() as conn:
        database = conn.scalar(text("SELECT current_database()"))
        names = {"owner": owner_role(database), "app": app_role(database)}
        found = {
            what: [tuple(row) for row in conn.execute(text(sql), names)]
            for what, sql in SECURITY_QUERIES.items()
        }
    engine.dispose()

    def neutral(value):
        if not isinstance(value, str):
            return value
        value = value.replace(names["owner"], "<owner>").replace(names["app"], "<app>")
        return value.replace(database, "<database>")

    return {what: [tuple(map(neutral, row)) for row in rows] for what, rows in found.items()}
