"""Restore a backup file into the CRM database: `setup.py --restore`.

The whole file is read first (passphrase, every chunk's authentication, a schema revision
this program knows) and only then is the database touched: the schema of the backup's
revision is made by the migrations (so the roles, grants and row-level security are this
server's and this database's), the rows loaded by `pg_restore --data-only` in one
transaction, the counts checked, and the schema migrated forward (installer.restore).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from epic_events.install import backup_file
from epic_events.install.backup import (
    Progress,
    connect,
    counted,
    crm_tables,
    last_line,
    pg_tool,
    row_counts,
    tool_connection,
)
from epic_events.install.backup_file import BackupError, Header, NewerBackup, Sealer

LOCK_WAIT_S = 20  # how long a replace waits for staff's transactions on the old schema


class TargetHoldsData(BackupError):
    """The database to restore into already holds data, and replacing it was not asked."""


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
                if table == "workstations":  # this server's machines, not the CRM's data
                    continue
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
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_S}s'")
            cursor.execute("DROP SCHEMA IF EXISTS crm CASCADE")  # the app's views (0011)
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

    What slows or blocks a bulk load is set aside around it, by the owner's rights alone
    (a managed server's admin is no superuser): the schema's triggers are disabled, the
    foreign keys and the indexes that back no constraint are dropped, then all are made
    again on all the rows at once (the foreign keys checked on every row). The tables are
    analysed last: the planner's estimates (the searches rely on them) are not in a backup."""
    connection = connect(admin_url)
    try:
        with connection.cursor() as cursor:
            tables = crm_tables(cursor)
            if tables:  # a migration may have written rows: the backup's replace them
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
            rebuild = _drop_secondary_indexes(cursor) + _drop_foreign_keys(cursor)
            _user_triggers(cursor, tables, "DISABLE")
        connection.commit()
        try:
            _pg_restore(admin_url, backup, progress)
        finally:
            with connection.cursor() as cursor:
                _user_triggers(cursor, tables, "ENABLE")
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for statement in rebuild:
                    cursor.execute(statement)
            connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    finally:
        connection.close()


def _user_triggers(cursor, tables: list[str], action: str) -> None:
    for table in tables:
        cursor.execute(f"ALTER TABLE public.{table} {action} TRIGGER USER")


def _drop_foreign_keys(cursor) -> list[str]:
    """Drop the CRM's foreign keys; return the statements that make them again."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace
        ORDER BY 1, 2
        """
    )
    found = cursor.fetchall()
    for table, name, _ in found:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return [f"ALTER TABLE {table} ADD CONSTRAINT {name} {how}" for table, name, how in found]


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
            for data in counted(backup.chunks(), progress):
                process.stdin.write(data)
            process.stdin.close()
        except BrokenPipeError:
            pass
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            raise BackupError(f"pg_restore failed, nothing was loaded: {last_line(errors)}")


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
