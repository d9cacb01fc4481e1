"""Workstations: the machines of one install, each with a PostgreSQL login role of its own.

`setup.py` makes the first one (the first install is simply the first workstation),
`setup.py --join` one more (nothing copied from another machine: its role, password, JWT
secret, key and token store are its own), `--workstations` lists them and `--revoke NAME`
ends one. All of it through the administrator's connection; no app role reads the table.
"""

from __future__ import annotations

import re
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from epic_events.database_url import url_database, url_user, with_credentials
from epic_events.db import Database
from epic_events.errors import ConfigurationError
from epic_events.roles import (
    LOCAL_WORKSTATION,
    app_role,
    owner_role,
    quote,
    set_password,
    workstation_role,
)

NAME_LENGTH = 40


def clean_name(name: str) -> str:
    """A workstation's name as its role can hold it: lower-case letters, digits and `_`."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")[:NAME_LENGTH]
    if not cleaned:
        raise ConfigurationError(
            f"{name!r} cannot name a workstation: use letters, digits and underscores."
        )
    return cleaned


def this_machine() -> str:
    """The default name of this workstation: the host's name, up to its first dot."""
    return clean_name(socket.gethostname().split(".")[0] or "workstation")


@dataclass(frozen=True)
class WorkstationRow:
    name: str
    role: str
    created_at: datetime
    created_by: str
    last_seen_at: datetime | None
    revoked_at: datetime | None
    connected: int


@dataclass(frozen=True)
class Joined:
    """The outcome of `ensure`: the role, and the program's URL to save (None: kept)."""

    role: str
    program_url: str | None
    created: bool


def database_name(admin: Database) -> str:
    return url_database(admin.url)


def ensure(
    admin: Database, name: str | None, configured: list[str | None], embedded: bool
) -> Joined:
    """This machine's workstation: the one a `configured` URL already logs in as (when
    `name` names no other), else `name` (default: the host's name) made anew: a new role
    with a new password on a server; on the embedded server the `local` one, which needs
    none. A name another machine holds is refused."""
    database = database_name(admin)
    with admin.engine.begin() as connection:
        _find_views_first(connection)
        if embedded:
            role = workstation_role(database, LOCAL_WORKSTATION)
            state = _role_state(connection, role)
            if state is None:
                _create_role(connection, role, None)
                _record(connection, LOCAL_WORKSTATION, role)
                return Joined(role, None, True)
            _repair(connection, role, state)
            return Joined(role, None, False)
        wanted = workstation_role(database, name) if name else None
        for url in configured:
            role = url_user(url) if url else None
            if not role or (wanted and role != wanted):
                continue
            state = _role_state(connection, role)
            if state and state["can_login"] and state["workstation"]:
                _repair(connection, role, state)
                if not state["recorded"]:  # its row went with a restore: written again
                    prefix = workstation_role(database, "")
                    _record(connection, role.removeprefix(prefix) or role, role)
                return Joined(role, None, False)
        name = name or this_machine()
        role = workstation_role(database, name)
        state = _role_state(connection, role)
        if state is not None:
            what = "was revoked" if not state["can_login"] else "is another machine's"
            raise ConfigurationError(
                f"The workstation {name} {what} ({role}): give this machine another name "
                "with --name NAME (setup.py --workstations lists the names taken)."
            )
        password = secrets.token_urlsafe(24)
        _create_role(connection, role, password)
        _record(connection, name, role)
    return Joined(role, with_credentials(admin.url, role, password), True)


def _role_state(connection, role: str) -> dict | None:
    row = (
        connection.execute(
            text(
                "SELECT rolcanlogin AS can_login, "
                "rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication "
                "OR NOT rolinherit AS needs_repair, "
                "NOT r.rolsuper AND EXISTS (SELECT 1 FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid "
                "AND g.rolname = :app) AS workstation, "
                "EXISTS (SELECT 1 FROM workstations w WHERE w.role_name = r.rolname) "
                "AS recorded "
                "FROM pg_roles r WHERE rolname = :role"
            ),
            {"role": role, "app": app_role(connection.scalar(text("SELECT current_database()")))},
        )
        .mappings()
        .one_or_none()
    )
    return dict(row) if row else None


def _create_role(connection, role: str, password: str | None) -> None:
    database = connection.scalar(text("SELECT current_database()"))
    quoted = quote(connection, role)
    app = quote(connection, app_role(database))
    connection.execute(
        text(
            f"CREATE ROLE {quoted} LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEROLE "
            "NOCREATEDB NOREPLICATION"
        )
    )
    connection.execute(text(f"GRANT {app} TO {quoted}"))
    _search_views_first(connection, role)
    if password is not None:
        set_password(connection, role, quoted, password)


