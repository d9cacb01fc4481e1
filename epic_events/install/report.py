"""The installer's report: one line per step, and the count of changes made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Report:
    """`say` prints a line; `did` counts a change, `kept` a thing left as it was."""

    say: Callable[[str], None]
    changes: int = 0

    def did(self, message: str) -> None:
        self.changes += 1
        self.say(f"  + {message}")

    def kept(self, message: str) -> None:
        self.say(f"  = {message}")

    def warn(self, message: str) -> None:
        self.say(f"  ! {message}")
