"""Workstations: the first install is the first one, `--join` makes another with nothing
copied, `--workstations` lists them, `--revoke` ends one (even its open connections)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from epic_events.config import read_env_file
from epic_events.database_url import libpq_dsn
from epic_events.db import Database
from epic_events.errors import ConfigurationError, DatabaseUnavailable
from epic_events.install import Installer
from epic_events.install.workstations import clean_name, this_machine
from epic_events.managers.sessions import QuickDatabase, check_schema
from epic_events.roles import workstation_role

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_database(postgres):
    url = postgres.create_database("epic_ws")
    yield url
    postgres.drop_database(url)


def installer(home: Path, admin_url: str | None, name: str | None = None, **environ):
    lines: list[str] = []
    env = {"USER_1_PW": "super user password", **environ}
    if admin_url:
        env["DATABASE_ADMIN_URL"] = admin_url
    return Installer(home, lines.append, environ=env, workstation=name), lines


def first_install(home: Path, admin_url: str) -> str:
    installer(home, admin_url)[0].run()
    return read_env_file(home / "settings.env")["DATABASE_URL"]


def join(home: Path, admin_url: str, name: str) -> str:
    home.mkdir(exist_ok=True)
    joining, lines = installer(home, admin_url, name)
    assert joining.join() > 0, lines
    return read_env_file(home / "settings.env")["DATABASE_URL"]


def test_the_first_install_is_the_first_workstation(isolated_environment, fresh_database):
    program_url = first_install(isolated_environment, fresh_database)
    listing, _ = installer(isolated_environment, fresh_database)
    (row,) = listing.list_workstations()
    assert row.name == this_machine()
    assert row.role == make_url(program_url).username
    assert row.created_by == make_url(fresh_database).username
    assert row.revoked_at is None


def test_joining_makes_a_workstation_with_its_own_secrets_and_nothing_copied(
    isolated_environment, fresh_database, tmp_path
):
    first_url = first_install(isolated_environment, fresh_database)
    other = tmp_path / "laptop"
    second_url = join(other, fresh_database, "Laptop-2")
    assert make_url(second_url).username == workstation_role(
        make_url(fresh_database).database, "laptop_2"
    )
    assert make_url(second_url).password != make_url(first_url).password
    mine, theirs = (read_env_file(home / "settings.env") for home in (isolated_environment, other))
    assert mine["JWT_SECRET"] != theirs["JWT_SECRET"]
    assert (other / "jwt.key").read_bytes() != (isolated_environment / "jwt.key").read_bytes()
    assert not (other / "data.json").exists()  # joining creates no user
    assert "DATABASE_ADMIN_URL" not in (other / "settings.env").read_text().split("\n# ")[-1]
    assert fresh_database not in (other / "settings.env").read_text()
    quick = QuickDatabase(second_url)
    try:
        check_schema(quick)  # the program starts there
    finally:
        quick.close()
    listing, _ = installer(isolated_environment, fresh_database)
    assert [row.name for row in listing.list_workstations()] == [this_machine(), "laptop_2"]


def test_joining_again_keeps_what_is_there(isolated_environment, fresh_database, tmp_path):
    first_install(isolated_environment, fresh_database)
    other = tmp_path / "laptop"
    url = join(other, fresh_database, "laptop")
    joining, lines = installer(other, fresh_database, "laptop")
    assert joining.join() == 0, lines
    assert read_env_file(other / "settings.env")["DATABASE_URL"] == url


def test_a_name_another_machine_holds_is_refused(isolated_environment, fresh_database, tmp_path):
    first_install(isolated_environment, fresh_database)
    joining, _ = installer(tmp_path / "x", fresh_database, this_machine())
    (tmp_path / "x").mkdir()
    with pytest.raises(ConfigurationError, match="another machine's"):
        joining.join()


def test_joining_needs_the_admin_url_and_an_install(isolated_environment, postgres, tmp_path):
    joining, _ = installer(isolated_environment, None, "laptop")
    with pytest.raises(ConfigurationError, match="DATABASE_ADMIN_URL"):
        joining.join()
    empty = postgres.create_database("epic_ws_empty")
    try:
        joining, _ = installer(isolated_environment, empty, "laptop")
        with pytest.raises(ConfigurationError, match="Nothing is installed"):
            joining.join()
    finally:
        postgres.drop_database(empty)


def test_a_workstation_is_seen_when_the_program_starts(isolated_environment, fresh_database):
    program_url = first_install(isolated_environment, fresh_database)
    listing, _ = installer(isolated_environment, fresh_database)
    assert listing.list_workstations()[0].last_seen_at is None
    quick = QuickDatabase(program_url)
    try:
        check_schema(quick)
    finally:
        quick.close()
    assert listing.list_workstations()[0].last_seen_at is not None


def test_revoking_ends_the_workstation_and_its_open_connections(
    isolated_environment, fresh_database, tmp_path
):
    first_install(isolated_environment, fresh_database)
    other_url = join(tmp_path / "laptop", fresh_database, "laptop")
    open_connection = psycopg2.connect(libpq_dsn(other_url))
    open_connection.autocommit = True
    with open_connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM departments")
        assert cursor.fetchone() == (0,)  # no session: nothing, but the connection works

    revoking, lines = installer(isolated_environment, fresh_database)
    row = revoking.revoke("laptop")
    assert row.connected == 1
    assert "workstation laptop revoked" in "\n".join(lines)

    with pytest.raises(psycopg2.Error), open_connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM departments")
    open_connection.close()
    with pytest.raises(DatabaseUnavailable, match="revoked"):
        QuickDatabase(other_url).schema_revision()
    program = Database(other_url)  # a program still running there, reconnecting
    try:
        with (
            pytest.raises(DatabaseUnavailable, match="workstation was revoked"),
            program.unit_of_work() as uow,
        ):
            uow.session.execute(text("SELECT 1"))
    finally:
        program.dispose()
    listed = {r.name: r for r in revoking.list_workstations()}
    assert listed["laptop"].revoked_at is not None
    assert listed[this_machine()].revoked_at is None
    with pytest.raises(ConfigurationError, match="already revoked"):
        revoking.revoke("laptop")
    with pytest.raises(ConfigurationError, match="No workstation is named"):
        revoking.revoke("nobody")
    # The other machines go on.
    engine = create_engine(read_env_file(isolated_environment / "settings.env")["DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT current_user")) == workstation_role(
            make_url(fresh_database).database, this_machine()
        )
    engine.dispose()


def test_names_are_made_fit_for_a_role():
    assert clean_name("Front Desk #2") == "front_desk_2"
    with pytest.raises(ConfigurationError):
        clean_name("%%%")


def test_setup_lists_and_revokes_from_the_command_line(isolated_environment, fresh_database):
    first_install(isolated_environment, fresh_database)
    env = {
        "PATH": "/usr/bin:/bin",
        "EPIC_EVENTS_HOME": str(isolated_environment),
        "DATABASE_ADMIN_URL": fresh_database,
    }

    def setup(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(REPO / "setup.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    listed = setup("--workstations")
    assert listed.returncode == 0, listed.stderr
    header, line = listed.stdout.strip().splitlines()[-2:]
    assert header.split()[:2] == ["NAME", "CREATED"]
    assert line.startswith(this_machine())
    assert line.rstrip().endswith("active")
    revoked = setup("--revoke", this_machine())
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    again = setup("--revoke", this_machine())
    assert again.returncode == 2
    assert again.stderr.startswith("setup.py: The workstation")
    assert "Traceback" not in again.stderr
    both = setup("--join", "--workstations")
    assert both.returncode == 2
    assert "cannot be used together" in both.stderr


def test_setup_again_without_a_name_keeps_this_machines_workstation(
    isolated_environment, fresh_database, tmp_path
):
    """A machine named with --name once is that workstation for good: a later setup or join
    without --name neither makes another nor touches its URL."""
    installer(isolated_environment, fresh_database, "desk-a")[0].run()
    first = read_env_file(isolated_environment / "settings.env")["DATABASE_URL"]
    again, lines = installer(isolated_environment, fresh_database)
    assert again.run() == 0, lines
    assert read_env_file(isolated_environment / "settings.env")["DATABASE_URL"] == first
    url = join(tmp_path / "b", fresh_database, "desk-b")
    joining, lines = installer(tmp_path / "b", fresh_database)
    assert joining.join() == 0, lines
    assert read_env_file(tmp_path / "b" / "settings.env")["DATABASE_URL"] == url
    listing, _ = installer(isolated_environment, fresh_database)
    assert [row.name for row in listing.list_workstations()] == ["desk_a", "desk_b"]
