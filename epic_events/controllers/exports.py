"""Exports: any list or filter to a CSV file, with the rows the screen shows, in its order.

Each export reads the very listing its list pages (`client_listing`, `contract_listing`,
`event_listing`, `collaborator_listing`: the rights and filters are decided there, once).
PostgreSQL formats the rows and streams them as CSV (managers/exports.py) into
exporting.write_copied_csv, inside the unit of work: a million events in seconds, memory
flat at any size. The cells are the ones `client_row`, `contract_row`, `event_row` and
`collaborator_row` write from the ORM rows, which remain the way when the database cannot
be told the local time zone (then a million rows take minutes).
`progress(done, total)` is first called with 0 done, once the rows are counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from epic_events.controllers.auth import CurrentUser
from epic_events.controllers.clients import client_listing
from epic_events.controllers.collaborators import collaborator_listing, collaborator_query
from epic_events.controllers.contracts import contract_listing
from epic_events.controllers.events import event_listing
from epic_events.db import UnitOfWork
from epic_events.exporting import (
    check_destination,
    local_zone_names,
    local_zone_samples,
    money,
    timestamp,
    write_copied_csv,
    write_copied_csv_to,
    write_csv,
    write_csv_to,
)
from epic_events.managers.exports import ExportColumns
from epic_events.managers.paging import Listing
from epic_events.models import Client, Collaborator, Contract, Event
from epic_events.paging import ListQuery

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Destination = Path | str | TextIO  # a file to write atomically, or an open text stream

CLIENT_HEADER = [
    "ID",
    "Name",
    "Company",
    "Email",
    "Phone",
    "Commercial",
    "First contact",
    "Last update",
]
CONTRACT_HEADER = [
    "ID",
    "Client ID",
    "Client",
    "Company",
    "Client email",
    "Client phone",
    "Commercial",
    "Total",
    "Due",
    "Status",
    "Created",
    "Last update",
]
EVENT_HEADER = [
    "ID",
    "Event",
    "Client",
    "Company",
    "Client email",
    "Client phone",
    "Contract",
    "Start",
    "End",
    "Support",
    "Location",
    "Attendees",
    "Notes",
    "Last update",
]
COLLABORATOR_HEADER = ["ID", "Name", "Email", "Phone", "Department"]


def client_row(client: Client) -> list[str]:
    return [
        str(client.id),
        client.full_name,
        client.company_name,
        client.email,
        client.phone,
        client.commercial_contact.name,
        timestamp(client.created_at),
        timestamp(client.updated_at),
    ]


def contract_row(contract: Contract) -> list[str]:
    client = contract.client
    return [
        str(contract.id),
        str(client.id),
        client.full_name,
        client.company_name,
        client.email,
        client.phone,
        contract.commercial_contact.name,
        money(contract.total_amount),
        money(contract.amount_due),
        "signed" if contract.signed else "unsigned",
        timestamp(contract.created_at),
        timestamp(contract.updated_at),
    ]


def event_row(event: Event) -> list[str]:
    client = event.contract.client
    support = event.support_contact
    return [
        str(event.id),
        event.name,
        client.full_name,
        client.company_name,
        client.email,
        client.phone,
        str(event.contract_id),
        timestamp(event.start_at),
        timestamp(event.end_at),
        "" if support is None else support.name,
        event.location,
        str(event.attendees),
        event.notes or "",
        timestamp(event.updated_at),
    ]


def collaborator_row(collaborator: Collaborator) -> list[str]:
    return [
        str(collaborator.id),
        collaborator.name,
        collaborator.email,
        collaborator.phone,
        collaborator.department.name,
    ]


def _export(
    uow: UnitOfWork,
    listing: Listing,
    columns: ExportColumns,
    query: ListQuery,
    path: Destination,
    header: list[str],
    row: Callable[[object], list[str]],
    progress: Progress | None,
) -> int:
    """Count (for the progress bar), then write the listing into the file (or the open
    stream: a command's standard output): formatted by PostgreSQL in the local time zone,
    or by `row` when PostgreSQL cannot name it."""
    streamed = hasattr(path, "write")
    destination = path if streamed else check_destination(path)
    names = local_zone_names()
    zone = uow.exports.use_local_time_zone(names, local_zone_samples())
    report = None
    if progress is not None:
        total = listing.count(query)
        progress(0, total)

        def report(done: int) -> None:
            progress(done, total)

    if zone is None:
        log.warning("no time zone PostgreSQL knows matches the local one %s: slow export", names)
        rows = (row(item) for item in listing.stream(query))
        return (write_csv_to if streamed else write_csv)(destination, header, rows, report)
    return (write_copied_csv_to if streamed else write_copied_csv)(
        destination,
        header,
        lambda into: uow.exports.copy_csv(listing, query, columns, into),
        report,
    )


def export_clients(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Destination,
    *,
    mine: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the clients `list_clients` shows for `query` to a CSV file; return the rows."""
    with uow:
        listing = client_listing(uow, user, mine=mine)
        columns = uow.clients.export_columns()
        return _export(uow, listing, columns, query, path, CLIENT_HEADER, client_row, progress)


def export_contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Destination,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the contracts `list_contracts` shows for `query` to a CSV file; return the rows."""
    with uow:
        listing = contract_listing(uow, user, unsigned=unsigned, unpaid=unpaid)
        columns = uow.contracts.export_columns()
        return _export(uow, listing, columns, query, path, CONTRACT_HEADER, contract_row, progress)


def export_events(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Destination,
    *,
    without_support: bool = False,
    mine: bool = False,
    upcoming: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the events `list_events` shows for `query` to a CSV file; return the rows."""
    with uow:
        listing = event_listing(
            uow, user, without_support=without_support, mine=mine, upcoming=upcoming, now=now
        )
        columns = uow.events.export_columns()
        return _export(uow, listing, columns, query, path, EVENT_HEADER, event_row, progress)


def export_collaborators(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Destination,
    *,
    department: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the collaborators `list_collaborators` shows to a CSV file; return the rows."""
    with uow:
        listing = collaborator_listing(uow, user, department=department)
        query = collaborator_query(query)
        columns = uow.collaborators.export_columns()
        return _export(
            uow, listing, columns, query, path, COLLABORATOR_HEADER, collaborator_row, progress
        )