# The program reads and writes through the views of schema `crm` (migration 0011): a
# workstation finds them before the tables, which grant it nothing.
SEARCH_PATH = "crm, public"


def _search_views_first(connection, role: str) -> None:
    database = connection.scalar(text("SELECT current_database()"))
    connection.execute(
        text(
            f"ALTER ROLE {quote(connection, role)} IN DATABASE {quote(connection, database)} "
            f"SET search_path = {SEARCH_PATH}"
        )
    )


def _find_views_first(connection) -> None:
    """Every workstation of this database searches the views first (those made before the
    views existed too)."""
    database = connection.scalar(text("SELECT current_database()"))
    members = connection.scalars(
        text(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = :app AND m.rolcanlogin"
        ),
        {"app": app_role(database)},
    ).all()
    for member in members:
        _search_views_first(connection, member)


def _repair(connection, role: str, state: dict) -> None:
    """A workstation role holds no power of its own and is a member of the app role."""
    database = connection.scalar(text("SELECT current_database()"))
    quoted = quote(connection, role)
    if state["needs_repair"]:
        connection.execute(
            text(
                f"ALTER ROLE {quoted} INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEROLE "
                "NOCREATEDB NOREPLICATION"
            )
        )
    connection.execute(text(f"GRANT {quote(connection, app_role(database))} TO {quoted}"))


def _record(connection, name: str, role: str) -> None:
    """The table belongs to the owner: the admin writes it as the owner."""
    database = connection.scalar(text("SELECT current_database()"))
    admin = connection.scalar(text("SELECT current_user"))
    connection.execute(text(f"SET LOCAL ROLE {quote(connection, owner_role(database))}"))
    # Rows whose role is not one of this database's (no such role here, or another
    # database's) came with a restored backup: those machines belong to where it was made.
    connection.execute(
        text(
            "DELETE FROM workstations w WHERE NOT EXISTS (SELECT 1 FROM pg_roles r "
            "WHERE r.rolname = w.role_name AND pg_has_role(r.oid, :app, 'MEMBER'))"
        ),
        {"app": app_role(database)},
    )
    connection.execute(
        text(
            "INSERT INTO workstations (role_name, name, created_by) VALUES (:role, :name, :by) "
            "ON CONFLICT (role_name) DO UPDATE SET revoked_at = NULL"
        ),
        {"role": role, "name": name, "by": admin},
    )
    connection.execute(text("RESET ROLE"))


def listed(admin: Database) -> list[WorkstationRow]:
    """Every workstation, the oldest first, with its open connections now."""
    with admin.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT w.name, w.role_name, w.created_at, w.created_by, w.last_seen_at, "
                "w.revoked_at, (SELECT count(*) FROM pg_stat_activity a "
                "WHERE a.usename = w.role_name AND a.datname = current_database()) "
                "FROM workstations w ORDER BY w.created_at, w.name"
            )
        ).all()
    return [WorkstationRow(*row) for row in rows]


def revoke(admin: Database, name: str) -> WorkstationRow:
    """End the workstation `name`: its role can no longer log in nor use the app role's
    rights (even on a connection already open), its sessions end and its connections are
    closed."""
    name = clean_name(name)
    rows = {row.name: row for row in listed(admin)}
    row = rows.get(name)
    if row is None:
        known = ", ".join(sorted(rows)) or "none"
        raise ConfigurationError(f"No workstation is named {name} (workstations: {known}).")
    if row.revoked_at is not None:
        raise ConfigurationError(
            f"The workstation {name} was already revoked on {row.revoked_at:%d/%m/%Y %H:%M}."
        )
    database = database_name(admin)
    with admin.engine.begin() as connection:
        quoted = quote(connection, row.role)
        connection.execute(text(f"ALTER ROLE {quoted} NOLOGIN"))
        connection.execute(text(f"REVOKE {quote(connection, app_role(database))} FROM {quoted}"))
        connection.execute(text(f"SET LOCAL ROLE {quote(connection, owner_role(database))}"))
        connection.execute(
            text("UPDATE workstations SET revoked_at = now() WHERE role_name = :role"),
            {"role": row.role},
        )
        connection.execute(
            text(
                "UPDATE sessions SET ended_at = now(), end_reason = 'workstation revoked' "
                "WHERE workstation = :role AND ended_at IS NULL"
            ),
            {"role": row.role},
        )
        connection.execute(text("RESET ROLE"))
    with admin.engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename = :role AND pid <> pg_backend_pid()"
            ),
            {"role": row.role},
        )
        connection.commit()
    return row
