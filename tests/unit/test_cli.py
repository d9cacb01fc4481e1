"""The entry points as users start them, in a subprocess, without touching any database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from epic_events import __version__

REPO = Path(__file__).resolve().parents[2]
UNREACHABLE_DATABASE = "postgresql://x@127.0.0.1:1/x"
SECRET = "cli-test-secret-" + "c" * 40


@pytest.fixture
def run(isolated_environment):
    """Run a command from the repository root with a private home and an unreachable database."""

    def run(*args: str, cwd: Path = REPO, stdin=subprocess.DEVNULL, **env: str):
        environ = {
            **os.environ,
            "EPIC_EVENTS_HOME": str(isolated_environment),
            "DATABASE_URL": UNREACHABLE_DATABASE,
            "NO_COLOR": "1",
            **env,
        }
        environ.pop("PYTHONSTARTUP", None)
        return subprocess.run(
            [sys.executable, *args],
            cwd=cwd,
            env=environ,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )

    return run


def test_help_describes_the_program_and_every_option(run, isolated_environment):
    result = run("epic_events/project.py", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("usage: epic_events")
    assert "Epic Events CRM" in out
    for flag in ("--help", "--version", "--dev", "--debug"):
        assert flag in out
    assert "EPIC_EVENTS_ENV=development" in out
    assert "setup.py" in out
    assert list(isolated_environment.iterdir()) == []  # nothing created, nothing connected


def test_every_option_of_the_program_has_its_own_help_line(run):
    out = run("epic_events/project.py", "--help").stdout
    for flag in ("--dev", "--debug", "--version"):
        [line] = [line for line in out.splitlines() if line.strip().startswith(flag)]
        assert len(line.strip()) > len(flag) + 5, f"{flag} has no help text"


def test_version_prints_the_package_version(run):
    result = run("epic_events/project.py", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Epic Events CRM {__version__}"


def test_the_package_can_be_run_as_a_module(run):
    result = run("-m", "epic_events", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Epic Events CRM {__version__}"


def test_project_py_runs_from_inside_the_package_folder(run):
    result = run("project.py", "--version", cwd=REPO / "epic_events")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Epic Events CRM {__version__}"


def test_an_unknown_option_is_refused_with_the_usage(run):
    result = run("epic_events/project.py", "--frobnicate")
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "--frobnicate" in result.stderr


def test_setup_help_exits_0_and_mentions_every_flag(run, isolated_environment):
    result = run("setup.py", "--help")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("usage: setup.py")
    for flag in ("--help", "--database-url", "--no-input", "--backup", "--keep", "--restore"):
        assert flag in out
    for flag in ("--unencrypted", "--replace-existing"):
        assert flag in out
    assert "USER_1_PW" in out
    assert "EPIC_EVENTS_BACKUP_PASSPHRASE" in out
    assert list(isolated_environment.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep", "3"], "--keep and --unencrypted go with --backup"),
        (["--restore", "x.backup", "--unencrypted"], "--keep and --unencrypted go with --backup"),
        (["--replace-existing"], "--replace-existing goes with --restore"),
        (["--backup", "--restore", "x.backup"], "cannot be used together"),
        (["--backup", "--keep", "0"], "at least 1"),
        (["--backup", "--demo"], "--demo cannot be used with"),
    ],
)
def test_setup_refuses_backup_flags_out_of_place(run, isolated_environment, args, message):
    result = run("setup.py", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert list(isolated_environment.iterdir()) == []


def test_without_a_terminal_the_program_stops_quickly_with_status_3(run, isolated_environment):
    started = time.monotonic()
    result = run("epic_events/project.py", JWT_SECRET=SECRET)
    assert time.monotonic() - started < 20
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "epic_events: this is an interactive program: run it in a terminal (see --help)."
    )
    assert list(isolated_environment.iterdir()) == []  # no log, no token store, no database


def test_as_a_module_without_a_terminal_the_status_is_also_3(run):
    result = run("-m", "epic_events", JWT_SECRET=SECRET)
    assert result.returncode == 3
    assert "interactive program" in result.stderr


def test_an_invalid_setting_stops_the_program_with_one_line_and_status_2(run):
    result = run("epic_events/project.py", EPIC_EVENTS_ENV="staging")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "epic_events: EPIC_EVENTS_ENV must be one of production, development, not 'staging'."
    ]
    assert "Traceback" not in result.stderr


def test_an_invalid_setting_in_dotenv_stops_the_program_with_one_line(run, isolated_environment):
    (isolated_environment / "settings.env").write_text("JWT_EXPIRES_HOURS=forever\n")
    result = run("epic_events/project.py")
    assert result.returncode == 2
    assert result.stderr.startswith("epic_events: JWT_EXPIRES_HOURS must be a number")
    assert "Traceback" not in result.stderr
