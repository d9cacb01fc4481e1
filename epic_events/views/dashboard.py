"""The dashboard shown right after login: figures on top, then the next few items."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from epic_events.controllers import dashboard as controller
from epic_events.controllers.dashboard import (
    WITHOUT_SUPPORT_DAYS,
    ContractLine,
    Dashboard,
    EventLine,
    Figure,
    Tally,
)
from epic_events.controllers.permissions import DEPARTMENT_LABELS
from epic_events.departments import DepartmentName
from epic_events.views.browse import FIXED, NUMBER, RIGHT, list_table
from epic_events.views.console import pause
from epic_events.views.context import AppContext
from epic_events.views.text import EMPTY, format_datetime, format_money, literal


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _figures(rows: list[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(style="cyan")
    for label, value in rows:
        grid.add_row(label, Text(value))
    return grid


def _title(what: str, figure: Figure) -> str:
    if figure.more:
        return f"{what} ({len(figure.items)} of {figure.count})"
    return what


def _empty(message: str) -> Text:
    return Text(message, style="dim")


def _contracts(title: str, figure: Figure[ContractLine], empty: str) -> RenderableType:
    if not figure.items:
        return _empty(empty)
    table = list_table(
        _title(title, figure),
        None,
        {"#": NUMBER, "Client": {}, "Total": RIGHT, "Created": FIXED},
    )
    for line in figure.items:
        table.add_row(
            str(line.id),
            literal(line.client_name),
            format_money(line.total_amount),
            literal(format_datetime(line.created_at)),
        )
    return table


def _support(line: EventLine) -> Text:
    if line.support_name is None:
        return Text(EMPTY, style="yellow")
    return literal(line.support_name)


EVENT_COLUMNS = {
    "#": NUMBER,
    "Event": {},
    "Client": {},
    "Start": FIXED,
    "Support": {},
    "Location": {"max_width": 30},
}


def _events(
    title: str, figure: Figure[EventLine], empty: str, columns: tuple[str, ...]
) -> RenderableType:
    """The next events, with the columns named in `columns` (after #, event, client and start)."""
    if not figure.items:
        return _empty(empty)
    shown = ("#", "Event", "Client", "Start", *columns)
    table = list_table(_title(title, figure), None, {name: EVENT_COLUMNS[name] for name in shown})
    for line in figure.items:
        cells = {
            "#": str(line.id),
            "Event": literal(line.name),
            "Client": literal(line.client_name),
            "Start": literal(format_datetime(line.start_at)),
            "Support": _support(line),
            "Location": literal(line.location),
        }
        table.add_row(*(cells[name] for name in shown))
    return table


def _money(tally: Tally) -> str:
    return f"{_plural(tally.count, 'contract')} · {format_money(tally.amount)}"


def _commerce(dashboard: Dashboard) -> list[RenderableType]:
    unsigned, unpaid, events = dashboard.unsigned, dashboard.unpaid, dashboard.client_events
    return [
        _figures(
            [
                ("Unsigned contracts", str(unsigned.count)),
                ("Still due by my clients", _money(unpaid)),
                ("Upcoming events of my clients", str(events.count)),
            ]
        ),
        _contracts("Oldest unsigned contracts", unsigned, "No unsigned contracts."),
        _events(
            "Next events of my clients",
            events,
            "No upcoming events for your clients.",
            ("Support",),
        ),
    ]


def _support_figures(dashboard: Dashboard) -> list[RenderableType]:
    events = dashboard.assigned_events
    return [
        _figures([("My upcoming events", str(events.count))]),
        _events("My next events", events, "No upcoming events assigned to you.", ("Location",)),
    ]


def _gestion(dashboard: Dashboard) -> list[RenderableType]:
    waiting, signed = dashboard.without_support, dashboard.signed_this_month
    return [
        _figures(
            [
                (f"Events without support, next {WITHOUT_SUPPORT_DAYS} days", str(waiting.count)),
                ("Contracts signed this month", _money(signed)),
            ]
        ),
        _events(
            "Soonest events without support",
            waiting,
            f"No event without support in the next {WITHOUT_SUPPORT_DAYS} days.",
            ("Location",),
        ),
    ]


SECTIONS = {
    DepartmentName.COMMERCE: _commerce,
    DepartmentName.SUPPORT: _support_figures,
    DepartmentName.GESTION: _gestion,
}


def render_dashboard(dashboard: Dashboard) -> Panel:
    """The dashboard of `dashboard.department`, in one panel."""
    parts = SECTIONS[dashboard.department](dashboard)
    spaced: list[RenderableType] = []
    for part in parts:
        if spaced:
            spaced.append(Text(""))
        spaced.append(part)
    label = DEPARTMENT_LABELS[dashboard.department]
    return Panel(
        Group(*spaced),
        title=f"[bold]Dashboard[/] · {label}",
        title_align="left",
        expand=False,
    )


def show_dashboard(ctx: AppContext) -> Dashboard:
    """Fetch the logged-in user's dashboard and print it."""
    dashboard = controller.get_dashboard(ctx.uow(), ctx.user)
    ctx.console.print(render_dashboard(dashboard))
    return dashboard


def dashboard_screen(ctx: AppContext) -> None:
    """The dashboard from the menu: it stays until the user goes back."""
    show_dashboard(ctx)
    pause(ctx.console)
