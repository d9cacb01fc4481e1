"""The two database roles: who owns the schema, and who the program connects as.

- `epic_events_owner` cannot log in; it owns the schema, the tables and the functions, and
  the migrations run as it (`SET ROLE`), so nothing is owned by whoever ran `setup.py`.
- `epic_events_app` is the role of the running program: it owns nothing, has only the
  grants of migration 0004 (no DDL, no TRUNCATE, no DELETE but on collaborators) and is
  subject to row-level security (`NOBYPASSRLS`, not an owner, not a superuser).

Roles belong to the whole server, so every database of a server shares them; the grants and
policies are per database (migration 0004).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

OWNER_ROLE = "epic_events_owner"
APP_ROLE = "epic_events_app"
# The variable the program sets at the start of each transaction (db.act_as), read by the
# policies through current_collaborator_id().
COLLABORATOR_SETTING = "epic_events.collaborator_id"


def ensure_roles(connection: Connection, app_password: str | None = None) -> list[str]:
    """Create the missing roles (admin connection); return the names of those created.

    Also makes sure both have no power they should not have, the connected admin may act
    as the owner, and the owner owns the `public` schema.
    """
    from sqlalchemy import text

    created = []
    existing = set(
        connection.scalars(
            text("SELECT rolname FROM pg_roles WHERE rolname IN (:owner, :app)"),
            {"owner": OWNER_ROLE, "app": APP_ROLE},
        )
    )
    if OWNER_ROLE not in existing:
        connection.execute(text(f"CREATE ROLE {OWNER_ROLE} NOLOGIN"))
        created.append(OWNER_ROLE)
    if APP_ROLE not in existing:
        connection.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
        created.append(APP_ROLE)
    connection.execute(
        text(
            f"ALTER ROLE {OWNER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS "
            "NOREPLICATION"
        )
    )
    connection.execute(
        text(
            f"ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS "
            "NOREPLICATION NOINHERIT"
        )
    )
    if app_password is not None:
        # The password is a bind parameter of a SELECT, never spliced into SQL text.
        quoted = connection.scalar(text("SELECT quote_literal(:p)"), {"p": app_password})
        connection.execute(text(f"ALTER ROLE {APP_ROLE} PASSWORD {quoted}"))
    is_superuser = connection.scalar(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    )
    if not is_superuser:  # the admin must be able to SET ROLE to the owner
        connection.execute(text(f"GRANT {OWNER_ROLE} TO CURRENT_USER"))
    connection.execute(text(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}"))
    connection.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    database = connection.scalar(text("SELECT quote_ident(current_database())"))
    connection.execute(text(f"GRANT CREATE ON DATABASE {database} TO {OWNER_ROLE}"))
    return created


def take_ownership(connection: Connection) -> int:
    """Give the owner role what an earlier install left owned by the admin; return how many."""
    from sqlalchemy import text

    count = 0
    relations = connection.execute(
        text(
            """
            SELECT c.relkind, quote_ident(c.relname)
            FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace
              AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND c.relowner <> CAST(:owner AS regrole)
              AND NOT EXISTS (  -- objects of an extension, and sequences of a column
                SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype IN ('e', 'a', 'i'))
            ORDER BY c.relkind DESC
            """
        ),
        {"owner": OWNER_ROLE},
    ).all()
    for kind, name in relations:
        keyword = {"S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}.get(kind, "TABLE")
        connection.execute(text(f"ALTER {keyword} {name} OWNER TO {OWNER_ROLE}"))
        count += 1
    functions = connection.scalars(
        text(
            """
            SELECT p.oid::regprocedure::text
            FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND p.proowner <> CAST(:owner AS regrole)
              AND NOT EXISTS (
                SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """
        ),
        {"owner": OWNER_ROLE},
    ).all()
    for signature in functions:
        connection.execute(text(f"ALTER FUNCTION {signature} OWNER TO {OWNER_ROLE}"))
        count += 1
    return count
