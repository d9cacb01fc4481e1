"""The dashboard shown right after login: a few figures chosen by the actor's department."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import Action, can
from epic_events.db import UnitOfWork
from epic_events.departments import DepartmentName
from epic_events.managers.dashboard import (
    SHOWN,
    WITHOUT_SUPPORT_DAYS,
    ContractLine,
    EventLine,
    Figure,
    Tally,
)

__all__ = [
    "SHOWN",
    "WITHOUT_SUPPORT_DAYS",
    "ContractLine",
    "Dashboard",
    "EventLine",
    "Figure",
    "Tally",
    "get_dashboard",
]


@dataclass(frozen=True)
class Dashboard:
    """The figures of one department; those of the other departments stay None.

    commerce: `unsigned` (my unsigned contracts, oldest first), `unpaid` (what my clients
    still owe), `client_events` (my clients' upcoming events). support: `assigned_events`
    (my upcoming events). gestion: `without_support` (events without support in the next
    WITHOUT_SUPPORT_DAYS days), `signed_this_month` (contracts signed this calendar
    month, by their signature date).
    """

    department: DepartmentName
    unsigned: Figure[ContractLine] | None = None
    unpaid: Tally | None = None
    client_events: Figure[EventLine] | None = None
    assigned_events: Figure[EventLine] | None = None
    without_support: Figure[EventLine] | None = None
    signed_this_month: Tally | None = None


def get_dashboard(uow: UnitOfWork, user: CurrentUser, now: datetime | None = None) -> Dashboard:
    """The dashboard of the logged-in collaborator's department (everyone).

    One query loads the actor, then one per figure (commerce's two contract figures share
    one), whatever the size of the data. "This
    month" is the calendar month of `now` in its own time zone; `now` defaults to the local
    time, and a naive `now` is taken as local time.
    """
    if now is None or now.tzinfo is None:
        now = (now or datetime.now()).astimezone()
    with uow:
        actor = authorise(uow, user, Action.READ_ALL)
        board, me = uow.dashboard, actor.id
        # Each figure is one of the department's filters at a glance: shown when the
        # permission table gives the department that filter.
        # commerce's two contract figures are read by one statement, shared
        contracts = cache(lambda: board.unsigned_and_unpaid(me))
        figures = {
            "unsigned": (Action.FILTER_UNSIGNED_CONTRACTS, lambda: contracts()[0]),
            "unpaid": (Action.FILTER_UNPAID_CONTRACTS, lambda: contracts()[1]),
            "client_events": (Action.FILTER_MY_CLIENTS, lambda: board.client_events(me, now)),
            "assigned_events": (Action.FILTER_MY_EVENTS, lambda: board.assigned_events(me, now)),
            "without_support": (
                Action.FILTER_EVENTS_WITHOUT_SUPPORT,
                lambda: board.events_without_support(now),
            ),
            "signed_this_month": (Action.ACTIVITY_READ, lambda: board.signed_this_month(now)),
        }
        department = actor.department_name
        return Dashboard(
            department,
            **{name: load() for name, (action, load) in figures.items() if can(department, action)},
        )
