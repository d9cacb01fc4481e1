"""End to end through commands: the shell script a cron job would be, on a set-up program."""

from __future__ import annotations

import json
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
