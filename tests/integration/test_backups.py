"""setup.py --backup and --restore through the installer, on the test server: a restore into
another database is the same rows under that database's own roles; a bad file, a database
holding data or a newer schema each stop with one line and change nothing."""

from __future__ import annotations

import stat
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from epic_events.config import read_env_file
from epic_events.database_url import with_credentials
from epic_events.demo import DemoSize
from epic_events.install import Installer, backup, restore
from epic_events.install.backup import back_up
from epic_events.install.backup_file import (
    BackupError,
    DamagedBackup,
    NewerBackup,
    WrongPassphrase,
)
from epic_events.install.restore import TargetHoldsData
from epic_events.migrations import head_revision, upgrade
from tests.backups import add_history_and_archives, checksums, security
from tests.conftest import open_test_session

PASSPHRASE = "drill passphrase 42"
SUPER_PASSWORD = "super user password"


def installer(home: Path, admin_url: str, lines: list[str] | None = None, **environ):
    say = (lines if lines is not None else []).append
    return Installer(
        home,
        say,
        environ={
            "DATABASE_ADMIN_URL": admin_url,
            "USER_1_PW": SUPER_PASSWORD,
            "EPIC_EVENTS_ENV": "development",
            "EPIC_EVENTS_BACKUP_PASSPHRASE": PASSPHRASE,
            **environ,
        },
    )


@pytest.fixture(scope="module")
def source(postgres, tmp_path_factory):
    """A small company with history and archived rows, and its backup file."""
    home = tmp_path_factory.mktemp("source")
    url = postgres.create_database("epic_backup_src")
    installer(home, url).run(DemoSize(commerce=3, support=2, clients=60, contracts=150, events=400))
    add_history_and_archives(url)
    path = tmp_path_factory.mktemp("backups") / "company.backup"
    installer(home, url).backup(path)
    yield url, path
    postgres.drop_database(url)


@pytest.fixture
def empty_database(postgres):
    url = postgres.create_database("epic_backup_dst")
    yield url
    postgres.drop_database(url)


def tables(url) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ).all()
    engine.dispose()
    return found


def test_a_backup_is_private_and_says_its_size_and_rows(source, tmp_path):
    url, _ = source
    lines = []
    result = installer(tmp_path, url, lines).backup(tmp_path / "again.backup")
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert result.counts["clients"] == 60
    assert result.counts["audit_log"] == 400
    report = "\n".join(lines)
    assert "backup written" in report
    assert "clients: 60 rows" in report
    data = result.path.read_bytes()
    assert PASSPHRASE.encode() not in data
    assert b"admin@epicevents.example" not in data
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_restore_into_another_database_is_the_same_rows_under_its_own_roles(
    source, empty_database, tmp_path
):
    url, path = source
    lines = []
    installer(tmp_path, empty_database, lines).restore(path)
    assert checksums(empty_database) == checksums(url)
    assert security(empty_database) == security(url)
    program_url = read_env_file(tmp_path / "settings.env")["DATABASE_URL"]
    assert "epic_backup_dst" in program_url
    report = "\n".join(lines)
    assert "is intact" in report
    assert "restored" in report


def test_the_app_role_of_a_restored_database_is_still_bound(source, empty_database, tmp_path):
    _, path = source
    installer(tmp_path, empty_database).restore(path)
    program_url = read_env_file(tmp_path / "settings.env")["DATABASE_URL"]
    engine = create_engine(program_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM clients")) == 0  # no session: nothing
        # nobody acts: row-level security lets no write through
        assert conn.execute(text("UPDATE clients SET full_name = 'x'")).rowcount == 0
        conn.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("DELETE FROM clients"))
        conn.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("TRUNCATE public.audit_log"))
        conn.rollback()
    admin = create_engine(empty_database)
    with admin.begin() as connection:  # a session of a restored collaborator, on this machine
        (someone,) = connection.execute(text("SELECT id FROM collaborators LIMIT 1")).one()
        token = open_test_session(connection, someone)
        connection.execute(
            text("UPDATE sessions SET workstation = :ws WHERE id = :id"),
            {"ws": make_url(program_url).username, "id": int(token.split(".")[0])},
        )
    admin.dispose()
    with engine.connect() as conn:
        conn.execute(text("SELECT enter_session(:t)"), {"t": token})
        assert conn.scalar(text("SELECT count(*) FROM clients")) == 60
    engine.dispose()


