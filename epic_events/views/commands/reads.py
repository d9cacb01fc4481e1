"""Reading commands: `list`, `show` and `history` of the four lists, `activity`, `dashboard`.

The same controllers as the menu's screens, the same renderers for `--format table`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from epic_events.controllers import (
    audit,
    clients,
    collaborators,
    contracts,
    events,
    exports,
    streams,
)
from epic_events.paging import DEFAULT_PAGE_SIZE, ListQuery, Page
from epic_events.read_models import ClientRow, CollaboratorRow, ContractRow, EventRow, HistoryLine
from epic_events.views.commands.output import (
    first_and_rest,
    stdout_text,
    write_csv_rows,
    write_json_lines,
    write_json_list,
    write_json_object,
)
from epic_events.views.commands.session import say
from epic_events.views.context import AppContext
from epic_events.views.history import LATEST_FIRST, render_history
from epic_events.views.renderers import (
    render_client,
    render_clients,
    render_collaborator,
    render_collaborators,
    render_contract,
    render_contracts,
    render_event,
    render_events,
)

TABLE_CHUNK = 100  # rows per table when a whole list is printed (--all --format table)


@dataclass(frozen=True)
class ListCommand:
    """One list: its controllers (a page, every row streamed, the export) and its look.

    `filters` maps a command's filter name to the controllers' keyword."""

    title: str
    kind: type
    fetch: Callable[..., Page]
    stream: Callable[..., Iterable]
    json: Callable[..., Iterable[str]]
    export: Callable[..., int]
    render: Callable
    default_sort: str | None = None
    filters: dict[str, str] = field(default_factory=dict)


LISTS = {
    "clients": ListCommand(
        "Clients",
        ClientRow,
        clients.list_clients,
        streams.stream_clients,
        streams.json_clients,
        exports.export_clients,
        render_clients,
        filters={"mine": "mine"},
    ),
    "contracts": ListCommand(
        "Contracts",
        ContractRow,
        contracts.list_contracts,
        streams.stream_contracts,
        streams.json_contracts,
        exports.export_contracts,
        render_contracts,
        filters={"unsigned": "unsigned", "unpaid": "unpaid"},
    ),
    "events": ListCommand(
        "Events",
        EventRow,
        events.list_events,
        streams.stream_events,
        streams.json_events,
        exports.export_events,
        render_events,
        default_sort="start",
        filters={"upcoming": "upcoming", "without-support": "without_support", "mine": "mine"},
    ),
    "collaborators": ListCommand(
        "Collaborators",
        CollaboratorRow,
        collaborators.list_collaborators,
        streams.stream_collaborators,
        streams.json_collaborators,
        exports.export_collaborators,
        render_collaborators,
    ),
}


def list_query(args, default_sort: str | None = None) -> ListQuery:
    return ListQuery(
        page=args.page,
        size=DEFAULT_PAGE_SIZE,
        search=args.search,
        sort=getattr(args, "sort", None) or default_sort,
        descending=getattr(args, "desc", False),
        include_archived=getattr(args, "archived", False),
        clamped=False,
    )


def list_records(ctx: AppContext, args) -> None:
    """`ENTITY list`: one page, or every row streamed (`--all`)."""
    spec = LISTS[args.action[0]]
    chosen = list(dict.fromkeys(args.filter or [])) if hasattr(args, "filter") else []
    filters = {spec.filters[name]: True for name in chosen}
    title = spec.title + "".join(f" ({name})" for name in chosen)
    query = list_query(args, spec.default_sort)
    if args.all and args.format == "csv":  # PostgreSQL writes it, as the export does
        with stdout_text(bom=True) as out:
            spec.export(ctx.uow(), ctx.user, query, out, **filters)
        return
    if args.all and args.format == "json":  # PostgreSQL writes the objects
        _, lines = first_and_rest(spec.json(ctx.uow(), ctx.user, query, **filters))
        write_json_lines(lines)
        return
    if args.all:
        rows = spec.stream(ctx.uow(), ctx.user, query, **filters)
        _write_rows(ctx, args.format, spec.kind, rows, lambda page: spec.render(page, None, title))
        return
    page = spec.fetch(ctx.uow(), ctx.user, query, **filters)
    _write_page(ctx, args.format, spec.kind, page, spec.render(page, query, title))


def past_the_last(page: Page) -> bool:
    """An empty page after the first: a script paging on has read everything."""
    return not page.items and page.number > 1


def _write_page(ctx: AppContext, fmt: str, kind: type, page: Page, table) -> None:
    """One page; past the last, an empty result (`[]` in JSON) and a note on standard error,
    so that a script asking for the next page until an empty one stops."""
    if past_the_last(page):
        last = f"{page.pages}+" if not page.exact else str(page.pages)
        say(f"page {page.number} is past the last page ({last}): nothing to show.")
        if fmt == "json":
            write_json_list([])
        return
    if fmt == "json":
        write_json_list(page.items)
    elif fmt == "csv":
        write_csv_rows(kind, page.items)
    else:
        ctx.console.print(table)


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _write_rows(ctx: AppContext, fmt: str, kind: type, rows: Iterable, render) -> None:
    """Every row as it comes: JSON and CSV line by line, a table every TABLE_CHUNK rows."""
    first, rows = first_and_rest(rows)  # the rights are checked before a byte is written
    if fmt == "json":
        write_json_list(rows)
    elif fmt == "csv":
        write_csv_rows(kind, rows)
    elif first is None:
        ctx.console.print(render(Page(items=[], number=1, size=1, total=0)))
    else:
        for number, chunk in enumerate(_chunks(rows, TABLE_CHUNK)):
            table = render(Page(items=chunk, number=1, size=len(chunk), total=len(chunk)))
            table.caption = None
            if number:
                table.title = None
                table.show_header = False
            ctx.console.print(table)


def show_record(ctx: AppContext, entity: str, record_id: int, fmt: str) -> None:
    """`ENTITY show ID`: the record's screen as a table, or the record as JSON or CSV."""
    uow, user = ctx.uow(), ctx.user
    if entity == "clients":
        detail = clients.get_client(uow, user, record_id)
        row, table = detail.client, render_client(detail)
    elif entity == "contracts":
        detail = contracts.get_contract(uow, user, record_id)
        row, table = detail.contract, render_contract(detail)
    elif entity == "events":
        row = events.get_event(uow, user, record_id)
        table = render_event(row)
    else:
        row = collaborators.get_collaborator(uow, user, record_id)
        table = render_collaborator(row)
    write_record(ctx, fmt, row, table)


