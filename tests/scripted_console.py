"""A console for testing forms: prompts answered from a script, everything shown recorded."""

from __future__ import annotations

import io

from rich.console import Console


class ScriptedConsole(Console):
    """A recording console whose prompts are answered from a script; EOF once it runs out."""

    def __init__(self, answers: list[str]):
        super().__init__(record=True, width=120, file=io.StringIO())
        self.answers = list(answers)
        self.prompts: list[tuple[str, bool]] = []

    def input(self, prompt="", *, password: bool = False, **_) -> str:
        self.print(prompt, end="")
        self.prompts.append((str(prompt), password))
        if not self.answers:
            raise EOFError
        answer = self.answers.pop(0)
        self.print("" if password else answer)
        return answer
