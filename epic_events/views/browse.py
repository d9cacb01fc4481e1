"""Paged lists: next, previous, jump, search, sort, open one."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from rich.cells import cell_len
from rich.table import Column, Table
from rich.text import Text

from epic_events.errors import EpicEventsError, NotAuthenticated, ValidationError
from epic_events.paging import MAX_PAGE_SIZE, ListQuery, Page
from epic_events.validators import clean_text, parse_id
from epic_events.views.console import ask, editable, error, prompt_text, success
from epic_events.views.context import AppContext
from epic_events.views.menu import KEYS_HELP, run_action
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
TEXT_READABLE = 10  # text narrower than this is left out (lower priority columns) first
STACKED_BELOW = 70  # columns: narrower terminals show each row on two lines
SELECTED = "reverse"


class ListTable(Table):
    """A list's table, one line per row, fitted to the terminal when drawn.

    Its columns are sized once from their cells (Rich need not measure every cell again: a
    third of the rendering time). When the terminal is too narrow, the columns of lowest
    priority (`drop`: the highest number goes first) are left out, then the text columns give
    way; the first column (the id), dates and amounts (`fixed`) always stay whole. Below
    STACKED_BELOW columns each row takes two lines instead. `number_rows` adds the rows'
    numbers on the page (type one to open that row) and highlights the selected row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed: set[int] = set()
        self.drop: dict[int, int] = {}  # column index -> priority (higher: left out first)
        self.numbered = 0  # the first rows numbered 1..N on screen
        self.selected: int | None = None

    def number_rows(self, count: int, selected: int | None = None) -> ListTable:
        self.numbered, self.selected = count, selected
        return self

    def __rich_console__(self, console, options):
        if options.max_width < STACKED_BELOW and self.numbered:
            yield from self._stacked(options.max_width)
            return
        yield from Table.__rich_console__(self._fitted(options.max_width), console, options)

    def _natural(self) -> list[int]:
        natural = []
        for column in self.columns:
            cells = [column.header, *column._cells]
            widest = max(
                cell_len(cell.plain if isinstance(cell, Text) else str(cell)) for cell in cells
            )
            natural.append(min(widest, column.max_width or widest))
        return natural

    def shown_columns(self, max_width: int) -> tuple[list[int], list[int]]:
        """The indexes of the columns that fit in `max_width`, and every column's width."""
        natural = self._natural()
        shown = list(range(len(self.columns)))
        numbers = len(str(self.numbered)) + 3 if self.numbered else 0

        def least(index: int) -> int:  # what a column needs to be read at a glance
            rigid = index == 0 or index in self.fixed
            return natural[index] if rigid else min(natural[index], TEXT_READABLE)

        def budget() -> int:
            return max_width - numbers - 3 * len(shown) - 1  # padding and borders

        droppable = sorted(self.drop, key=lambda index: -self.drop[index])
        while droppable and sum(least(index) for index in shown) > budget():
            shown.remove(droppable.pop(0))
        widths = list(natural)
        flexible = [i for i in shown if i != 0 and i not in self.fixed]
        excess = sum(widths[i] for i in shown) - budget()
        shrinkable = sum(widths[i] - TEXT_MIN for i in flexible if widths[i] > TEXT_MIN)
        if excess > 0 and shrinkable:
            for i in flexible:
                if widths[i] > TEXT_MIN:
                    cut = -(-(widths[i] - TEXT_MIN) * excess // shrinkable)  # ceiling
                    widths[i] = max(TEXT_MIN, widths[i] - cut)
        return shown, widths

    def _fitted(self, max_width: int) -> Table:
        shown, widths = self.shown_columns(max_width)
        table = copy(self)
        columns = [replace(self.columns[i], width=widths[i]) for i in shown]
        if self.numbered:
            cells = [str(n) for n in range(1, self.numbered + 1)]
            cells += [""] * (self.row_count - len(cells))
            columns.insert(0, Column(header="", justify="right", style="dim", _cells=cells))
        for index, column in enumerate(columns):
            column._index = index
        table.columns = columns
        if self.selected is not None and self.selected < self.row_count:
            rows = list(self.rows)
            rows[self.selected] = replace(rows[self.selected], style=SELECTED)
            table.rows = rows
        return table

    def _stacked(self, max_width: int):
        """Two lines a row: its number, id and name; then the other columns, dim."""
        if self.title:
            yield Text.from_markup(self.title) if isinstance(self.title, str) else self.title
        for row in range(self.row_count):
            cells = [self._plain(column._cells[row]) for column in self.columns]
            first = Text(f"{row + 1:>3} " if row < self.numbered else "    ", style="dim")
            first.append(f"{cells[0]}  ", style="cyan")
            first.append(cells[1] if len(cells) > 1 else "", style="bold")
            # the dates and amounts first: they are what a narrow screen must not cut
            order = sorted(range(2, len(cells)), key=lambda index: index not in self.fixed)
            rest = Text("    " + " · ".join(cells[i] for i in order if cells[i]), style="dim")
            for line in (first, rest):
                line.truncate(max_width, overflow="ellipsis")
                if row == self.selected:
                    line.stylize(SELECTED)
                yield line
        if self.caption:
            yield self.caption

    @staticmethod
    def _plain(cell) -> str:
        return cell.plain if isinstance(cell, Text) else str(cell)


def list_table(title: str, caption: Text | None, columns: dict[str, dict]) -> ListTable:
    """A list's table: one line per row, long text cut with an ellipsis (the detail screen
    shows it whole). A column's `fixed` keeps it whole, `drop` (1, 2, …) leaves it out, the
    highest first, when the terminal is too narrow."""
    table = ListTable(title=title, caption=caption, title_justify="left")
    for index, (header, options) in enumerate(columns.items()):
        options = dict(options)
        if options.pop("fixed", False):
            table.fixed.add(index)
        if "drop" in options:
            table.drop[index] = options.pop("drop")
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
    toggles: dict[str, tuple[str, Callable]] | None = None,
) -> Text:
    """The keys of a list, each followed by what it does (readable without colour)."""
    parts = []
    if can_open:
        parts.append(("1-9", "or ↑↓ Enter: open"))
    parts += [("n", "next"), ("p", "prev"), ("g N", "page"), ("s TEXT", "search")]
    parts.append(("c", "clear"))
    if sorts:
        parts.append((f"o {'|'.join(sorts)}", "sort"))
    if can_open:
        parts.append(("v ID", "open #ID"))
    parts += [(key, what) for key, (what, _) in (toggles or {}).items()]
    if archivable:
        parts.append(("a", "archived"))
    if exportable:
        parts.append(("x", "CSV"))
    parts.append(("0", "back"))
    line = Text(style="dim")
    for index, (key, what) in enumerate(parts):
        if index:
            line.append(" · ")
        line.append(key, style="bold")
        line.append(f" {what}")
    return line


