"""Paged lists: next, previous, jump, search, open one."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text

from epic_events.errors import EpicEventsError, NotAuthenticated
from epic_events.managers.paging import Page
from epic_events.validators import parse_id
from epic_events.views.console import ask, error
from epic_events.views.context import AppContext
from epic_events.views.text import sanitize

HELP = (
    "[dim][bold]n[/]ext · [bold]p[/]revious · [bold]g[/] N go to page · [bold]s[/] TEXT search · "
    "[bold]c[/]lear search · [bold]v[/] ID view · [bold]0[/] back[/]"
)


def page_caption(page: Page, search: str | None) -> Text:
    found = f"{page.total} found" if search else f"{page.total} in all"
    caption = Text(f"Page {page.number}/{page.pages} · {found}")
    if search:
        caption.append(f' · search "{sanitize(search)}"')
    return caption


def _page_number(raw: str) -> int:
    return parse_id(raw, "Page")


def browse(
    ctx: AppContext,
    fetch: Callable[[int, str | None], Page],
    render: Callable[[Page, str | None], Table],
    open_one: Callable[[AppContext, int], None] | None = None,
) -> None:
    """Show `fetch`ed pages until the user goes back."""
    number, search = 1, None
    console = ctx.console
    while True:
        page = fetch(number, search)
        number = page.number
        console.print(render(page, search))
        console.print(HELP)
        raw = console.input("[bold]List[/]: ").strip()
        command, _, argument = raw.partition(" ")
        command, argument = command.lower(), argument.strip()
        if command in ("", "0", "b", "q"):
            return
        try:
            if command == "n":
                if page.has_next:
                    number += 1
                else:
                    error(console, "This is the last page.")
            elif command == "p":
                if page.has_previous:
                    number -= 1
                else:
                    error(console, "This is the first page.")
            elif command == "g":
                target = _page_number(argument) if argument else ask(console, "Page", _page_number)
                if target > page.pages:
                    error(console, f"There are only {page.pages} page(s).")
                else:
                    number = target
            elif command == "s":
                search = argument or ask(console, "Search for")
                search = search.strip() or None
                number = 1
            elif command == "c":
                search, number = None, 1
            elif command == "v" and open_one is not None:
                record_id = parse_id(argument, "Id") if argument else ask(console, "Id", parse_id)
                open_one(ctx, record_id)
            else:
                error(console, "Unknown command: use n, p, g N, s TEXT, c, v ID or 0.")
        except NotAuthenticated:
            raise
        except EpicEventsError as problem:
            error(console, problem.message)