def write_record(ctx: AppContext, fmt: str, row, table) -> None:
    if fmt == "json":
        write_json_object(row)
    elif fmt == "csv":
        write_csv_rows(type(row), [row])
    else:
        ctx.console.print(table)


def show(ctx: AppContext, args) -> None:
    show_record(ctx, args.action[0], args.id, args.format)


def _write_history(ctx: AppContext, args, fetch, stream, title: str) -> None:
    """A page of history, or all of it streamed (`--all`: one statement, no count)."""
    query = ListQuery(
        page=args.page,
        search=getattr(args, "search", None),
        sort=LATEST_FIRST.sort,
        descending=True,
        clamped=False,
    )
    if args.all:
        rows = stream(query)
        _write_rows(
            ctx, args.format, HistoryLine, rows, lambda page: render_history(page, None, title)
        )
        return
    page = fetch(query)
    _write_page(ctx, args.format, HistoryLine, page, render_history(page, query, title))


def history(ctx: AppContext, args) -> None:
    """`ENTITY history ID`: latest first."""
    entity = args.action[0].removesuffix("s")
    _write_history(
        ctx,
        args,
        lambda query: audit.history(ctx.uow(), ctx.user, entity, args.id, query),
        lambda query: audit.stream_history(ctx.uow(), ctx.user, entity, args.id, query),
        f"History of {entity} #{args.id}",
    )


def activity(ctx: AppContext, args) -> None:
    """`activity`: everything that changed, latest first (gestion)."""
    _write_history(
        ctx,
        args,
        lambda query: audit.recent_activity(ctx.uow(), ctx.user, query),
        lambda query: audit.stream_activity(ctx.uow(), ctx.user, query),
        "Recent activity",
    )


def list_sessions(ctx: AppContext, args) -> None:
    """`sessions list`: every live session (gestion), as the menu's screen shows them."""
    from epic_events.controllers import sessions
    from epic_events.read_models import SessionRow
    from epic_events.views.commands.output import write_csv_rows, write_json_list
    from epic_events.views.sessions import render_sessions

    rows = sessions.list_sessions(ctx.uow(), ctx.user)
    if args.format == "json":
        write_json_list(rows)
    elif args.format == "csv":
        write_csv_rows(SessionRow, rows)
    else:
        ctx.console.print(render_sessions(rows, with_ids=True))


def dashboard(ctx: AppContext, args) -> None:
    from epic_events.views.dashboard import show_dashboard

    show_dashboard(ctx)
