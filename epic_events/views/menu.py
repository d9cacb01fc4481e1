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
from epic_events.views.console import editable, error, info, warning
from epic_events.views.context import AppContext

log = logging.getLogger(__name__)

BACK = "0"
KEYS_HELP = Text.from_markup(
    "[bold]Menus[/]: the number of an entry, then Enter; [bold]0[/] goes back (quits at the "
    "main menu), as Ctrl-D does. An entry keeps its number in every department.\n"
    "[bold]Forms[/]: type part of a name to pick a record (↑↓ and Enter take a match, an id "
    "works too); a field being edited shows its value: change it, Enter keeps it; Ctrl-C "
    "cancels the form, nothing is changed.\n"
    "[bold]Lists[/]: a row's number (or ↑↓ / j k, then Enter) opens it; n p next/previous "
    "page, g N page N, s TEXT search, c clear, o COLUMN sort, a archived, x CSV, 0 back.\n"
    "[bold]A record[/]: the keys under it act on it (e edit, s sign/support, t note, "
    "h history, a archive, u restore…); 0 or Enter goes back."
)


class LeaveMenu(Exception):
    """Raised by an action to close the menu it was chosen from (logout, quit)."""


@dataclass(frozen=True)
class MenuEntry:
    label: str
    handler: Callable[[AppContext], object]
    action: Action | None = None  # hidden when the user's department may not (cosmetic)


def visible_entries(ctx: AppContext, entries: list[MenuEntry]) -> list[tuple[int, MenuEntry]]:
    """The entries the user's department may use, each with its number in the whole menu:
    an action has the same number in every department (hidden ones leave a gap)."""
    return [
        (number, entry)
        for number, entry in enumerate(entries, start=1)
        if entry.action is None or can(ctx.user.department, entry.action)
    ]


def render_menu(
    title: str | Text, entries: list[MenuEntry] | list[tuple[int, MenuEntry]], back_label: str
) -> Group:
    """The numbered entries under their title (markup the program wrote, or a Text)."""
    table = Table.grid(padding=(0, 2))
    numbered = [
        item if isinstance(item, tuple) else (number, item)
        for number, item in enumerate(entries, start=1)
    ]
    for number, entry in numbered:
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
    """Show the menu until the user goes back (0, or Ctrl-D); `?` explains the keys.

    On a terminal the menu is drawn below what led to it (the dashboard after a login, the
    menu it was chosen from), then redrawn in place after each action, with the action's
    messages under it."""
    console = ctx.console
    first = True
    while True:
        try:
            shown = dict(visible_entries(ctx, entries))
            heading = title() if callable(title) else title
            notices = list(getattr(console, "notices", []))
            if editable(console) and not first:
                console.clear()
            else:
                console.print()
            console.print(render_menu(heading, list(shown.items()), back_label))
            if editable(console) and not first:
                for notice in notices:
                    console.print(notice)
            if hasattr(console, "notices"):
                console.notices.clear()
            first = False
            choice = ctx.console.input("[bold]Choice[/]: ").strip()
        except EOFError:
            ctx.console.print()
            return
        except KeyboardInterrupt:
            ctx.console.print()
            info(ctx.console, f"Ctrl-C cancels a form. To {back_label.lower()}: 0 or Ctrl-D.")
            continue
        if choice in (BACK, "q", "b"):
            return
        if not choice:
            continue
        if choice == "?":
            ctx.console.print(KEYS_HELP)
            if hasattr(console, "notices"):
                console.notices.append(KEYS_HELP)  # still there once the menu is redrawn
            continue
        if not (choice.isascii() and choice.isdigit()) or int(choice) not in shown:
            numbers = ", ".join(str(number) for number in shown)
            error(ctx.console, f"Please type one of the numbers shown ({numbers}, or 0); ? helps.")
            continue
        try:
            run_action(ctx, shown[int(choice)].handler)
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
