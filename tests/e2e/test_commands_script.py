"""End to end through commands: the shell script a cron job would be, on a set-up program."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.e2e.conftest import REPO, SUPER_EMAIL, SUPER_PASSWORD


def test_a_day_of_work_through_commands_in_a_shell_script(program):
    result = subprocess.run(
        ["sh", str(REPO / "tests" / "e2e" / "commands_day.sh"), SUPER_EMAIL],
        cwd=REPO,
        env={**program.env, "PYTHON": sys.executable, "GESTION_PASSWORD": SUPER_PASSWORD},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [event] = [
        row for row in json.loads(result.stdout) if row["name"] == "Kevin Casey Launch Party"
    ]
    assert event["client_name"] == "Kevin Casey"
    assert event["support_name"] == "Kate Hastroff"
    assert event["attendees"] == 75
    assert event["start_at"].startswith("2031-06-04T13:00:00")
    assert "Logged in as" in result.stderr


def _crm(program, *args: str, **streams) -> subprocess.CompletedProcess:
    """One command of the real program; `streams` as subprocess.run's (stdin, stdout…)."""
    streams.setdefault("stdin", subprocess.DEVNULL)
    streams.setdefault("stdout", subprocess.PIPE)
    streams.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "epic_events/project.py", *args],
        cwd=REPO,
        env=program.env,
        timeout=60,
        check=False,
        **streams,
    )


def _unexpected_errors_logged(program) -> int:
    return sum(
        path.read_text(encoding="utf-8").count("unexpected error")
        for path in program.home.rglob("epic_events.log")
    )


def test_closed_or_failing_standard_streams_are_said_in_one_line_not_taken_for_bugs(program):
    """`<&-`, `>&-` and `> /dev/full` are the system's doing: one line, never a traceback,
    nothing logged as unexpected (nor sent to Sentry)."""
    login = _crm(program, "login", "--email", SUPER_EMAIL, "--password-stdin",
                 input=(SUPER_PASSWORD + "\n").encode(), stdin=None)  # fmt: skip
    assert login.returncode == 0, login.stderr
    closed_stdin = _crm(program, "login", "--email", SUPER_EMAIL, "--password-stdin",
                        pass_fds=(), preexec_fn=lambda: os.close(0))  # fmt: skip
    assert closed_stdin.returncode == 2, closed_stdin.stderr
    assert closed_stdin.stderr.decode().strip() == (
        "epic_events: Password is required: standard input is closed."
    )
    closed_stdout = _crm(program, "collaborators", "list", "--format", "json",
                         preexec_fn=lambda: os.close(1))  # fmt: skip
    assert closed_stdout.returncode == 1
    assert closed_stdout.stderr.decode().strip() == (
        "epic_events: cannot write standard output: it is closed"
    )
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            result = _crm(program, "collaborators", "list", "--format", "csv", stdout=full)
        assert result.returncode == 1
        assert result.stderr.decode().strip() == (
            "epic_events: cannot write standard output: No space left on device"
        )
    assert _unexpected_errors_logged(program) == 0


def test_a_reader_gone_is_status_141_whatever_the_format(program):
    """`… | head -1`: the same status for every format (a pipe whose reader has gone)."""
    login = _crm(program, "login", "--email", SUPER_EMAIL, "--password-stdin",
                 input=(SUPER_PASSWORD + "\n").encode(), stdin=None)  # fmt: skip
    assert login.returncode == 0, login.stderr
    statuses = {}
    for fmt in ("json", "csv", "table"):
        for paging in ((), ("--all",)):
            reading, writing = os.pipe()
            os.close(reading)  # the reader has gone before the first byte
            try:
                result = _crm(program, "collaborators", "list", *paging, "--format", fmt,
                              stdout=writing)  # fmt: skip
            finally:
                os.close(writing)
            statuses[fmt, paging] = (result.returncode, result.stderr.decode())
    assert set(statuses.values()) == {(141, "")}, statuses
    assert _unexpected_errors_logged(program) == 0
