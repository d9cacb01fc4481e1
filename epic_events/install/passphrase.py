"""The backup passphrase: EPIC_EVENTS_BACKUP_PASSPHRASE for scripts, else asked on a
terminal (twice to write a backup), never read from a file of the project, never shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from epic_events.install.backup_file import BackupError
from epic_events.install.user_passwords import Prompt

VARIABLE = "EPIC_EVENTS_BACKUP_PASSPHRASE"
MIN_LENGTH = 10


@dataclass(frozen=True)
class Passphrases:
    """Where the passphrase comes from; `prompt` None means no terminal."""

    environ: Mapping[str, str]
    say: Callable[[str], None]
    prompt: Prompt | None = None

    def to_write(self) -> str:
        """The passphrase a new backup is encrypted with."""
        given = self.environ.get(VARIABLE)
        if given:
            return acceptable(given, f"{VARIABLE} is too short")
        if self.prompt is None:
            raise BackupError(
                f"No passphrase to encrypt the backup: set {VARIABLE} (or run on a terminal); "
                "--unencrypted writes it in clear."
            )
        while True:
            first = self.prompt("Passphrase for the backup (keep it safe, it cannot be reset): ")
            if len(first) < MIN_LENGTH:
                self.say(f"At least {MIN_LENGTH} characters, please.")
                continue
            if self.prompt("Same passphrase again: ") == first:
                return first
            self.say("The two passphrases differ: please type them again.")

    def to_read(self) -> str:
        """The passphrase of the backup being restored."""
        given = self.environ.get(VARIABLE)
        if given:
            return given
        if self.prompt is None:
            raise BackupError(
                f"The backup is encrypted: set {VARIABLE} to its passphrase (or run on a terminal)."
            )
        return self.prompt("Passphrase of the backup: ")


def acceptable(passphrase: str, problem: str) -> str:
    if len(passphrase) < MIN_LENGTH:
        raise BackupError(f"{problem}: at least {MIN_LENGTH} characters, please.")
    return passphrase
