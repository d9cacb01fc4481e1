"""Every row of a list, streamed: a command's `--all` in flat memory.

Each stream reads the very listing its list pages (the rights and the filters are decided
there, once), inside one unit of work: `stream_*` as read models, a thousand rows at a time
through the ORM; `json_*` as JSON objects written by PostgreSQL (managers/exports.py), at
the export's speed, in the local time zone as the export names it (when PostgreSQL cannot
name it, the read models are written by Python instead: the same objects, slower).
Generators: the rights are checked when the first row is asked for.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from epic_events.controllers.auth import CurrentUser
from epic_events.controllers.clients import client_listing
from epic_events.controllers.collaborators import collaborator_listing, collaborator_query
from epic_events.controllers.contracts import contract_listing
from epic_events.controllers.events import event_listing
from epic_events.db import UnitOfWork
from epic_events.exporting import local_zone_names, local_zone_samples
from epic_events.managers.exports import JsonFields
from epic_events.managers.paging import Listing
from epic_events.paging import ListQuery
from epic_events.read_models import ClientRow, CollaboratorRow, ContractRow, EventRow, as_json

log = logging.getLogger(__name__)


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


def _json(
    uow: UnitOfWork, listing: Listing, fields: JsonFields, query: ListQuery, model: Callable
) -> Iterator[str]:
    names = local_zone_names()
    if uow.exports.use_local_time_zone(names, local_zone_samples()) is None:
        log.warning("no time zone PostgreSQL knows matches the local one %s: slow JSON", names)
        for row in listing.stream(query):
            yield json.dumps(as_json(model(row)), ensure_ascii=False)
        return
    yield from uow.exports.json_lines(listing, query, fields)


def json_clients(
    uow: UnitOfWork, user: CurrentUser, query: ListQuery, *, mine: bool = False
) -> Iterator[str]:
    """Every client `list_clients` shows for `query`, as JSON objects (ClientRow's keys)."""
    with uow:
        listing = client_listing(uow, user, mine=mine)
        yield from _json(uow, listing, uow.clients.json_fields(), query, ClientRow.of)


def json_contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
) -> Iterator[str]:
    """Every contract `list_contracts` shows, as JSON objects (ContractRow's keys)."""
    with uow:
        listing = contract_listing(uow, user, unsigned=unsigned, unpaid=unpaid)
        yield from _json(uow, listing, uow.contracts.json_fields(), query, ContractRow.of)


def json_events(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    without_support: bool = False,
    mine: bool = False,
    upcoming: bool = False,
    now: datetime | None = None,
) -> Iterator[str]:
    """Every event `list_events` shows, as JSON objects (EventRow's keys)."""
    with uow:
        listing = event_listing(
            uow, user, without_support=without_support, mine=mine, upcoming=upcoming, now=now
        )
        yield from _json(uow, listing, uow.events.json_fields(), query, EventRow.of)


def json_collaborators(
    uow: UnitOfWork, user: CurrentUser, query: ListQuery, *, department: str | None = None
) -> Iterator[str]:
    """Every collaborator `list_collaborators` shows, as JSON objects (gestion)."""
    with uow:
        listing = collaborator_listing(uow, user, department=department)
        fields = uow.collaborators.json_fields()
        yield from _json(uow, listing, fields, collaborator_query(query), CollaboratorRow.of)
