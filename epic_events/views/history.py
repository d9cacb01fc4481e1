"""History screens: what happened to a record, and gestion's recent activity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text

from epic_events.controllers import audit as controller
from epic_events.paging import ListQuery, Page
from epic_events.read_models import HistoryLine
from epic_events.views import pickers
from epic_events.views.browse import FIXED, add_empty_row, browse, list_table, page_caption
from epic_events.views.context import AppContext
from epic_events.views.pickers import pick
from epic_events.views.text import format_datetime, literal, sanitize

LATEST_FIRST = ListQuery(sort="at", descending=True)


def describe(changes: Mapping[str, Sequence]) -> Text:
    """`field: before → after` for each change, literally."""
    parts = []
    for field, (before, after) in changes.items():
        if before is None:
            parts.append(f"{field}: {sanitize(after)}")
        elif after is None:
            parts.append(f"{field}: {sanitize(before)} → —")
        else:
            parts.append(f"{field}: {sanitize(before)} → {sanitize(after)}")
    return Text("; ".join(parts) or "—")


def render_history(page: Page[HistoryLine], query=None, title: str = "History") -> Table:
    table = list_table(
        title,
        page_caption(page, query),
        {
            "When": FIXED,
            "Who": {},
            "Action": FIXED,
            "Record": FIXED,
            "Changes": {"max_width": 80, "wrap": True},
        },
    )
    for entry in page.items:
        table.add_row(
            literal(format_datetime(entry.at)),
            literal(entry.actor_name),
            entry.action,
            f"{entry.entity} #{entry.entity_id}",
            describe(entry.changes),
        )
    if not page.items:
        add_empty_row(table, "change", query)
    return table


def history_screen(entity: str):
    """The screen asking which record, then paging through its history."""

    def screen(ctx: AppContext, record_id: int | None = None) -> None:
        picker = pickers.of_entity(ctx, entity, archived=None)
        record_id = record_id or pick(ctx, entity.capitalize(), picker).id
        browse(
            ctx,
            lambda query: controller.history(ctx.uow(), ctx.user, entity, record_id, query),
            lambda page, query: render_history(page, query, f"History of {entity} #{record_id}"),
            query=LATEST_FIRST,
        )

    return screen


def recent_activity_screen(ctx: AppContext) -> None:
    browse(
        ctx,
        lambda query: controller.recent_activity(ctx.uow(), ctx.user, query),
        lambda page, query: render_history(page, query, "Recent activity"),
        query=LATEST_FIRST,
    )
