"""Menus as dispatch tables, and the one error boundary around every action."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from epic_events import monitoring
from epic_events.controllers.permissions import Action, can
from epic_events.errors import EpicEventsError, NotAuthenticated
from epic_events.views.console import error, warning
from epic_events.views.context import AppContext

log = logging.getLogger(__name__)

BACK = "0"


class LeaveMenu(Exception):
    """Raised by an action to close the menu it was chosen from (logout, quit)."""


@dataclass(frozen=True)
class MenuEntry:
    label: str
    handler: Callable[[AppContext], object]
    action: Action | None = None  # hidden when the user's department may not (cosmetic)


def visible_entries(ctx: AppContext, entries: list[MenuEntry]) -> list[MenuEntry]:
    return [e for e in entries if e.action is None or can(ctx.user.department, e.action)]


def render_menu(title: str | Text, entries: list[MenuEntry], back_label: str) -> Group:
    """The numbered entries under their title (markup the program wrote, or a Text)."""
    table = Table.grid(padding=(0, 2))
    for number, entry in enumerate(entries, start=1):
        table.add_row(f"[bold cyan]{number}[/]", entry.label)
    table.add_row(f"[bold cyan]{BACK}[/]", back_label)
    heading = Text.from_markup(title) if isinstance(title, str) else title
    return Group(Rule(heading, align="left", style="cyan"), table)


def run_menu(
    ctx: AppContext,
    title: str | Callable[[], str | Text],
    entries: list[MenuEntry],
    back_label: str = "Back",
) -> None:
    """Show the menu until the user goes back (0, Enter on nothing twice, or Ctrl-D)."""
    while True:
        shown = visible_entries(ctx, entries)
        heading = title() if callable(title) else title
        ctx.console.print()
        ctx.console.print(render_menu(heading, shown, back_label))
        try:
            choice = ctx.console.input("[bold]Choice[/]: ").strip()
        except EOFError:
            ctx.console.print()
            return
        except KeyboardInterrupt:
            ctx.console.print()
            continue
        if choice in (BACK, "q", "b"):
            return
        if not choice:
            continue
        if not (choice.isascii() and choice.isdigit()) or not 1 <= int(choice) <= len(shown):
            error(ctx.console, f"Please type a number between 0 and {len(shown)}.")
            continue
        try:
            run_action(ctx, shown[int(choice) - 1].handler)
        except LeaveMenu:
            return


def run_action(ctx: AppContext, handler: Callable[[AppContext], object]) -> None:
    """The error boundary: one short line for what is expected, a report for the rest."""
    try:
        handler(ctx)
    except (KeyboardInterrupt, EOFError):
        ctx.console.print()
        warning(ctx.console, "Cancelled: nothing was changed.")
    except NotAuthenticated:
        raise
    except EpicEventsError as problem:
        error(ctx.console, problem.message)
    except LeaveMenu:
        raise
    except Exception as problem:
        report_unexpected(ctx, problem)


def report_unexpected(ctx: AppContext, problem: BaseException) -> None:
    log.error("unexpected error", exc_info=problem)
    event_id = monitoring.capture_exception(problem)
    reference = f" (reference {event_id})" if event_id else ""
    error(
        ctx.console,
        f"Sorry, something unexpected went wrong{reference}. It was logged; "
        "please try again or tell the team.",
    )
    if ctx.settings.debug:
        ctx.console.print_exception(show_locals=False)
