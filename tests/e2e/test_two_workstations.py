"""Two workstations of one install, each a real project home running the real program: A is
the first install, B joins with nothing copied from A. Gestion on A creates a collaborator
who logs in on B; logging out on A leaves B's session alive; revoking B ends B's session in
the database (a copy of B's token store resumes nothing) and B can no longer connect."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import (
    REPO,
    SUPER_EMAIL,
    SUPER_PASSWORD,
    Program,
    base_env,
    log_in,
    quit_program,
)

pytestmark = pytest.mark.e2e

KATE = "kate@epicevents.example"
KATE_PASSWORD = "kate's own password 1"


def command(program: Program, *argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "epic_events/project.py", *argv],
        cwd=REPO,
        env=program.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def office(postgres, tmp_path):
    url = postgres.create_database("epic_two")
    first = Program(tmp_path / "a", base_env(tmp_path / "a", DATABASE_ADMIN_URL=url))
    second = Program(tmp_path / "b", base_env(tmp_path / "b", DATABASE_ADMIN_URL=url))
    first.home.mkdir()
    second.home.mkdir()
    yield url, first, second
    postgres.drop_database(url)


def rows(url: str, sql: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text(sql)).all()
    engine.dispose()
    return found


def test_two_workstations_share_one_database_and_trust_nothing_of_each_other(office):
    url, a, b = office
    made = a.setup("--name", "office-a")
    assert made.returncode == 0, made.stdout + made.stderr
    joined = b.setup("--join", "--name", "office-b")
    assert joined.returncode == 0, joined.stdout + joined.stderr
    assert "Joining the PostgreSQL server" in joined.stdout
    assert not (b.home / "data.json").exists()
    settings_a = (a.home / "settings.env").read_text()
    settings_b = (b.home / "settings.env").read_text()
    assert "_ws_office_a:" in settings_a
    assert "_ws_office_b:" in settings_b
    assert (a.home / "jwt.key").read_bytes() != (b.home / "jwt.key").read_bytes()

    # Gestion on A creates Kate (through the menu's own command layer), who logs in on B.
    assert (
        command(
            a, "login", "--email", SUPER_EMAIL, "--password-stdin", stdin=SUPER_PASSWORD
        ).returncode
        == 0
    )
    created = command(
        a,
        *("collaborators", "create", "--name", "Kate Hastroff", "--email", KATE),
        *("--phone", "+33 6 12 34 56 78", "--department", "support", "--password-stdin"),
        stdin=KATE_PASSWORD,
    )
    assert created.returncode == 0, created.stderr
    child = b.spawn()
    log_in(child, KATE, KATE_PASSWORD)  # "Logged in as", then the main menu
    assert quit_program(child) == 0
    assert command(b, "clients", "list").returncode == 0

    # Logging out on A ends A's session only.
    assert command(a, "logout").returncode == 0
    assert command(a, "clients", "list").returncode == 3
    still = command(b, "clients", "list")
    assert still.returncode == 0, still.stderr
    live = rows(url, "SELECT workstation, ended_at IS NULL FROM sessions ORDER BY id")
    assert [alive for ws, alive in live if ws.endswith("_ws_office_a")] == [False]
    assert [alive for ws, alive in live if ws.endswith("_ws_office_b")] == [True]

    # Revoking B ends B's session in the database, and B's role can no longer log in.
    store_copy = (b.home / "tokens.csv").read_bytes()
    revoked = a.setup("--revoke", "office-b")
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    reasons = rows(url, "SELECT end_reason FROM sessions WHERE workstation LIKE '%office_b'")
    assert reasons == [("workstation revoked",)]
    (b.home / "tokens.csv").write_bytes(store_copy)
    refused = command(b, "clients", "list")
    assert refused.returncode != 0
    assert "revoked" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = a.setup("--workstations")
    assert "office_b" in listed.stdout
    assert "revoked" in listed.stdout

    # A goes on: gestion logs in again there.
    child = a.spawn()
    log_in(child)
    assert quit_program(child) == 0
