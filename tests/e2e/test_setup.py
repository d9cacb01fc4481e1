"""setup.py on a terminal: the super user's password asked twice, never echoed."""

import shlex
import subprocess
import sys

import pexpect
import pytest

from tests.e2e.conftest import REPO, Program, base_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def fresh_database(postgres):
    url = postgres.create_database("epic_setup_tty")
    yield url
    postgres.drop_database(url)


def spawn_setup(home, url):
    env = base_env(home, DATABASE_ADMIN_URL=url)
    del env["USER_1_PW"]
    return pexpect.spawn(
        sys.executable, ["setup.py"], cwd=str(REPO), env=env, encoding="utf-8", timeout=60
    )


def test_setup_asks_the_super_user_password_twice_without_echo(
    isolated_environment, fresh_database
):
    child = spawn_setup(isolated_environment, fresh_database)
    child.expect("Password for the super user admin@epicevents.example")
    child.sendline("short")
    child.expect("at least 8 characters")
    child.expect("Password for the super user")
    child.sendline("first secret password")
    child.expect("Same password again")
    child.sendline("another secret password")
    child.expect("The two passwords differ")
    child.expect("Password for the super user")
    child.sendline("first secret password")
    child.expect("Same password again")
    child.sendline("first secret password")
    child.expect("super user admin@epicevents.example")
    child.expect("Done")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "secret password" not in child.before
    assert (
        "USER_1_PW"
        not in (isolated_environment / "settings.env").read_text().split("USER_1_PW=")[-1][:1]
    )


def test_ctrl_d_at_the_setup_prompt_cancels_cleanly(isolated_environment, fresh_database):
    child = spawn_setup(isolated_environment, fresh_database)
    child.expect("Password for the super user")
    child.sendeof()
    child.expect("cancelled")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before


def test_setups_last_line_is_the_command_that_really_starts_the_program(
    isolated_environment, fresh_database
):
    program = Program(
        isolated_environment, base_env(isolated_environment, DATABASE_ADMIN_URL=fresh_database)
    )
    last = program.setup().stdout.strip().splitlines()[-1]
    command = last.split("Start the program with: ", 1)[1]
    assert command.endswith(" epic_events/project.py")
    started = subprocess.run(  # no pipenv here: the interpreter setup ran with
        [*shlex.split(command), "--version"],
        cwd=REPO,
        env=program.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    assert "Traceback" not in started.stderr
