"""Use cases on clients: commerce creates and updates its own, gestion reassigns."""

from __future__ import annotations

from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import Action, require
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict, NotFound, PermissionDenied, ValidationError
from epic_events.managers.clients import ClientManager
from epic_events.managers.contracts import ContractManager
from epic_events.managers.events import EventManager
from epic_events.models import Client, Collaborator, DepartmentName
from epic_events.paging import ListQuery, Page
from epic_events.read_models import ClientDetail, ClientRow, ContractRow, EventRow, page_of
from epic_events.validators import validate_company, validate_email, validate_name, validate_phone

DETAIL_ROWS = 10


def load_client(manager: ClientManager, client_id: int, *, for_update: bool = False) -> Client:
    client = manager.get(client_id, for_update=for_update)
    if client is None:
        raise NotFound(f"There is no client #{client_id}.")
    return client


def require_own_client(actor: Collaborator, client: Client, what: str) -> None:
    """Commerce acts only on the clients whose commercial contact they are."""
    if (
        actor.department_name == DepartmentName.COMMERCE
        and client.commercial_contact_id != actor.id
    ):
        raise PermissionDenied(
            f"Only the client's commercial contact can {what}: client #{client.id} is followed "
            f"by {client.commercial_contact.name}."
        )


FIELDS = ("full_name", "email", "phone", "company_name")


def created(record, fields: tuple[str, ...]) -> dict[str, list]:
    return {field: [None, value] for field, value in audit.snapshot(record, fields).items()}


def require_unchanged(record, expected_version: int | None, what: str) -> None:
    """Optimistic locking: refuse to save over a change made since the form was opened."""
    if expected_version is not None and record.version != expected_version:
        raise Conflict(
            f"{what.capitalize()} #{record.id} was changed by someone else since you opened it: "
            "nothing was saved; reload it and try again."
        )


def require_not_archived(record, what: str) -> None:
    """Archived rows are read-only until gestion restores them."""
    if record.archived_at is not None:
        raise Conflict(
            f"{what.capitalize()} #{record.id} is archived: gestion must restore it first."
        )


def find_duplicates(
    uow: UnitOfWork, user: CurrentUser, *, email: str, full_name: str, company_name: str
) -> list[ClientRow]:
    """Clients with this email, or this name at this company (case aside), archived too."""
    with uow:
        authorise(uow, user, Action.READ_ALL)
        return [
            ClientRow.of(client)
            for client in ClientManager(uow.session).duplicates(
                email.strip().lower(), full_name.strip(), company_name.strip()
            )
        ]


def list_clients(
    uow: UnitOfWork, user: CurrentUser, query: ListQuery, *, mine: bool = False
) -> Page[ClientRow]:
    """One page of clients (everyone); `mine` is commerce's "my clients" filter."""
    with uow:
        actor = authorise(uow, user, Action.READ_ALL)
        if mine:
            require(actor.department_name, Action.FILTER_MY_CLIENTS)
        return page_of(
            ClientRow,
            ClientManager(uow.session).page(query, commercial_id=actor.id if mine else None),
        )


def latest_page(rows: list, size: int) -> Page:
    """The first `size` of `rows` (fetched one more than shown): "10 of 10+" without counting."""
    return Page(items=rows[:size], number=1, size=size, total=len(rows), exact=len(rows) <= size)


def get_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> ClientDetail:
    """A client with its latest contracts and events (everyone); three queries in all."""
    with uow:
        authorise(uow, user, Action.READ_ALL)
        client, contracts = ClientManager(uow.session).get_with_contracts(
            client_id, DETAIL_ROWS + 1
        )
        if client is None:
            raise NotFound(f"There is no client #{client_id}.")
        events = EventManager(uow.session).latest(DETAIL_ROWS + 1, client_id=client_id)
        return ClientDetail(
            ClientRow.of(client),
            page_of(ContractRow, latest_page(contracts, DETAIL_ROWS)),
            page_of(EventRow, latest_page(events, DETAIL_ROWS)),
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
        manager = ClientManager(uow.session)
        client = Client(
            full_name=validate_name(full_name, "Full name"),
            email=validate_email(email),
            phone=validate_phone(phone),
            company_name=validate_company(company_name),
            commercial_contact=actor,
        )
        existing = manager.get_by_email(client.email)
        if existing is not None:
            raise Conflict(f"Client #{existing.id} {existing.full_name} already has this email.")
        manager.add(client)
        uow.flush()
        audit.record(uow, actor, "create", "client", client.id, created(client, FIELDS))
        uow.commit()
        return ClientRow.of(load_client(manager, client.id))


def _editable_client(uow: UnitOfWork, user: CurrentUser, client_id: int):
    actor = authorise(uow, user, Action.CLIENT_UPDATE)
    manager = ClientManager(uow.session)
    client = load_client(manager, client_id, for_update=True)
    require_own_client(actor, client, "update it")
    require_not_archived(client, "client")
    return actor, manager, client


def check_update_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> ClientRow:
    """The client, when `user` may update it now: the form is shown only then."""
    with uow:
        return ClientRow.of(_editable_client(uow, user, client_id)[2])


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
        actor, manager, client = _editable_client(uow, user, client_id)
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
            existing = manager.get_by_email(changes["email"])
            if existing is not None:
                raise Conflict(
                    f"Client #{existing.id} {existing.full_name} already has this email."
                )
        audit.apply_changes(uow, actor, client, "client", changes, FIELDS)
        uow.commit()
        return ClientRow.of(load_client(manager, client.id))


def reassign_client(
    uow: UnitOfWork, user: CurrentUser, client_id: int, commercial_id: int
) -> ClientRow:
    """Give a client (and its contracts) to another commercial (gestion)."""
    with uow:
        actor = authorise(uow, user, Action.CLIENT_REASSIGN)
        manager = ClientManager(uow.session)
        # An archived client may change hands (its commercial is leaving): bookkeeping only.
        client = load_client(manager, client_id, for_update=True)
        commercial = manager.commercial(commercial_id)
        if commercial is None:
            raise NotFound(f"There is no collaborator #{commercial_id}.")
        if not commercial.active:
            raise ValidationError(f"{commercial.name} is deactivated: choose an active commercial.")
        if commercial.department_name != DepartmentName.COMMERCE:
            raise ValidationError(
                f"{commercial.name} is in {commercial.department_name.value}: a client's "
                "commercial contact must be in commerce."
            )
        if client.commercial_contact_id == commercial.id:
            raise ValidationError(f"{commercial.name} is already this client's commercial contact.")
        previous = client.commercial_contact.name
        client.commercial_contact = commercial
        moved = ContractManager(uow.session).move_to_commercial(client.id, commercial.id)
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
        return ClientRow.of(load_client(manager, client.id))
