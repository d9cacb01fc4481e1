"""The seed users' passwords: USER_<n>_PW, else for the super user a typed or generated one.

The prompt is given (getpass.getpass on a terminal, a lambda in tests), never called here
by name, so nothing in the installer reads a terminal on its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from epic_events.config import read_env_file
from epic_events.errors import ConfigurationError, ValidationError
from epic_events.install.files import set_env_value
from epic_events.install.report import Report
from epic_events.seed_file import SeedUser
from epic_events.validators import validate_password

Prompt = Callable[[str], str]  # shows a question, returns what was typed (as getpass.getpass)


@dataclass(frozen=True)
class UserPasswords:
    """Where each user's password comes from; call it with the user's number in data.json."""

    env_file: Path
    environ: Mapping[str, str]
    report: Report
    prompt: Prompt | None = None  # None: no terminal, the super user's password is generated

    def __call__(self, number: int, user: SeedUser) -> str | None:
        """The password of user `number`, or None when they are to be skipped."""
        key = f"USER_{number}_PW"
        value = self.environ.get(key) or read_env_file(self.env_file).get(key)
        if value:
            return acceptable(key, value)
        if number > 1:
            return None
        if self.prompt is not None:
            return ask_password(user, self.prompt, self.report.say)
        return self.generate(key, user)

    def generate(self, key: str, user: SeedUser) -> str:
        generated = secrets.token_urlsafe(18)
        set_env_value(self.env_file, key, generated)
        self.report.warn(
            f"generated a password for the super user {user.email}: {generated}\n"
            f"    It is shown once and kept in {self.env_file} as {key}."
        )
        return generated


def acceptable(key: str, value: str) -> str:
    try:
        return validate_password(value)
    except ValidationError as problem:
        raise ConfigurationError(f"{key} is not an acceptable password: {problem}") from None


def ask_password(user: SeedUser, prompt: Prompt, say: Callable[[str], None]) -> str:
    """Ask until an acceptable password is typed twice the same."""
    while True:
        first = prompt(f"Password for the super user {user.email}: ")
        try:
            validate_password(first)
        except ValidationError as problem:
            say(str(problem))
            continue
        if prompt("Same password again: ") == first:
            return first
        say("The two passwords differ: please type them again.")
