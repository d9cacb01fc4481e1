"""Exports: any list or filter to a CSV file, with the rows the screen shows, in its order.

Each export checks the same rights as its list (controllers/clients.py, contracts.py,
events.py, collaborators.py), then streams the manager's Listing into exporting.write_csv
inside the unit of work (its session closes on exit): memory stays flat at any size.
`progress(done, total)` is first called with 0 done, once the rows are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import Action, require
from epic_events.db import UnitOfWork
from epic_events.exporting import check_destination, money, timestamp, write_csv
from epic_events.managers.clients import ClientManager
from epic_events.managers.collaborators import CollaboratorManager
from epic_events.managers.contracts import ContractManager
from epic_events.managers.events import EventManager
from epic_events.managers.paging import Listing
from epic_events.models import Client, Collaborator, Contract, Event
from epic_events.paging import ListQuery
from epic_events.validators import validate_department

Progress = Callable[[int, int], None]

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
    query: ListQuery,
    path: Path,
    header: list[str],
    row: Callable[[object], list[str]],
    progress: Progress | None,
) -> int:
    """Count (for the progress bar), then stream the listing into the file."""
    session = uow.session
    report = None
    if progress is not None:
        total = listing.count(session, query)
        progress(0, total)

        def report(done: int) -> None:
            progress(done, total)

    rows = (row(item) for item in listing.stream(session, query))
    return write_csv(path, header, rows, report)


def export_clients(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Path | str,
    *,
    mine: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the clients `list_clients` shows for `query` to a CSV file; return the rows.

    Everyone may; `mine` (commerce's "my clients") as in the list.
    """
    with uow:
        actor = authorise(uow, user, Action.READ_ALL)
        if mine:
            require(actor.department_name, Action.FILTER_MY_CLIENTS)
        destination = check_destination(path)
        listing = ClientManager(uow.session).listing(commercial_id=actor.id if mine else None)
        return _export(uow, listing, query, destination, CLIENT_HEADER, client_row, progress)


def export_contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Path | str,
    *,
    unsigned: bool = False,
    unpaid: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the contracts `list_contracts` shows for `query` to a CSV file; return the rows.

    Everyone may; `unsigned` and `unpaid` are commerce's filters, over their own clients.
    """
    with uow:
        actor = authorise(uow, user, Action.READ_ALL)
        if unsigned:
            require(actor.department_name, Action.FILTER_UNSIGNED_CONTRACTS)
        if unpaid:
            require(actor.department_name, Action.FILTER_UNPAID_CONTRACTS)
        destination = check_destination(path)
        mine = actor.id if unsigned or unpaid else None
        listing = ContractManager(uow.session).listing(
            unsigned=unsigned, unpaid=unpaid, commercial_id=mine
        )
        return _export(uow, listing, query, destination, CONTRACT_HEADER, contract_row, progress)


def export_events(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Path | str,
    *,
    without_support: bool = False,
    mine: bool = False,
    upcoming: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the events `list_events` shows for `query` to a CSV file; return the rows.

    Everyone may; `without_support` (gestion), `mine` (support) and `upcoming` as in the list.
    """
    with uow:
        actor = authorise(uow, user, Action.READ_ALL)
        if without_support:
            require(actor.department_name, Action.FILTER_EVENTS_WITHOUT_SUPPORT)
        if mine:
            require(actor.department_name, Action.FILTER_MY_EVENTS)
        destination = check_destination(path)
        listing = EventManager(uow.session).listing(
            without_support=without_support,
            support_id=actor.id if mine else None,
            upcoming_after=(now or datetime.now(UTC)) if upcoming else None,
        )
        return _export(uow, listing, query, destination, EVENT_HEADER, event_row, progress)


def export_collaborators(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    path: Path | str,
    *,
    department: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the collaborators `list_collaborators` shows to a CSV file; return the rows.

    Gestion only. Like the list: by name, searched in name and email (the query's search,
    trimmed), of one department when given; the list has no other sort, so neither has this.
    """
    with uow:
        authorise(uow, user, Action.COLLABORATOR_LIST)
        department = None if department is None else validate_department(department).value
        destination = check_destination(path)
        search = (query.search or "").strip() or None
        return _export(
            uow,
            CollaboratorManager(uow.session).listing(department),
            ListQuery(search=search),
            destination,
            COLLABORATOR_HEADER,
            collaborator_row,
            progress,
        )
