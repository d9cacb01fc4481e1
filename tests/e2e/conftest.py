"""End-to-end fixtures: the real program, its real installer, a real pseudo-terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from epic_events.auth.token_store import TokenStore

REPO = Path(__file__).resolve().parents[2]
SUPER_EMAIL = "admin@epicevents.example"
SUPER_PASSWORD = "super user password"


CLEAR = "\x15"  # Ctrl-U: erases the line, as before typing over a prefilled value
PROMPT_DONE = "\x1b[?2004l"  # prompt_toolkit ends bracketed paste when a prompt is answered


def picker(label: str) -> str:
    """What to expect for a picker's field `label` (its prompt has styled parts)."""
    return rf"{re.escape(label)}(\x1b\[[\d;]*m)* \(part of a name"


class Terminal(pexpect.spawn):
    """The program's pseudo-terminal. Its prompts are prompt_toolkit's, which repaint the
    prompt as the answer is typed and once more when it is taken: `sendline` waits until the
    answer was taken, so that the next `expect("Choice")` sees the next prompt, not the
    repaint of this one. `send_unread` types without waiting (keys the program may drop)."""

    def sendline(self, s: str = "") -> int:
        written = super().sendline(s)
        self.expect_exact(PROMPT_DONE)
        return written

    def send_unread(self, s: str) -> int:
        return super().send(s)


class Program:
    """Runs setup.py and the CRM for one temporary project home."""

    def __init__(self, home: Path, env: dict[str, str]):
        self.home = home
        self.env = env

    def setup(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "setup.py", *args],
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def spawn(
        self, *args: str, env: dict[str, str] | None = None, dimensions=(50, 140)
    ) -> Terminal:
        return Terminal(
            sys.executable,
            ["epic_events/project.py", *args],
            cwd=str(REPO),
            env={**self.env, **(env or {})},
            encoding="utf-8",
            timeout=30,
            dimensions=dimensions,
        )

    @property
    def token_store(self) -> TokenStore:
        return TokenStore(self.home / "tokens.csv", self.home / "jwt.key")


def base_env(home: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME")}
    return {
        **keep,
        "EPIC_EVENTS_HOME": str(home),
        "USER_1_PW": SUPER_PASSWORD,
        "NO_COLOR": "1",
        "TERM": "xterm",
        "PYTHONWARNINGS": "ignore",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # pexpect answers no cursor-position request
        **extra,
    }


@pytest.fixture
def program(isolated_environment, postgres):
    """A set-up program on a fresh database of the test server."""
    url = postgres.create_database("epic_e2e")
    program = Program(isolated_environment, base_env(isolated_environment, DATABASE_ADMIN_URL=url))
    result = program.setup()
    assert result.returncode == 0, result.stdout + result.stderr
    yield program
    postgres.drop_database(url)


def log_in(child: pexpect.spawn, email: str = SUPER_EMAIL, password: str = SUPER_PASSWORD) -> None:
    child.expect("Email")
    child.sendline(email)
    child.expect("Password")
    child.sendline(password)
    child.expect("Logged in as")
    child.expect("Choice")


def choose(child: pexpect.spawn, number: str, expect: str = "Choice") -> None:
    child.sendline(number)
    child.expect(expect)


def menu_number(child: pexpect.spawn, label: str) -> str:
    """The number of the entry `label` in the menu just shown (up to the last prompt)."""
    screen = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    found = re.findall(rf"(\d+)\s+{re.escape(label)}", screen)
    assert found, f"no menu entry {label!r} in:\n{child.before}"
    return found[-1]


def pick(child: pexpect.spawn, label: str, expect: str = "Choice") -> None:
    """Choose the menu entry named `label` (the menu's prompt already seen)."""
    child.sendline(menu_number(child, label))
    child.expect(expect)


def quit_program(child: pexpect.spawn) -> int:
    """Choose Quit at the main menu (its prompt already shown) and wait for the exit."""
    child.sendline("0")
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus
