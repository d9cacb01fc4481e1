"""History screens: what happened to a record, and gestion's recent activity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from epic_events.controllers import audit as controller
from epic_events.paging import ListQuery, Page
from epic_events.read_models import HistoryLine
from epic_events.views import pickers
from epic_events.views.browse import FIXED, add_empty_row, browse, list_table, page_caption
from epic_events.views.context import AppContext
from epic_events.views.pickers import pick
from epic_events.views.text import EMPTY, format_datetime, format_money, literal, sanitize

LATEST_FIRST = ListQuery(sort="at", descending=True)


# History speaks with the labels of the forms, and values as the screens show them.
LABELS = {
    "full_name": "Name",
    "name": "Name",
    "email": "Email",
    "phone": "Phone",
    "company_name": "Company",
    "commercial_contact": "Commercial",
    "contracts_moved": "Contracts moved",
    "total_amount": "Total",
    "amount_due": "Amount due",
    "signed": "Signed",
    "start_at": "Start",
    "end_at": "End",
    "location": "Location",
    "attendees": "Attendees",
    "notes": "Notes",
    "support_contact": "Support",
    "department_name": "Department",
    "department": "Department",
    "active": "Active",
    "password": "Password",
    "with": "With",
}
MONEY = {"total_amount", "amount_due"}
WHEN = {"start_at", "end_at", "signed_at", "archived_at"}


def shown_value(field: str, value: str | None) -> str:
    """A stored history value as the screens show it: Yes/No, 12 000,00 €, local dates."""
    if value is None:
        return EMPTY
    if value in ("True", "False"):
        return "Yes" if value == "True" else "No"
    try:
        if field in MONEY:
            return format_money(Decimal(value))
        if field in WHEN:
            return format_datetime(datetime.fromisoformat(value))
    except (ArithmeticError, ValueError):  # an older row in another shape: as stored
        pass
    return sanitize(value)


def describe(changes: Mapping[str, Sequence]) -> Text:
    """`Label: before → after` for each change, in the screens' words and formats."""
    parts = []
    for field, (before, after) in changes.items():
        label = LABELS.get(field, field.replace("_", " ").capitalize())
        if before is None:
            parts.append(f"{label}: {shown_value(field, after)}")
        else:
            parts.append(f"{label}: {shown_value(field, before)} → {shown_value(field, after)}")
    return Text("; ".join(parts) or EMPTY)


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
