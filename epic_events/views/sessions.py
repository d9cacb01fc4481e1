"""Gestion's "Active sessions": who is logged in, on which workstation, since when, last seen;
any of them can be ended (the database holds the sessions: the next action of that person
asks them to log in again)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from epic_events.controllers import sessions as controller
from epic_events.errors import NotFound, PermissionDenied, ValidationError
from epic_events.read_models import SessionRow
from epic_events.views.console import ask, confirm, error, info, success
from epic_events.views.context import AppContext
from epic_events.views.text import format_datetime, literal


def render_sessions(rows: list[SessionRow], *, with_ids: bool = False) -> Table:
    """Numbered rows for the screen, or with each session's id (for `sessions end ID`);
    one line each at 80 columns (names and workstations give way first)."""
    table = Table(
        title=f"Active sessions ({len(rows)})",
        title_justify="left",
        caption="* your own session (you, here): log out to end it"
        if any(r.yours for r in rows)
        else None,
        caption_justify="left",
        expand=False,
    )
    digits = len(str(max((row.id for row in rows), default=1) if with_ids else len(rows)))
    table.add_column(
        "Id" if with_ids else "#",
        justify="right",
        style="bold cyan",
        no_wrap=True,
        min_width=max(digits, 2),
    )
    table.add_column("Who", ratio=3, min_width=8)  # a long name takes two lines
    table.add_column("Department", no_wrap=True, min_width=10)
    table.add_column("Workstation", ratio=2, min_width=6)
    table.add_column("Since", no_wrap=True, min_width=16)
    table.add_column("Last seen", no_wrap=True, min_width=16)
    for number, row in enumerate(rows, start=1):
        who = literal(row.name)
        if row.yours:
            who = Text("* ").append_text(who)
        table.add_row(
            str(row.id if with_ids else number),
            who,
            literal(row.department),
            literal(row.workstation),
            format_datetime(row.started_at),
            format_datetime(row.last_seen_at),
        )
    return table


def chosen(rows: list[SessionRow], raw: str) -> SessionRow | None:
    """The row whose number was typed; None for Enter."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= len(rows):
        raise ValidationError(f"Type a number from 1 to {len(rows)}, or Enter to go back.")
    return rows[int(raw) - 1]


def sessions_screen(ctx: AppContext) -> None:
    """The live sessions; the number of one ends it (after a confirmation)."""
    while True:
        rows = controller.list_sessions(ctx.uow(), ctx.user)
        ctx.console.print(render_sessions(rows))
        if not rows:
            info(ctx.console, "No session is open.")
            return

        row = ask(
            ctx.console,
            "End which session",
            lambda raw, shown=rows: chosen(shown, raw),
            hint="(its number; Enter: back)",
        )
        if row is None:
            return
        question = f"End the session of {row.name} on {row.workstation}?"
        if not row.yours and not confirm(ctx.console, literal(question)):
            info(ctx.console, "Nothing was changed.")
            continue
        try:  # the controller decides (one's own session ends by logging out)
            controller.end_session(ctx.uow(), ctx.user, row.id)
        except (PermissionDenied, NotFound) as refused:
            error(ctx.console, refused.message)
            continue
        success(ctx.console, f"{row.name}'s session on {row.workstation} has ended.")
