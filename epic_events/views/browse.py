"""Paged lists: next, previous, jump, search, sort, open one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from epic_events.errors import EpicEventsError, NotAuthenticated
from epic_events.paging import ListQuery, Page
from epic_events.validators import clean_text, parse_id
from epic_events.views.console import ask, error, success
from epic_events.views.context import AppContext
from epic_events.views.menu import run_action
from epic_events.views.text import sanitize

SEARCH_MAX = 100


def page_caption(
    page: Page, query: ListQuery | str | None, sorts: dict[str, str] | None = None
) -> Text:
    """`Page 2/7 · 131 in all · search "x" · sorted by total ↓`."""
    if not isinstance(query, ListQuery):
        query = ListQuery(search=query)
    more = "" if page.exact else "+"
    found = f"{page.total}{more} found" if query.search else f"{page.total}{more} in all"
    caption = Text(f"Page {page.number}/{page.pages}{more} · {found}")
    if query.search:
        caption.append(f' · search "{sanitize(query.search)}"')
    if sorts and query.sort in sorts:
        caption.append(f" · sorted by {sorts[query.sort]} {'↓' if query.descending else '↑'}")
    if query.include_archived:
        caption.append(" · archived rows shown")
    return caption


def related(page: Page, what: str, render: Callable[..., Table]) -> Table | Text:
    """A short list inside a detail screen: its rows, or one line when there are none."""
    if not page.items:
        return Text(f"No {what} yet.", style="dim")
    shown = f" (the latest {len(page.items)}; the lists show them all)" if not page.exact else ""
    table = render(page, None, title=f"{what.capitalize()}s{shown}")
    table.caption = None
    return table


NUMBER = {"justify": "right", "style": "cyan", "fixed": True}
RIGHT = {"justify": "right", "fixed": True}
FIXED = {"fixed": True}
TEXT_MAX = 40
TEXT_MIN = 6


class ListTable(Table):
    """A list's table, one line per row. Its columns are sized once from their cells when it
    is drawn (Rich need not measure every cell again: a third of the rendering time); when
    the terminal is too narrow, the text columns give way and the fixed ones (ids, dates,
    amounts) stay whole."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed: set[int] = set()

    def __rich_console__(self, console, options):
        self._fit(options.max_width)
        yield from super().__rich_console__(console, options)

    def _fit(self, max_width: int) -> None:
        natural = []
        for column in self.columns:
            cells = [column.header, *column._cells]
            widest = max(
                cell_len(cell.plain if isinstance(cell, Text) else str(cell)) for cell in cells
            )
            natural.append(min(widest, column.max_width or widest))
        budget = max_width - 3 * len(self.columns) - 1  # padding and borders
        widths = list(natural)
        flexible = [i for i in range(len(widths)) if i not in self.fixed]
        rigid = [i for i in sorted(self.fixed) if i != 0]  # column 0, the id, never shrinks
        for group in (flexible, rigid):  # text gives way first, then dates and amounts
            excess = sum(widths) - budget
            if excess <= 0:
                break
            shrinkable = sum(widths[i] - TEXT_MIN for i in group if widths[i] > TEXT_MIN)
            for i in group:
                if widths[i] > TEXT_MIN and shrinkable:
                    cut = -(-(widths[i] - TEXT_MIN) * excess // shrinkable)  # ceiling
                    widths[i] = max(TEXT_MIN, widths[i] - cut)
        for column, width in zip(self.columns, widths, strict=True):
            column.width = width


def list_table(title: str, caption: Text | None, columns: dict[str, dict]) -> ListTable:
    """A list's table: one line per row, long text cut with an ellipsis (the detail screen
    shows it whole)."""
    table = ListTable(title=title, caption=caption, title_justify="left")
    for index, (header, options) in enumerate(columns.items()):
        options = dict(options)
        if options.pop("fixed", False):
            table.fixed.add(index)
        wrap = options.pop("wrap", False)  # the one column of a list that must be read whole
        table.add_column(
            header,
            no_wrap=not wrap,
            overflow="fold" if wrap else "ellipsis",
            max_width=options.pop("max_width", TEXT_MAX),
            **options,
        )
    return table


def search_of(query: ListQuery | str | None) -> str | None:
    return query.search if isinstance(query, ListQuery) else query


def add_empty_row(table: Table, what: str, query: ListQuery | str | None) -> None:
    """A row saying the list is empty, and whether because of the search."""
    message = f"No {what} matches." if search_of(query) else f"No {what} yet."
    table.add_row("", Text(message, style="dim"))


def help_line(
    sorts: dict[str, str] | None,
    can_open: bool,
    archivable: bool = False,
    exportable: bool = False,
) -> str:
    parts = [
        "[bold]n[/]ext",
        "[bold]p[/]revious",
        "[bold]g[/] N go to page",
        "[bold]s[/] TEXT search",
        "[bold]c[/]lear search",
    ]
    if sorts:
        parts.append(f"[bold]o[/] {'|'.join(sorts)} sort")
    if can_open:
        parts.append("[bold]v[/] ID view")
    if archivable:
        parts.append("[bold]a[/]rchived on/off")
    if exportable:
        parts.append("[bold]x[/] export to CSV")
    parts.append("[bold]0[/] back")
    return "[dim]" + " · ".join(parts) + "[/]"


def archivable_list(
    title: str,
    *,
    fetch: Callable,
    render: Callable,
    export: Callable,
    open_one: Callable,
    sorts: dict[str, str],
    query: ListQuery | None = None,
    **filters,
):
    """A menu action browsing one archivable, exportable list with `filters`:
    `fetch(uow, user, query, **filters)` and `export(uow, user, query, path, progress=…,
    **filters)` are the list's controller functions."""

    def screen(ctx: AppContext) -> None:
        browse(
            ctx,
            lambda q: fetch(ctx.uow(), ctx.user, q, **filters),
            lambda page, q: render(page, q, title=title),
            open_one,
            sorts,
            query,
            archivable=True,
            export=lambda q, path, progress: export(
                ctx.uow(), ctx.user, q, path, progress=progress, **filters
            ),
        )

    return screen


def export_screen(ctx, export, query: ListQuery, argument: str = "") -> None:
    """Write the list as shown (all its pages) to a CSV file, with a progress bar."""
    from epic_events.views.progress import bulk_progress

    # In the home folder, never in the repository the program may be run from.
    suggested = Path.home() / f"epic-events-{datetime.now():%Y%m%d-%H%M%S}.csv"
    target = argument or ask(ctx.console, "Export to", default=str(suggested))
    path = Path(target.strip()).expanduser()
    with bulk_progress() as progress:
        rows = export(query, path, lambda done, total: progress("rows", done, total))
    success(ctx.console, f"Exported {rows} row(s) to {path}.")


def _page_number(raw: str) -> int:
    return parse_id(raw, "Page")


def clean_search(raw: str) -> str | None:
    return clean_text(raw, "Search", max_length=SEARCH_MAX, required=False) or None


def browse(
    ctx: AppContext,
    fetch: Callable[[ListQuery], Page],
    render: Callable[[Page, ListQuery], Table],
    open_one: Callable[[AppContext, int], object] | None = None,
    sorts: dict[str, str] | None = None,
    query: ListQuery | None = None,
    archivable: bool = False,
    export: Callable[[ListQuery, Path, Callable], int] | None = None,
) -> None:
    """Show `fetch`ed pages until the user goes back; every command costs one fetch."""
    query = query or ListQuery()
    console = ctx.console
    while True:
        page = fetch(query)
        query = replace(query, page=page.number)
        console.print(render(page, query))
        console.print(help_line(sorts, open_one is not None, archivable, export is not None))
        command, _, argument = console.input("[bold]List[/]: ").strip().partition(" ")
        command, argument = command.lower(), argument.strip()
        if command in ("", "0", "b", "q"):
            return
        if command == "a" and archivable:
            query = replace(query, include_archived=not query.include_archived, page=1)
            continue
        if command == "x" and export is not None:
            run_action(
                ctx,
                lambda ctx, query=query, argument=argument: export_screen(
                    ctx, export, query, argument
                ),
            )
            continue
        try:
            query = _apply(ctx, command, argument, query, page, sorts, open_one)
        except NotAuthenticated:
            raise
        except EpicEventsError as problem:
            error(console, problem.message)


def _apply(ctx, command, argument, query, page, sorts, open_one) -> ListQuery:
    console = ctx.console
    if command == "n":
        if not page.has_next:
            error(console, "This is the last page.")
            return query
        return replace(query, page=page.number + 1)
    if command == "p":
        if not page.has_previous:
            error(console, "This is the first page.")
            return query
        return replace(query, page=page.number - 1)
    if command == "g":
        target = _page_number(argument) if argument else ask(console, "Page", _page_number)
        if target > page.pages:
            if page.exact:
                error(console, f"There are only {page.pages} page(s).")
            else:
                error(console, f"Only the first {page.pages} pages can be shown: search to narrow.")
            return query
        return replace(query, page=target)
    if command == "s":
        search = clean_search(argument) if argument else ask(console, "Search for", clean_search)
        return replace(query, search=search, page=1)
    if command == "c":
        return replace(query, search=None, page=1)
    if command == "o" and sorts:
        key = argument.lower() or ask(console, f"Sort by ({', '.join(sorts)})").strip().lower()
        if key not in sorts:
            error(console, f"Sort by one of: {', '.join(sorts)}.")
            return query
        descending = not query.descending if key == query.sort else False
        return replace(query, sort=key, descending=descending, page=1)
    if command == "v" and open_one is not None:
        record_id = parse_id(argument, "Id") if argument else ask(console, "Id", parse_id)
        open_one(ctx, record_id)
        return query
    error(console, "Unknown command: see the line above the prompt.")
    return query
