"""The console and the small prompts every screen uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.console import Console
from rich.text import Text

from epic_events.errors import ValidationError
from epic_events.views.text import sanitize

T = TypeVar("T")


def make_console(**options) -> Console:
    """The program's console; Rich itself honours NO_COLOR and a dumb TERM."""
    return Console(highlight=False, emoji=False, **options)


def _line(console: Console, mark: str, style: str, message: str) -> None:
    line = Text.assemble((mark, f"bold {style}"), (sanitize(message), style))
    console.print(line)
    notices = getattr(console, "notices", None)
    if notices is not None:  # a terminal's: shown again under the menu redrawn after it
        notices.append(line)


def pause(console: Console, where: str = "the menu") -> None:
    """On a terminal, keep what was just shown until the user has read it (the next screen
    is drawn in place of it)."""
    if editable(console):
        console.input(prompt_text(f"Enter: back to {where}", end=" "))


def error(console: Console, message: str) -> None:
    _line(console, "✗ ", "red", message)


def success(console: Console, message: str) -> None:
    _line(console, "✓ ", "green", message)


def info(console: Console, message: str) -> None:
    _line(console, "", "cyan", message)


def warning(console: Console, message: str) -> None:
    _line(console, "! ", "yellow", message)


def prompt_text(label: str | Text, hint: str | None = None, end: str = ": ") -> Text:
    """A prompt: `label` (program markup or Text), then an untrusted `hint`, shown dim."""
    text = Text.from_markup(f"[bold]{label}[/]") if isinstance(label, str) else label.copy()
    if hint:
        text.append(f" {sanitize(hint)}", style="dim")
    text.append(end)
    return text


def ask(
    console: Console,
    label: str,
    validate: Callable[[str], T] | None = None,
    *,
    default: str | None = None,
    password: bool = False,
    hint: str | None = None,
    **editing,
) -> T | str:
    """Ask until the answer passes `validate`; Enter keeps `default` when there is one.

    `editing` goes to a terminal's line editor (views/terminal.py): `prefill` (an editable
    value already typed), `history` (whose earlier answers Up recalls), `completer`.
    Ctrl-C (KeyboardInterrupt) and Ctrl-D (EOFError) propagate: they cancel the form.
    """
    if hint is None and default not in (None, ""):
        hint = f"[{default}]"
    editing = {name: value for name, value in editing.items() if value}
    while True:
        raw = console.input(prompt_text(label, hint), password=password, **editing)
        if raw.strip() == "" and default is not None:
            raw = default
        try:
            return validate(raw) if validate else raw
        except ValidationError as problem:
            error(console, problem.message)


def ask_optional(
    console: Console, label: str, validate: Callable[[str], T], current: str
) -> T | None:
    """Ask for a new value, `current` already typed in the field to edit; Enter on it (or on
    an emptied field, or the same value) keeps `current` and returns None."""
    hint = f"(Enter keeps {current})" if not editable(console) else "(edit; Enter keeps it)"
    value = ask(
        console,
        label,
        lambda raw: validate(raw) if raw.strip() else None,
        hint=hint,
        prefill=str(current),
    )
    if value is None or value == current:
        return None
    try:
        return None if value == validate(str(current)) else value
    except ValidationError:  # a current value today's rules refuse: the new one is a change
        return value


def editable(console: Console) -> bool:
    """True when the console's prompts are a line editor (prefill, history, completion)."""
    return getattr(console, "line_editor", False)


def confirm(console: Console, question: str | Text, *, default: bool = False) -> bool:
    """Yes or no; anything else re-prompts. Ctrl-C or Ctrl-D mean no."""
    choices = "[Y/n]" if default else "[y/N]"
    while True:
        try:
            raw = console.input(prompt_text(question, choices, end=" ")).strip().lower()
        except (KeyboardInterrupt, EOFError):
            console.print()
            return False
        if not raw:
            return default
        if raw in ("y", "yes", "o", "oui"):
            return True
        if raw in ("n", "no", "non"):
            return False
        error(console, "Please answer y (yes) or n (no).")
