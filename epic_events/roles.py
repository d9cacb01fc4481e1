"""The database roles of each CRM database: who owns the schema, and who the program
connects as.

- `<database>_owner` cannot log in; it owns the schema, the tables and the functions, and the
  migrations run as it (`SET ROLE`), so nothing is owned by whoever ran `setup.py`.
- `<database>_app` is the program's group role: it cannot log in, owns nothing, may connect
  to its own database only, has only the grants of the migrations (no DDL, no TRUNCATE, no
  DELETE but on collaborators, no temporary tables) and is bound by row-level security (not
  a superuser, no BYPASSRLS, not an owner).
- `<database>_ws_<name>`, one per workstation (setup.py, install/workstations.py): logs in
  with a password of its own, is a member of the app role and holds no power of its own.
  Revoking one (`setup.py --revoke NAME`) ends that machine alone.

For the default database `epic_events` they are `epic_events_owner` and `epic_events_app`.
Roles belong to the whole server, so each database has its own pair: two databases on one
server (staging and production, say) never share a login or a password.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# The variable each transaction of the program sets (db.act_in, `enter_session()`): its
# session's token, from which the database finds the collaborator (migration 0011).
SESSION_SETTING = "epic_events.session"
NAME_MAX = 63  # PostgreSQL's identifier length


def _role(database: str, suffix: str) -> str:
    name = f"{database}_{suffix}"
    if len(name) <= NAME_MAX:
        return name
    digest = hashlib.sha256(database.encode()).hexdigest()[:8]
    return f"{database[: NAME_MAX - len(suffix) - 10]}_{digest}_{suffix}"


def owner_role(database: str) -> str:
    return _role(database, "owner")


def app_role(database: str) -> str:
    return _role(database, "app")


LOCAL_WORKSTATION = "local"  # the one workstation of an embedded server


def workstation_role(database: str, name: str) -> str:
    return _role(database, f"ws_{name}")


def quote(connection: Connection, identifier: str) -> str:
    from sqlalchemy import text

    return connection.scalar(text("SELECT quote_ident(:name)"), {"name": identifier})


def current_roles(connection: Connection) -> tuple[str, str]:
    """The quoted (owner, app) roles of the connected database, for SQL text."""
    from sqlalchemy import text

    database = connection.scalar(text("SELECT current_database()"))
    return quote(connection, owner_role(database)), quote(connection, app_role(database))


def ensure_roles(connection: Connection) -> list[str]:
    """Create the missing owner and app roles of the connected database (admin connection);
    return the names of those created. Neither logs in: an app role that did (an install
    made before workstations) no longer does, its workstations join again.

    Also makes sure neither role holds a power it should not, the connected admin may act
    as the owner, the owner owns the `public` schema, and only the app role may connect.
    """
    from sqlalchemy import text

    database = connection.scalar(text("SELECT current_database()"))
    names = {"owner": owner_role(database), "app": app_role(database)}
    owner, app = (quote(connection, names[key]) for key in ("owner", "app"))
    # role -> whether it holds a power it should not (attributes are altered only then:
    # changing some of them takes a superuser, which a managed server's admin is not)
    existing = dict(
        connection.execute(
            text(
                "SELECT rolname, rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb "
                "OR rolreplication OR rolcanlogin OR (rolname = :app AND rolinherit) "
                "FROM pg_roles WHERE rolname IN (:owner, :app)"
            ),
            names,
        ).all()
    )
    created = []
    for key, quoted in (("owner", owner), ("app", app)):
        attributes = "NOLOGIN" if key == "owner" else "NOLOGIN NOINHERIT"
        if names[key] not in existing:
            connection.execute(text(f"CREATE ROLE {quoted} {attributes}"))
            created.append(names[key])
        elif existing[names[key]]:
            connection.execute(
                text(
                    f"ALTER ROLE {quoted} {attributes} NOSUPERUSER NOBYPASSRLS NOCREATEROLE "
                    "NOCREATEDB NOREPLICATION"
                )
            )
    is_superuser = connection.scalar(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    )
    if not is_superuser:  # the admin must be able to SET ROLE to the owner
        connection.execute(text(f"GRANT {owner} TO CURRENT_USER"))
    quoted_database = quote(connection, database)
    connection.execute(text(f"ALTER SCHEMA public OWNER TO {owner}"))
    connection.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    connection.execute(text(f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted_database} FROM PUBLIC"))
    connection.execute(text(f"GRANT CONNECT ON DATABASE {quoted_database} TO {app}"))
    connection.execute(text(f"GRANT CREATE ON DATABASE {quoted_database} TO {owner}"))
    return created


def set_password(connection: Connection, name: str, quoted: str, password: str) -> None:
    """Give the role `name` this password, sent as a SCRAM verifier computed here: the
    password itself never reaches the server's logs or statistics."""
    from psycopg2.extensions import encrypt_password

    verifier = encrypt_password(
        password, name, connection.connection.dbapi_connection, "scram-sha-256"
    )
    # psycopg2 quotes the verifier (client side: DDL takes no server parameters).
    connection.exec_driver_sql(f"ALTER ROLE {quoted} PASSWORD %s", (verifier,))


def take_ownership(connection: Connection) -> int:
    """Give the owner role what an earlier install left owned by the admin; return how many.

    The whole `public` schema is the CRM's: its database is its own (README).
    """
    from sqlalchemy import text

    owner, _ = current_roles(connection)
    params = {"owner": owner}
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
        params,
    ).all()
    for kind, name in relations:
        keyword = {"S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}.get(kind, "TABLE")
        connection.execute(text(f"ALTER {keyword} {name} OWNER TO {owner}"))
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
        params,
    ).all()
    for signature in functions:
        connection.execute(text(f"ALTER FUNCTION {signature} OWNER TO {owner}"))
        count += 1
    return count
