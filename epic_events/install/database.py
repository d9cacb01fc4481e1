"""The installer's database work before any data: the administrator's connection, the
application role's login, and the schema's migrations."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from epic_events.config import Settings
from epic_events.database_url import (
    libpq_dsn,
    url_database,
    url_user,
)
from epic_events.db import Database, resolve_database_url
from epic_events.errors import ConfigurationError, DatabaseUnavailable
from epic_events.install.report import Report

CAN_ADMINISTER = text(
    "SELECT current_user, rolsuper OR (rolcreaterole AND rolbypassrls) "
    "FROM pg_roles WHERE rolname = current_user"
)


def admin_url(settings: Settings) -> tuple[str, bool]:
    """The administrator's URL, and whether it is the embedded server's.

    --database-url, else DATABASE_ADMIN_URL, else DATABASE_URL (an install made before
    the two roles existed), else the embedded server's superuser.
    """
    given = settings.database_admin_url or settings.database_url
    if given:
        setting = "DATABASE_ADMIN_URL" if settings.database_admin_url else "DATABASE_URL"
        return resolve_database_url(given, settings.data_dir, setting), False
    from epic_events.embedded import start_embedded

    return start_embedded(settings.data_dir, admin=True), True


def describe_target(settings: Settings) -> str:
    """Where setup installs, in words: the embedded server's folder, or the server, port,
    database and user of the administrator's URL (never its password)."""
    given = settings.database_admin_url or settings.database_url
    if not given:
        return f"the embedded PostgreSQL in {settings.data_dir}"
    return f"the PostgreSQL server {server_of(given)}, as {url_user(given) or '(default user)'}"


def server_of(url: str) -> str:
    """`host:port, database name` of a URL (a socket's folder as its host)."""
    try:
        parts = urlsplit(libpq_dsn(url))
        query = parse_qs(parts.query)
        host = parts.hostname or query.get("host", ["localhost"])[0]
        port = parts.port or query.get("port", ["5432"])[0]
    except ValueError:
        return "of an unreadable URL"
    return f"{host}:{port}, database {url_database(url) or url_user(url) or '(default)'}"


def check_admin(database: Database, report: Report | None = None) -> None:
    """The administrator creates roles and bypasses row-level security to seed; the
    names of the application role follow from the database's. A database that does not
    exist yet on a server that answers is created (with `report`); any other failure to
    connect says its real cause in one line."""
    try:
        with database.engine.connect() as connection:
            user, able = connection.execute(CAN_ADMINISTER).one()
    except OperationalError as problem:
        reason = server_message(problem)
        name = url_database(database.url)
        if report is not None and "does not exist" in reason and f'"{name}"' in reason:
            create_database(database.url, report)
            return check_admin(database)
        raise DatabaseUnavailable(unreachable(database.url, reason)) from None
    if not able:
        raise ConfigurationError(
            f"setup.py connects as {user}, who cannot create roles or bypass row-level "
            "security: set DATABASE_ADMIN_URL to a superuser's URL (the program itself "
            "connects as its own role, see README)."
        )
    return None


SETUP_LOCK = 0x45504943  # "EPIC": the advisory lock every setup.py of a database takes


@contextlib.contextmanager
def one_setup_at_a_time(database: Database) -> Iterator[None]:
    """Hold the database's setup lock (a session advisory lock on a connection of its own)
    while the block runs: a second setup.py started at the same moment waits here, then
    finds the roles, schema and users made and says so, instead of failing halfway."""
    with database.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})
            connection.commit()


def server_message(problem: OperationalError) -> str:
    """The first line of what libpq or the server said."""
    text = str(getattr(problem, "orig", None) or problem).strip()
    return text.splitlines()[0] if text else "no answer"


def unreachable(url: str, reason: str) -> str:
    """One line naming the real cause of a failed connection."""
    where = server_of(url)
    lowered = reason.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        cause = f"the server refused the password of {url_user(url) or 'the user'}"
    elif "does not exist" in lowered and "role" in lowered:
        cause = f"the server has no role {url_user(url)}"
    elif "does not exist" in lowered:
        cause = f"the server has no database {url_database(url)}"
    elif "connection refused" in lowered or "no such file" in lowered:
        cause = "nothing answers there: is the server running, on that port?"
    elif "could not translate host name" in lowered or "name or service not known" in lowered:
        cause = "that host name is unknown"
    elif "timeout" in lowered or "timed out" in lowered:
        cause = "the server did not answer in time"
    else:
        cause = reason
    return f"Cannot connect to {where}: {cause} (check DATABASE_ADMIN_URL)."


def create_database(url: str, report: Report) -> None:
    """Create the URL's database, connected to the server's `postgres` maintenance database
    with the same credentials (CREATE DATABASE cannot run in a transaction). Another setup
    creating it at the same moment is no error."""
    from sqlalchemy.exc import ProgrammingError

    name = url_database(url)
    parts = urlsplit(url)
    maintenance = Database(urlunsplit(parts._replace(path="/postgres")))
    try:
        with maintenance.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            quoted = connection.dialect.identifier_preparer.quote(name)
            try:
                connection.execute(text(f"CREATE DATABASE {quoted}"))
            except ProgrammingError as problem:
                if "already exists" not in str(problem.orig):
                    raise
                return
    except OperationalError as problem:
        raise DatabaseUnavailable(unreachable(url, server_message(problem))) from None
    except ProgrammingError as problem:
        raise DatabaseUnavailable(
            f"The database {name} does not exist and cannot be created as "
            f"{url_user(url)}: {server_message(problem)}"
        ) from None
    finally:
        maintenance.dispose()
    report.did(f"created the database {name} on the server")


def migrate(database: Database, report: Report) -> None:
    """Make the owner and app roles and apply the pending migrations."""
    from epic_events.migrations import upgrade

    def created(role: str) -> None:
        kind = (
            "the workstations' group, cannot log in"
            if role.endswith("_app")
            else "cannot log in, owns the schema"
        )
        report.did(f"database role {role} ({kind})")

    before, after = upgrade(database.engine, on_role_created=created)
    if before == after:
        report.kept(f"database schema is up to date (revision {after})")
    else:
        report.did(f"database schema upgraded from {before or 'nothing'} to {after}")


def installed_revision(database: Database) -> str | None:
    """The schema revision of the database, None when nothing is installed there."""
    from epic_events.migrations import current_revision

    with database.engine.connect() as connection:
        return current_revision(connection)
