"""The console and the small prompts every screen uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.console import Console

from epic_events.errors import ValidationError
from epic_events.views.text import markup_safe

T = TypeVar("T")


def make_console(**options) -> Console:
    """The program's console; Rich itself honours NO_COLOR and a dumb TERM."""
    return Console(highlight=False, **options)


def error(console: Console, message: str) -> None:
    console.print(f"[bold red]✗[/] [red]{markup_safe(message)}[/]")


def success(console: Console, message: str) -> None:
    console.print(f"[bold green]✓[/] [green]{markup_safe(message)}[/]")


def info(console: Console, message: str) -> None:
    console.print(f"[cyan]{markup_safe(message)}[/]")


def warning(console: Console, message: str) -> None:
    console.print(f"[bold yellow]![/] [yellow]{markup_safe(message)}[/]")


def ask(
    console: Console,
    label: str,
    validate: Callable[[str], T] | None = None,
    *,
    default: str | None = None,
    password: bool = False,
) -> T | str:
    """Ask until the answer passes `validate`; Enter keeps `default` when there is one.

    Ctrl-C (KeyboardInterrupt) and Ctrl-D (EOFError) propagate: they cancel the form.
    """
    hint = f" [dim]\\[{markup_safe(default)}][/]" if default not in (None, "") else ""
    while True:
        raw = console.input(f"[bold]{label}[/]{hint}: ", password=password)
        if raw.strip() == "" and default is not None:
            raw = default
        try:
            return validate(raw) if validate else raw
        except ValidationError as problem:
            error(console, problem.message)


def ask_optional(
    console: Console, label: str, validate: Callable[[str], T], current: str
) -> T | None:
    """Ask for a new value; Enter (or the same value) keeps `current` and returns None."""
    prompt = f"{label} [dim](Enter keeps {markup_safe(current)})[/]"
    value = ask(console, prompt, lambda raw: validate(raw) if raw.strip() else None)
    return None if value is None or value == current else value


def confirm(console: Console, question: str, *, default: bool = False) -> bool:
    """Yes or no; anything else re-prompts. Ctrl-C or Ctrl-D mean no."""
    choices = "[Y/n]" if default else "[y/N]"
    while True:
        try:
            raw = console.input(f"[bold]{question}[/] {markup_safe(choices)} ").strip().lower()
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
