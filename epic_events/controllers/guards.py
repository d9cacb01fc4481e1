"""The checks several use cases share: a record that must exist, belong to the actor, not
have changed since the form was opened, not be archived; a contact of the right department.

Department decisions are asked of `permissions`; these only apply them to a record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from epic_events.controllers.permissions import (
    CONTACT_DEPARTMENTS,
    Action,
    Contact,
    may_hold,
    only_own_records,
)
from epic_events.errors import (
    ChangedMeanwhile,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)

if TYPE_CHECKING:
    from epic_events.db import UnitOfWork
    from epic_events.models import Client, Collaborator, Contract, Event


def load_client(uow: UnitOfWork, client_id: int, *, for_update: bool = False) -> Client:
    client = uow.clients.get(client_id, for_update=for_update)
    if client is None:
        raise NotFound(f"There is no client #{client_id}.")
    return client


def load_contract(uow: UnitOfWork, contract_id: int, *, for_update: bool = False) -> Contract:
    contract = uow.contracts.get(contract_id, for_update=for_update)
    if contract is None:
        raise NotFound(f"There is no contract #{contract_id}.")
    return contract


def load_event(uow: UnitOfWork, event_id: int, *, for_update: bool = False) -> Event:
    event = uow.events.get(event_id, for_update=for_update)
    if event is None:
        raise NotFound(f"There is no event #{event_id}.")
    return event


def load_collaborator(
    uow: UnitOfWork, collaborator_id: int, *, for_update: bool = False
) -> Collaborator:
    manager = uow.collaborators
    found = manager.get_for_update(collaborator_id) if for_update else manager.get(collaborator_id)
    if found is None:
        raise NotFound(f"There is no collaborator #{collaborator_id}.")
    return found


def require_own_client(actor: Collaborator, client: Client, action: Action, what: str) -> None:
    """Where `action` covers only the actor's own clients, `client` must be one of them."""
    if only_own_records(actor.department_name, action) and client.commercial_contact_id != actor.id:
        raise PermissionDenied(
            f"Only the client's commercial contact can {what}: client #{client.id} is followed "
            f"by {client.commercial_contact.name}."
        )


def require_own_event(actor: Collaborator, event: Event, action: Action) -> None:
    """Where `action` covers only the actor's own events, `event` must be assigned to them."""
    if only_own_records(actor.department_name, action) and event.support_contact_id != actor.id:
        holder = event.support_contact.name if event.support_contact else "nobody yet"
        raise PermissionDenied(
            f"Only the event's support contact can update it: event #{event.id} is "
            f"assigned to {holder}."
        )


def require_unchanged(record, expected_version: int | None, what: str) -> None:
    """Optimistic locking: refuse to save over a change made since the form was opened."""
    if expected_version is not None and record.version != expected_version:
        named = f"{what.capitalize()} #{record.id}"
        raise ChangedMeanwhile(
            f"{named} was changed by someone else since you opened it: "
            "nothing was saved; reload it and try again.",
            record=named,
        )


def require_not_archived(record, what: str) -> None:
    """Archived rows are read-only until gestion restores them."""
    if record.archived_at is not None:
        raise Conflict(
            f"{what.capitalize()} #{record.id} is archived: gestion must restore it first."
        )


def require_contact(collaborator: Collaborator, contact: Contact, *, choose: str) -> None:
    """`collaborator` may be `contact`: active, and of the department the role needs.
    `choose` ends the refusal of a deactivated one ("choose an active commercial")."""
    if not collaborator.active:
        raise ValidationError(f"{collaborator.name} is deactivated: {choose}.")
    if not may_hold(collaborator.department_name, contact):
        raise ValidationError(
            f"{collaborator.name} is in {collaborator.department_name.value}: "
            f"{contact.value} must be in {CONTACT_DEPARTMENTS[contact].value}."
        )