def archivable_list(
    title: str,
    *,
    fetch: Callable,
    render: Callable,
    export: Callable,
    open_one: Callable,
    sorts: dict[str, str],
    query: ListQuery | None = None,
    timely: bool = False,
    **filters,
):
    """A menu action browsing one archivable, exportable list with `filters`:
    `fetch(uow, user, query, **filters)` and `export(uow, user, query, path, progress=…,
    **filters)` are the list's controller functions. `timely`: a list of events, opened on
    what comes next (the `upcoming` filter), the past one key away (`f`)."""

    def screen(ctx: AppContext) -> None:
        state = {"upcoming": True} if timely else {}

        def shown_filters() -> dict:
            return {**filters, **({"upcoming": True} if state.get("upcoming") else {})}

        def heading() -> str:
            if not timely:
                return title
            return f"{title} · from now on" if state["upcoming"] else f"{title} · past included"

        def flip() -> None:
            state["upcoming"] = not state["upcoming"]

        browse(
            ctx,
            lambda q: fetch(ctx.uow(), ctx.user, q, **shown_filters()),
            lambda page, q: render(page, q, title=heading()),
            open_one,
            sorts,
            query,
            archivable=True,
            export=lambda q, path, progress: export(
                ctx.uow(), ctx.user, q, path, progress=progress, **shown_filters()
            ),
            toggles={"f": ("past too / from now on", flip)} if timely else None,
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


# What the arrow keys (and j, k) give at a list's prompt, when nothing is typed yet.
MOVES = {"<up>": -1, "<down>": 1}
LIST_KEYS = {"up": "<up>", "down": "<down>", "k": "<up>", "j": "<down>"}
CHROME = 9  # a list screen's lines around its rows: title, header, borders, caption, prompt…


def rows_that_fit(console, query: ListQuery, help_text: Text) -> ListQuery:
    """The query with as many rows a page as the terminal shows whole with the title, the
    column headers, the caption, the keys and the prompt; the first row shown stays on
    screen. Only on a terminal: elsewhere (tests, pipes) a page keeps its size."""
    if not editable(console):
        return query
    width, height = console.size
    keys = -(-cell_len(help_text.plain) // max(1, width))
    stacked = width < STACKED_BELOW  # two lines a row, no borders
    size = (height - 4 - keys) // 2 if stacked else height - CHROME - keys
    size = max(3, min(size, MAX_PAGE_SIZE))
    if size == query.size:
        return query
    first = (query.page - 1) * query.size
    return replace(query, size=size, page=first // size + 1)


def browse(
    ctx: AppContext,
    fetch: Callable[[ListQuery], Page],
    render: Callable[[Page, ListQuery], Table],
    open_one: Callable[[AppContext, int], object] | None = None,
    sorts: dict[str, str] | None = None,
    query: ListQuery | None = None,
    archivable: bool = False,
    export: Callable[[ListQuery, Path, Callable], int] | None = None,
    toggles: dict[str, tuple[str, Callable[[], None]]] | None = None,
) -> None:
    """Show `fetch`ed pages until the user goes back; every command costs one fetch.
    `toggles`: more one-key commands (key: (what it does, what it changes)), each back to
    the first page.

    On a terminal the screen is redrawn in place, as many rows as fit; a row is opened by
    its number, or selected with the arrows (j, k) and opened with Enter. A command that is
    refused leaves the list on screen and says why under it."""
    query = query or ListQuery()
    console = ctx.console
    toggles = toggles or {}
    keys = help_line(sorts, open_one is not None, archivable, export is not None, toggles)
    selected: int | None = None
    redraw = True
    page = None
    while True:
        if redraw:
            query = rows_that_fit(console, query, keys)
            page = fetch(query)
            query = replace(query, page=page.number)
            if selected is not None:
                selected = min(selected, len(page.items) - 1) if page.items else None
            if editable(console):
                console.clear()
            table = render(page, query)
            if isinstance(table, ListTable) and open_one is not None:
                table.number_rows(len(page.items), selected)
            console.print(table)
            console.print(keys)
        redraw = True
        raw = console.input(prompt_text("List"), keys=LIST_KEYS if open_one is not None else None)
        if raw in MOVES:
            if page.items:
                step = MOVES[raw]
                start = -1 if step > 0 else len(page.items)
                selected = min(
                    max((start if selected is None else selected) + step, 0), len(page.items) - 1
                )
            continue
        command, _, argument = raw.strip().partition(" ")
        command, argument = command.lower(), argument.strip()
        if command == "" and selected is not None and open_one is not None:
            redraw = _open(ctx, open_one, page.items[selected].id)
            continue
        if command in ("", "0", "b", "q"):
            return
        if command == "?":
            console.print(KEYS_HELP)
            redraw = False
            continue
        if command.isascii() and command.isdigit() and open_one is not None and not argument:
            number = int(command)
            if 1 <= number <= len(page.items):
                selected = number - 1
                redraw = _open(ctx, open_one, page.items[selected].id)
            else:
                rows = f"1 to {len(page.items)}" if page.items else "none on this page"
                error(console, f"No row {number} on this page (rows {rows}).")
                redraw = False
            continue
        if command == "v" and open_one is not None:
            try:
                record_id = parse_id(argument, "Id") if argument else ask(console, "Id", parse_id)
            except ValidationError as problem:
                error(console, problem.message)
                redraw = False
                continue
            redraw = _open(ctx, open_one, record_id)
            continue
        if command == "a" and archivable:
            query = replace(query, include_archived=not query.include_archived, page=1)
            continue
        if command in toggles and not argument:
            toggles[command][1]()
            query, selected = replace(query, page=1), None
            continue
        if command == "x" and export is not None:
            run_action(
                ctx,
                lambda ctx, query=query, argument=argument: export_screen(
                    ctx, export, query, argument
                ),
            )
            redraw = False
            continue
        try:
            changed = _apply(ctx, command, argument, query, page, sorts)
        except NotAuthenticated:
            raise
        except EpicEventsError as problem:
            error(console, problem.message)
            changed = query
        redraw = changed != query
        if changed.page != query.page or changed.search != query.search:
            selected = None
        query = changed


def _open(ctx: AppContext, open_one: Callable[[AppContext, int], object], record_id: int) -> bool:
    """One record's screen (views/record_screens.py: it stays until the user leaves it).
    False when it could not be opened: the list stays, the reason under it."""
    try:
        open_one(ctx, record_id)
    except (KeyboardInterrupt, EOFError):
        ctx.console.print()
    except NotAuthenticated:
        raise
    except EpicEventsError as problem:
        error(ctx.console, problem.message)
        return False
    return True


def _apply(ctx, command, argument, query, page, sorts) -> ListQuery:
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
    error(console, "Unknown command: see the line above the prompt.")
    return query