def test_a_backup_taken_while_staff_write_is_one_instant(source, empty_database, tmp_path):
    url, _ = source
    busy = "SELECT count(*) FROM audit_log WHERE actor_name = 'Busy'"
    started, stop = threading.Event(), threading.Event()

    def staff_writing():
        engine = create_engine(url)
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO audit_log (actor_name, action, entity, entity_id) "
                        "VALUES ('Busy', 'update', 'client', 1)"
                    )
                )
            started.set()
        engine.dispose()

    writer = threading.Thread(target=staff_writing)
    writer.start()
    try:
        started.wait(10)
        result = back_up(url, tmp_path / "busy.backup", PASSPHRASE)
        stop.set()
        writer.join()
        (written,) = rows(url, busy)
        assert 0 < result.counts["audit_log"] - 400 < written
        # the restore checks the rows loaded against the counts taken in the dump's snapshot
        installer(tmp_path, empty_database).restore(result.path)
        assert rows(empty_database, busy) == [result.counts["audit_log"] - 400]
    finally:
        stop.set()
        writer.join()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE actor_name = 'Busy'"))
            conn.execute(text("DELETE FROM audit_kinds WHERE actor_name = 'Busy'"))  # its kind
            conn.execute(text("SELECT setval('audit_log_id_seq', max(id)) FROM audit_log"))
        engine.dispose()


def rows(url, sql) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.scalars(text(sql)).all()
    engine.dispose()
    return found


def test_a_failed_dump_leaves_no_backup(source, tmp_path, monkeypatch):
    url, _ = source
    fake = tmp_path / "pg_dump"
    fake.write_text(
        "#!/bin/sh\nhead -c 3000000 /dev/zero\necho 'pg_dump: error: connection lost' >&2\nexit 1\n"
    )
    fake.chmod(0o700)
    monkeypatch.setattr(backup, "pg_tool", lambda name: str(fake))
    folder = tmp_path / "backups"
    with pytest.raises(BackupError, match=r"pg_dump failed, no backup written: .*connection lost"):
        back_up(url, folder / "cut.backup", PASSPHRASE)
    assert list(folder.iterdir()) == []


def test_a_managed_servers_admin_who_is_no_superuser_restores_too(source, postgres, tmp_path):
    url, path = source
    name = f"epic_managed_{uuid.uuid4().hex[:8]}"
    admin = f"{name}_admin"
    engine = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE ROLE {admin} LOGIN CREATEROLE BYPASSRLS"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {admin}"))
    engine.dispose()
    target = postgres.url_for(name)
    try:
        installer(tmp_path, with_credentials(target, admin)).restore(path)
        assert checksums(target) == checksums(url)
        restored, original = security(target), security(url)
        for what in ("database", "schema"):  # the database is the managed admin's
            del restored[what], original[what]
        assert restored == original  # triggers enabled again, indexes rebuilt
    finally:
        postgres.drop_database(target)
        engine = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {admin}"))
        engine.dispose()


@pytest.fixture
def older_backup(postgres, tmp_path):
    """A backup of a database still at revision 0003 (before the roles and policies)."""
    url = postgres.create_database("epic_backup_old")
    engine = create_engine(url)
    upgrade(engine, revision="0003")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO departments (name) VALUES ('gestion'), ('commerce'), ('support');"
            "INSERT INTO collaborators (name, email, phone, department_id, password_hash) "
            "SELECT 'Old Seller', 'old@example.com', '+33 1 00 00 00 00', id, 'x' "
            "FROM departments WHERE name = 'commerce';"
            "INSERT INTO clients (full_name, email, phone, company_name, commercial_contact_id) "
            "SELECT 'Old Client', 'oldclient@example.com', '+33 1', 'Old Co', id "
            "FROM collaborators"
        )
    engine.dispose()
    path = tmp_path / "old.backup"
    back_up(url, path, PASSPHRASE)
    yield path
    postgres.drop_database(url)


def test_an_older_backup_is_migrated_forward_after_its_restore(
    older_backup, empty_database, tmp_path
):
    lines = []
    installer(tmp_path, empty_database, lines).restore(older_backup)
    assert "upgraded from 0003 to" in "\n".join(lines)
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        assert conn.scalar(text("SELECT full_name FROM clients")) == "Old Client"
        # migration 0006 built the search document of the restored client
        assert conn.scalar(text("SELECT count(*) FROM client_search")) == 1
    engine.dispose()


