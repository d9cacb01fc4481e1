"""Use cases on clients: commerce creates and updates its own, gestion reassigns."""

from __future__ import annotations

from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.guards import (
    load_client,
    require_contact,
    require_not_archived,
    require_own_client,
    require_unchanged,
)
from epic_events.controllers.permissions import Action, Contact, require
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict, NotFound, ValidationError
from epic_events.managers.paging import Listing
from epic_events.models import Client
from epic_events.paging import ListQuery, Page, first_rows
from epic_events.read_models import ClientDetail, ClientRow, ContractRow, EventRow, page_of
from epic_events.validators import validate_company, validate_email, validate_name, validate_phone

DETAIL_ROWS = 10
FIELDS = ("full_name", "email", "phone", "company_name")


def find_duplicates(
    uow: UnitOfWork, user: CurrentUser, *, email: str, full_name: str, company_name: str
) -> list[ClientRow]:
    """Clients with this email, or this name at this company (case aside), archived too:
    what creating this client would duplicate, so the rights are create_client's (commerce),
    checked first: who may not create is refused before hearing of any duplicate."""
    with uow:
        authorise(uow, user, Action.CLIENT_CREATE)
        found = uow.clients.duplicates(
            email.strip().lower(), full_name.strip(), company_name.strip()
        )
        return [ClientRow.of(client) for client in found]


def client_listing(uow: UnitOfWork, user: CurrentUser, *, mine: bool = False) -> Listing:
    """The clients `user` may list, filtered: what both the list and its export read.

    Everyone; `mine` is commerce's "my clients" filter."""
    actor = authorise(uow, user, Action.READ_ALL)
    if mine:
        require(actor.department_name, Action.FILTER_MY_CLIENTS)
    return uow.clients.listing(commercial_id=actor.id if mine else None)


def list_clients(
    uow: UnitOfWork, user: CurrentUser, query: ListQuery, *, mine: bool = False
) -> Page[ClientRow]:
    """One page of clients (everyone); `mine` is commerce's "my clients" filter."""
    with uow:
        return page_of(ClientRow, client_listing(uow, user, mine=mine).page(query))


def get_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> ClientDetail:
    """A client with its latest contracts and events (everyone); three queries in all."""
    with uow:
        authorise(uow, user, Action.READ_ALL)
        client, contracts = uow.clients.get_with_contracts(client_id, DETAIL_ROWS + 1)
        if client is None:
            raise NotFound(f"There is no client #{client_id}.")
        events = uow.events.latest(DETAIL_ROWS + 1, client_id=client_id)
        return ClientDetail(
            ClientRow.of(client),
            page_of(ContractRow, first_rows(contracts, DETAIL_ROWS)),
            page_of(EventRow, first_rows(events, DETAIL_ROWS)),
        )


def create_client(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    full_name: str,
    email: str,
    phone: str,
    company_name: str,
) -> ClientRow:
    """Create a client (commerce); its creator becomes its commercial contact."""
    with uow:
        actor = authorise(uow, user, Action.CLIENT_CREATE)
        client = Client(
            full_name=validate_name(full_name, "Full name"),
            email=validate_email(email),
            phone=validate_phone(phone),
            company_name=validate_company(company_name),
            commercial_contact=actor,
        )
        _refuse_taken_email(uow, client.email)
        uow.clients.add(client)
        uow.flush()
        audit.record(uow, actor, "create", "client", client.id, audit.created(client, FIELDS))
        uow.commit()
        return ClientRow.of(load_client(uow, client.id))


def _refuse_taken_email(uow: UnitOfWork, email: str) -> None:
    existing = uow.clients.get_by_email(email)
    if existing is not None:
        raise Conflict(f"Client #{existing.id} {existing.full_name} already has this email.")


def _editable_client(uow: UnitOfWork, user: CurrentUser, client_id: int):
    actor = authorise(uow, user, Action.CLIENT_UPDATE)
    client = load_client(uow, client_id, for_update=True)
    require_own_client(actor, client, Action.CLIENT_UPDATE, "update it")
    require_not_archived(client, "client")
    return actor, client


def check_update_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> ClientRow:
    """The client, when `user` may update it now: the form is shown only then."""
    with uow:
        return ClientRow.of(_editable_client(uow, user, client_id)[1])


def update_client(
    uow: UnitOfWork,
    user: CurrentUser,
    client_id: int,
    *,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    company_name: str | None = None,
    expected_version: int | None = None,
) -> ClientRow:
    """Change a client's details (commerce, only their own clients).

    `expected_version`: the version the form was opened on; a change made since is refused.
    """
    with uow:
        actor, client = _editable_client(uow, user, client_id)
        require_unchanged(client, expected_version, "client")
        changes = audit.pending_changes(
            client,
            {
                "full_name": None if full_name is None else validate_name(full_name, "Full name"),
                "email": None if email is None else validate_email(email),
                "phone": None if phone is None else validate_phone(phone),
                "company_name": None if company_name is None else validate_company(company_name),
            },
        )
        if "email" in changes:
            _refuse_taken_email(uow, changes["email"])
        audit.apply_changes(uow, actor, client, "client", changes, FIELDS)
        uow.commit()
        return ClientRow.of(load_client(uow, client.id))


def reassign_client(
    uow: UnitOfWork, user: CurrentUser, client_id: int, commercial_id: int
) -> ClientRow:
    """Give a client (and its contracts) to another commercial (gestion)."""
    with uow:
        actor = authorise(uow, user, Action.CLIENT_REASSIGN)
        # An archived client may change hands (its commercial is leaving): bookkeeping only.
        client = load_client(uow, client_id, for_update=True)
        commercial = uow.collaborators.get(commercial_id)
        if commercial is None:
            raise NotFound(f"There is no collaborator #{commercial_id}.")
        require_contact(commercial, Contact.COMMERCIAL, choose="choose an active commercial")
        if client.commercial_contact_id == commercial.id:
            raise ValidationError(f"{commercial.name} is already this client's commercial contact.")
        previous = client.commercial_contact.name
        client.commercial_contact = commercial
        moved = uow.contracts.move_to_commercial(client.id, commercial.id)
        uow.flush()
        changes = {
            "commercial_contact": [previous, commercial.name],
            "contracts_moved": [None, str(len(moved))],
        }
        audit.record(uow, actor, "reassign", "client", client.id, changes)
        for contract_id in moved:
            audit.record(
                uow,
                actor,
                "reassign",
                "contract",
                contract_id,
                {"commercial_contact": [previous, commercial.name]},
            )
        uow.commit()
        return ClientRow.of(load_client(uow, client.id))
