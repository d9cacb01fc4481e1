"""The figures of the dashboard shown after login: each one a single bounded query.

A figure with items ("3 unsigned contracts, the oldest being ...") is one statement: the
first rows (ORDER BY ... LIMIT) carry the count as an uncorrelated scalar subquery, which
PostgreSQL evaluates once. Totals are aggregates computed by the database, in exact numeric.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session, aliased

from epic_events.models import Client, Collaborator, Contract, Event

T = TypeVar("T")
SHOWN = 5
WITHOUT_SUPPORT_DAYS = 30

Support = aliased(Collaborator, name="support")


@dataclass(frozen=True)
class ContractLine:
    """A contract as the dashboard lists it."""

    id: int
    client_name: str
    total_amount: Decimal
    created_at: datetime


@dataclass(frozen=True)
class EventLine:
    """An event as the dashboard lists it; `support_name` is None when it has no support."""

    id: int
    name: str
    client_name: str
    start_at: datetime
    support_name: str | None
    location: str


@dataclass(frozen=True)
class Figure(Generic[T]):
    """How many rows match, and the first few of them."""

    count: int
    items: tuple[T, ...] = ()

    @property
    def more(self) -> int:
        """How many matching rows are not among `items`."""
        return self.count - len(self.items)


@dataclass(frozen=True)
class Tally:
    """A number of contracts and an exact amount over them."""

    count: int
    amount: Decimal


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The first instant of `now`'s calendar month and of the next, in `now`'s time zone."""
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


class DashboardManager:
    """One method per figure; `now` is always explicit, so tests choose the day."""

    def __init__(self, session: Session):
        self.session = session

    def _figure(self, rows: Select, count: Select, make, limit: int) -> Figure:
        """The first `limit` of `rows` with `count` (their number) in the same statement."""
        matching = count.correlate(None).scalar_subquery().label("matching")
        statement = rows.add_columns(matching).limit(limit)
        result = self.session.execute(statement).all()
        if not result:
            return Figure(0)
        return Figure(result[0].matching, tuple(make(row) for row in result))

    def _tally(self, amount, *filters) -> Tally:
        count, total = self.session.execute(
            select(func.count(), func.coalesce(func.sum(amount), 0)).where(*filters)
        ).one()
        return Tally(count, Decimal(total))

    # commerce

    def unsigned_and_unpaid(
        self, commercial_id: int, limit: int = SHOWN
    ) -> tuple[Figure[ContractLine], Tally]:
        """A commercial's unsigned contracts (their number and the oldest) and what the
        commercial's clients still owe (sum of `amount_due`, signed or not, and over how many
        contracts: the "not fully paid" list), in one statement: the figures' row, joined
        to the first unsigned contracts (none: one row of figures alone)."""
        mine = (Contract.commercial_contact_id == commercial_id, Contract.archived_at.is_(None))
        unsigned = (*mine, ~Contract.signed)
        owing = (*mine, Contract.amount_due > 0)
        figures = select(
            select(func.count()).where(*unsigned).scalar_subquery().label("unsigned"),
            select(func.count()).where(*owing).scalar_subquery().label("owing"),
            select(func.coalesce(func.sum(Contract.amount_due), 0))
            .where(*owing)
            .scalar_subquery()
            .label("owed"),
        ).subquery("figures")
        first = (
            select(Contract.id, Client.full_name, Contract.total_amount, Contract.created_at)
            .join(Contract.client)
            .where(*unsigned)
            .order_by(Contract.created_at, Contract.id)
            .limit(limit)
            .subquery("first")
        )
        rows = self.session.execute(
            select(figures, first)
            .select_from(figures.outerjoin(first, true()))
            .order_by(first.c.created_at, first.c.id)
        ).all()
        lines = tuple(ContractLine(*row[3:7]) for row in rows if row.id is not None)
        return Figure(rows[0].unsigned, lines), Tally(rows[0].owing, Decimal(rows[0].owed))

    def client_events(
        self, commercial_id: int, now: datetime, limit: int = SHOWN
    ) -> Figure[EventLine]:
        """The events of a commercial's clients starting from `now`, soonest first."""
        filters = (
            Contract.commercial_contact_id == commercial_id,
            Event.start_at >= now,
            Event.archived_at.is_(None),
        )
        count = select(func.count()).select_from(Event).join(Event.contract).where(*filters)
        return self._events(filters, count, limit)

    # support

    def assigned_events(
        self, support_id: int, now: datetime, limit: int = SHOWN
    ) -> Figure[EventLine]:
        """The events assigned to a support contact starting from `now`, soonest first."""
        filters = (
            Event.support_contact_id == support_id,
            Event.start_at >= now,
            Event.archived_at.is_(None),
        )
        count = select(func.count()).select_from(Event).where(*filters)
        return self._events(filters, count, limit)

    # gestion

    def events_without_support(
        self, now: datetime, days: int = WITHOUT_SUPPORT_DAYS, limit: int = SHOWN
    ) -> Figure[EventLine]:
        """The events with no support contact starting within `days` from `now`."""
        filters = (
            Event.archived_at.is_(None),
            Event.support_contact_id.is_(None),
            Event.start_at >= now,
            Event.start_at < now + timedelta(days=days),
        )
        count = select(func.count()).select_from(Event).where(*filters)
        return self._events(filters, count, limit)

    def signed_this_month(self, now: datetime) -> Tally:
        """Contracts signed in `now`'s calendar month (by their signature date), and their
        total amount; archived ones left out."""
        start, end = month_bounds(now)
        return self._tally(
            Contract.total_amount,
            Contract.signed,
            Contract.signed_at >= start,
            Contract.signed_at < end,
            Contract.archived_at.is_(None),
        )

    def _events(self, filters, count: Select, limit: int) -> Figure[EventLine]:
        rows = (
            select(
                Event.id,
                Event.name,
                Client.full_name,
                Event.start_at,
                Support.name,
                Event.location,
            )
            .join(Event.contract)
            .join(Contract.client)
            .outerjoin(Support, Event.support_contact_id == Support.id)
            .where(*filters)
            .order_by(Event.start_at, Event.id)
        )
        return self._figure(rows, count, lambda row: EventLine(*row[:6]), limit)