# -- refusals: one line each, nothing changed ---------------------------------------------


def test_a_wrong_passphrase_changes_nothing(source, empty_database, tmp_path):
    _, path = source
    wrong = installer(tmp_path, empty_database, EPIC_EVENTS_BACKUP_PASSPHRASE="not the one!")
    with pytest.raises(WrongPassphrase, match=r"^Wrong passphrase for company.backup"):
        wrong.restore(path)
    assert tables(empty_database) == []
    assert not (tmp_path / "settings.env").exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "is cut short"),
        (lambda data: data[:-1], "is cut short"),
        (lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:], "altered or damaged"),
        (lambda data: data[:900] + bytes([data[900] ^ 0x40]) + data[901:], "altered or damaged"),
        (lambda data: data + b"\0", "bytes after its end"),
    ],
    ids=["half", "last byte cut", "last chunk altered", "first chunk altered", "appended"],
)
def test_a_damaged_file_changes_nothing(source, empty_database, tmp_path, damage, message):
    _, path = source
    broken = tmp_path / "broken.backup"
    broken.write_bytes(damage(path.read_bytes()))
    with pytest.raises(DamagedBackup, match=message) as refused:
        installer(tmp_path, empty_database).restore(broken)
    assert "nothing was changed" in str(refused.value)
    assert tables(empty_database) == []


def test_a_database_holding_data_is_kept_unless_replacing_is_asked(source, tmp_path):
    url, path = source
    before = checksums(url)
    with pytest.raises(TargetHoldsData, match="already holds data"):
        installer(tmp_path, url).restore(path)
    assert checksums(url) == before


def test_replacing_a_database_backs_it_up_first(source, postgres, tmp_path):
    url, path = source
    target = postgres.create_database("epic_backup_rep")
    try:
        installer(tmp_path, target).run()  # a fresh install: departments and super user
        lines = []
        installer(tmp_path, target, lines).restore(path, replace_existing=True)
        assert checksums(target) == checksums(url)
        (kept,) = (tmp_path / "data" / "backups").glob("*-before-restore.backup")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert f"backed up the data being replaced to {kept}" in "\n".join(lines)
    finally:
        postgres.drop_database(target)


def test_a_replace_while_staff_are_connected_says_so_and_changes_nothing(
    source, postgres, tmp_path, monkeypatch
):
    _, path = source
    target = postgres.create_database("epic_backup_busy")
    staff = None
    try:
        installer(tmp_path, target).run()
        before = checksums(target)
        monkeypatch.setattr(restore, "LOCK_WAIT_S", 1)
        staff = create_engine(target).connect()
        staff.execute(text("SELECT count(*) FROM clients"))  # a transaction left open
        with pytest.raises(BackupError, match="The database is in use"):
            installer(tmp_path, target).restore(path, replace_existing=True)
        staff.rollback()
        assert checksums(target) == before
    finally:
        if staff is not None:
            staff.close()
        postgres.drop_database(target)


def test_an_unencrypted_backup_restores_too(source, empty_database, tmp_path):
    url, _ = source
    clear = back_up(url, tmp_path / "clear.backup", None)
    installer(tmp_path, empty_database, EPIC_EVENTS_BACKUP_PASSPHRASE="").restore(clear.path)
    assert checksums(empty_database) == checksums(url)


def test_a_backup_of_a_newer_schema_changes_nothing(source, empty_database, tmp_path):
    url, _ = source
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        newer = back_up(url, tmp_path / "newer.backup", PASSPHRASE).path
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()}
            )
        engine.dispose()
    with pytest.raises(NewerBackup, match="schema revision 9999, newer than this program's"):
        installer(tmp_path, empty_database).restore(newer)
    assert tables(empty_database) == []


def test_keep_leaves_the_newest_backups_and_no_other_file(source, tmp_path):
    url, _ = source
    folder = tmp_path / "rotation"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    for index in range(3):
        old = folder / f"epic-events-2020-01-0{index + 1}_000000.backup"
        old.write_bytes(b"old")
        old.touch()
    lines = []
    result = installer(tmp_path, url, lines).backup(folder, keep=2)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["notes.txt", "epic-events-2020-01-03_000000.backup", result.path.name])
    assert "\n".join(lines).count("removed the old backup") == 2
