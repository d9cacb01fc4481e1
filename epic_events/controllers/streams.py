"""Every row of a list as read models, streamed: a command's `--all` in flat memory.

Each stream reads the very listing its list pages (the rights and the filters are decided
there, once), a thousand rows at a time, inside one unit of work. Generators: the rights
are checked when the first row is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from epic_events.controllers.auth import CurrentUser
from epic_events.controllers.clients import client_listing
from epic_events.controllers.collaborators import collaborator_listing, collaborator_query
from epic_events.controllers.contracts import contract_listing
from epic_events.controllers.events import event_listing
from epic_events.db import UnitOfWork
from epic_events.paging import ListQuery
from epic_events.read_models import ClientRow, CollaboratorRow, ContractRow, EventRow


def stream_clients(
    uow: UnitOfWork, user: CurrentUser, query: ListQuery, *, mine: bool = False
) -> Iterator[ClientRow]:
    """Every client `list_clients` shows for `query`, in its order."""
    with uow:
        for client in client_listing(uow, user, mine=mine).stream(query):
            yield ClientRow.of(client)


def stream_contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
) -> Iterator[ContractRow]:
    """Every contract `list_contracts` shows for `query`, in its order."""
    with uow:
        listing = contract_listing(uow, user, unsigned=unsigned, unpaid=unpaid)
        for contract in listing.stream(query):
            yield ContractRow.of(contract)


def stream_events(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    without_support: bool = False,
    mine: bool = False,
    upcoming: bool = False,
    now: datetime | None = None,
) -> Iterator[EventRow]:
    """Every event `list_events` shows for `query`, in its order."""
    with uow:
        listing = event_listing(
            uow, user, without_support=without_support, mine=mine, upcoming=upcoming, now=now
        )
        for event in listing.stream(query):
            yield EventRow.of(event)


def stream_collaborators(
    uow: UnitOfWork, user: CurrentUser, query: ListQuery, *, department: str | None = None
) -> Iterator[CollaboratorRow]:
    """Every collaborator `list_collaborators` shows, by name (gestion)."""
    with uow:
        listing = collaborator_listing(uow, user, department=department)
        for collaborator in listing.stream(collaborator_query(query)):
            yield CollaboratorRow.of(collaborator)
