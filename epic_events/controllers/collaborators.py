"""Use cases on collaborators: gestion administers them, everyone edits their own profile."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from epic_events import monitoring
from epic_events.auth import passwords
from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise, load_actor
from epic_events.controllers.guards import load_collaborator, require_contact, require_unchanged
from epic_events.controllers.permissions import Action, Contact, can, require
from epic_events.db import UnitOfWork
from epic_events.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from epic_events.managers.paging import Listing
from epic_events.models import Collaborator
from epic_events.paging import ListQuery, Page
from epic_events.read_models import CollaboratorRow, page_of
from epic_events.validators import (
    validate_department,
    validate_email,
    validate_name,
    validate_password,
    validate_phone,
)

LISTED_CLIENTS = 10
AUDITED = ("name", "email", "phone", "department_name", "active")
# A change of these ends the collaborator's open sessions: they must log in again.
ENDS_SESSIONS = {"email", "department", "password_hash"}


def _lock_with_actor(
    uow: UnitOfWork, actor: Collaborator, collaborator_id: int, action: Action
) -> Collaborator:
    """Lock the actor's row and the target's, in id order, and check the actor again.

    Two managers acting on each other at the same moment (deactivating, demoting or deleting
    each other) then run one after the other: the second finds it has lost the right, so
    there is always a manager left.
    """
    locked = {
        collaborator: uow.collaborators.get_for_update(collaborator)
        for collaborator in sorted({actor.id, collaborator_id})
    }
    me = locked.get(actor.id)
    if me is None or not me.active or not can(me.department_name, action):
        raise PermissionDenied("Your rights changed meanwhile: nothing was done.")
    target = locked.get(collaborator_id)
    if target is None:
        raise NotFound(f"There is no collaborator #{collaborator_id}.")
    return target


def collaborator_query(query: ListQuery) -> ListQuery:
    """The list's query as collaborators take it: searched with its spaces trimmed, and by
    name only (there is no other sort)."""
    search = (query.search or "").strip() or None
    return replace(query, search=search, sort=None, descending=False)


def collaborator_listing(
    uow: UnitOfWork, user: CurrentUser, *, department: str | None = None
) -> Listing:
    """The collaborators gestion may list, of one department when given: what both the list
    and its export read."""
    authorise(uow, user, Action.COLLABORATOR_LIST)
    department = None if department is None else validate_department(department).value
    return uow.collaborators.listing(department)


def list_collaborators(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery | None = None,
    *,
    department: str | None = None,
) -> Page[CollaboratorRow]:
    """One page of collaborators by name (gestion), of one department when given."""
    with uow:
        listing = collaborator_listing(uow, user, department=department)
        return page_of(CollaboratorRow, listing.page(collaborator_query(query or ListQuery())))


def get_collaborator(uow: UnitOfWork, user: CurrentUser, collaborator_id: int) -> CollaboratorRow:
    """One collaborator (gestion, or anyone for themselves)."""
    with uow:
        actor = load_actor(uow, user)
        if actor.id != collaborator_id:
            require(actor.department_name, Action.COLLABORATOR_LIST)
        return CollaboratorRow.of(load_collaborator(uow, collaborator_id))


def create_collaborator(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    name: str,
    email: str,
    phone: str,
    department: str,
    password: str,
) -> CollaboratorRow:
    """Create a collaborator (gestion)."""
    with uow:
        actor = authorise(uow, user, Action.COLLABORATOR_CREATE)
        email = validate_email(email)
        department_name = validate_department(department)
        collaborator = Collaborator(
            name=validate_name(name),
            email=email,
            phone=validate_phone(phone),
            password_hash=passwords.hash_password(validate_password(password)),
        )
        _refuse_taken_email(uow, email)
        department_row = uow.collaborators.department(department_name)
        if department_row is None:
            raise ValidationError(f"The department {department_name} is missing: run setup.py.")
        collaborator.department = department_row
        uow.collaborators.add(collaborator)
        uow.flush()
        changes = audit.created(collaborator, AUDITED)
        audit.record(uow, actor, "create", "collaborator", collaborator.id, changes)
        uow.commit()
    monitoring.record(
        "collaborator.created",
        actor_id=actor.id,
        collaborator_id=collaborator.id,
        department=department_name.value,
    )
    return CollaboratorRow.of(collaborator)


def _refuse_taken_email(uow: UnitOfWork, email: str) -> None:
    if uow.collaborators.get_by_email(email) is not None:
        raise Conflict(f"A collaborator with the email {email} already exists.")


def update_collaborator(
    uow: UnitOfWork,
    user: CurrentUser,
    collaborator_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    department: str | None = None,
    password: str | None = None,
    expected_version: int | None = None,
) -> CollaboratorRow:
    """Change a collaborator's details, department or password (gestion).

    No one changes their own department. A commercial who owns clients, or a support
    contact with upcoming events, keeps their department until those are reassigned.
    `expected_version`: the version the form was opened on; a change made since is refused.
    """
    with uow:
        actor = authorise(uow, user, Action.COLLABORATOR_UPDATE)
        collaborator = _lock_with_actor(uow, actor, collaborator_id, Action.COLLABORATOR_UPDATE)
        require_unchanged(collaborator, expected_version, "collaborator")
        changes = audit.pending_changes(
            collaborator,
            {
                "name": None if name is None else validate_name(name),
                "email": None if email is None else validate_email(email),
                "phone": None if phone is None else validate_phone(phone),
            },
            required=False,
        )
        if "email" in changes:
            _refuse_taken_email(uow, changes["email"])
        if department is not None:
            new_department = validate_department(department)
            if new_department != collaborator.department_name:
                if collaborator.id == actor.id:
                    raise PermissionDenied("No one can change their own department.")
                _check_can_leave(uow, collaborator)
                changes["department"] = uow.collaborators.department(new_department)
        if password and collaborator.id == actor.id:
            raise PermissionDenied(
                "Change your own password from My profile: it asks for the current one."
            )
        if password:
            changes["password_hash"] = passwords.hash_password(validate_password(password))
        if not changes:
            raise ValidationError(audit.NOTHING_TO_CHANGE)
        if ENDS_SESSIONS & set(changes):
            changes["token_version"] = collaborator.token_version + 1
        hidden = ("password",) if "password_hash" in changes else ()
        audit.apply_changes(
            uow, actor, collaborator, "collaborator", changes, AUDITED, hidden=hidden
        )
        uow.commit()
        uow.collaborators.refresh(collaborator)
    monitoring.record(
        "collaborator.updated",
        actor_id=actor.id,
        collaborator_id=collaborator.id,
        fields=",".join(_field_names(changes)),
    )
    return CollaboratorRow.of(collaborator)


def _field_names(changes: dict) -> list[str]:
    """The fields a user changed, as monitoring names them (no bookkeeping, no hash)."""
    renamed = {"password_hash": "password"}
    return [renamed.get(field, field) for field in changes if field != "token_version"]


def set_active(
    uow: UnitOfWork,
    user: CurrentUser,
    collaborator_id: int,
    *,
    active: bool,
    expected_version: int | None = None,
    clients_to: int | None = None,
    events_to: int | None = None,
) -> CollaboratorRow:
    """Deactivate a collaborator who leaves (their sessions end at once) or bring them back
    (gestion). Unlike deletion, nothing about them is lost. `clients_to`, `events_to`: in
    the same transaction, their clients go to that commercial and their upcoming events to
    that support contact (`hand_over`)."""
    with uow:
        actor = authorise(uow, user, Action.COLLABORATOR_DEACTIVATE)
        if collaborator_id == actor.id:
            raise PermissionDenied("You cannot deactivate your own account.")
        collaborator = _lock_with_actor(uow, actor, collaborator_id, Action.COLLABORATOR_DEACTIVATE)
        require_unchanged(collaborator, expected_version, "collaborator")
        if collaborator.active == active:
            state = "active" if active else "deactivated"
            raise ValidationError(f"{collaborator.name} is already {state}.")
        if not active:  # like leaving the department: nothing of theirs is left unmanaged
            _hand_over(uow, actor, collaborator, clients_to, events_to)
            _check_can_leave(uow, collaborator, "deactivating them", archived=False)
        action = "reactivate" if active else "deactivate"
        # A deactivated session dies now, not at expiry.
        changes = {"active": active, "token_version": collaborator.token_version + 1}
        audit.apply_changes(
            uow, actor, collaborator, "collaborator", changes, AUDITED, action=action
        )
        uow.commit()
        uow.collaborators.refresh(collaborator)
    monitoring.record(f"collaborator.{action}d", actor_id=actor.id, collaborator_id=collaborator.id)
    return CollaboratorRow.of(collaborator)


def _check_can_leave(
    uow: UnitOfWork,
    collaborator: Collaborator,
    what: str = "changing their department",
    *,
    archived: bool = True,
) -> None:
    """Refuse while the collaborator still holds clients or contracts (a commercial) or
    upcoming events (support): `what` names the change, for the message. Archived clients
    and contracts block only when `archived` (a deletion: their rows name the commercial)."""
    _refuse_if_owns_business(uow, collaborator, what, archived=archived)
    upcoming = uow.collaborators.upcoming_events_supported(collaborator.id, datetime.now(UTC))
    if upcoming:
        raise Conflict(
            f"{collaborator.name} supports {upcoming} upcoming event(s): "
            f"assign them to someone else before {what}."
        )


def _refuse_if_owns_business(
    uow: UnitOfWork, collaborator: Collaborator, what: str, *, archived: bool = True
) -> None:
    clients, total = uow.collaborators.owned_clients(
        collaborator.id, limit=LISTED_CLIENTS, archived=archived
    )
    if total:
        names = ", ".join(f"#{client.id} {client.full_name}" for client in clients)
        more = f" and {total - len(clients)} more" if total > len(clients) else ""
        raise Conflict(
            f"{collaborator.name} is still the commercial contact of {total} client(s): "
            f"{names}{more}. Hand them over to another commercial before {what}."
        )
    contracts = uow.collaborators.contracts_in_charge(collaborator.id, archived=archived)
    if contracts:
        raise Conflict(
            f"{collaborator.name} is still in charge of {contracts} contract(s): "
            f"reassign them before {what}."
        )


def _deletable(
    uow: UnitOfWork,
    user: CurrentUser,
    collaborator_id: int,
    clients_to: int | None = None,
    events_to: int | None = None,
    *,
    business: bool = True,
):
    """The actor and the collaborator they may delete; `business`: refuse while the
    collaborator still holds clients (after handing them over when asked)."""
    actor = authorise(uow, user, Action.COLLABORATOR_DELETE)
    if collaborator_id == actor.id:
        raise PermissionDenied("You cannot delete your own account.")
    collaborator = _lock_with_actor(uow, actor, collaborator_id, Action.COLLABORATOR_DELETE)
    _hand_over(uow, actor, collaborator, clients_to, events_to)
    if business:
        _refuse_if_owns_business(uow, collaborator, "deleting them")
    return actor, collaborator


@dataclass(frozen=True)
class Leaving:
    """What a collaborator who leaves still holds: what to hand over first."""

    clients: int  # live clients (archived ones move with them, and never block leaving)
    contracts: int
    upcoming_events: int


def leaving(uow: UnitOfWork, user: CurrentUser, collaborator_id: int) -> Leaving:
    """What deactivating or deleting the collaborator would leave unmanaged (gestion)."""
    with uow:
        authorise(uow, user, Action.COLLABORATOR_DEACTIVATE)
        collaborator = load_collaborator(uow, collaborator_id)
        _, clients = uow.collaborators.owned_clients(collaborator.id, limit=0, archived=False)
        return Leaving(
            clients=clients,
            contracts=uow.collaborators.contracts_in_charge(collaborator.id, archived=False),
            upcoming_events=uow.collaborators.upcoming_events_supported(
                collaborator.id, datetime.now(UTC)
            ),
        )


def _hand_over(
    uow: UnitOfWork,
    actor: Collaborator,
    collaborator: Collaborator,
    clients_to: int | None,
    events_to: int | None,
) -> None:
    """Give a leaving collaborator's clients (with their contracts, archived ones too) to one
    commercial and their upcoming events to one support contact, a history row for each
    record moved, in the caller's transaction."""
    if clients_to is not None:
        commercial = _successor(uow, collaborator, clients_to, Contact.COMMERCIAL)
        clients, contracts = uow.clients.hand_over(collaborator.id, commercial.id)
        moved = {"commercial_contact": [collaborator.name, commercial.name]}
        for client_id in clients:
            audit.record(uow, actor, "reassign", "client", client_id, moved)
        for contract_id in contracts:
            audit.record(uow, actor, "reassign", "contract", contract_id, moved)
    if events_to is not None:
        helper = _successor(uow, collaborator, events_to, Contact.SUPPORT)
        events = uow.events.hand_over_upcoming(collaborator.id, helper.id, datetime.now(UTC))
        moved = {"support_contact": [collaborator.name, helper.name]}
        for event_id in events:
            audit.record(uow, actor, "assign", "event", event_id, moved)
    uow.flush()


def _successor(
    uow: UnitOfWork, collaborator: Collaborator, successor_id: int, contact: Contact
) -> Collaborator:
    if successor_id == collaborator.id:
        raise ValidationError(f"{collaborator.name} is the one leaving: choose someone else.")
    successor = load_collaborator(uow, successor_id)
    require_contact(successor, contact, choose=f"choose an active {contact.name.lower()}")
    return successor


def check_create_collaborator(uow: UnitOfWork, user: CurrentUser) -> None:
    """Refuse who may not create collaborators (gestion only), changing nothing: lets a view
    ask for the new password only then."""
    with uow:
        authorise(uow, user, Action.COLLABORATOR_CREATE)


def check_delete_collaborator(
    uow: UnitOfWork, user: CurrentUser, collaborator_id: int, *, handing_over: bool = False
) -> CollaboratorRow:
    """The collaborator, when they may be deleted now: lets the view ask to confirm only then.
    `handing_over`: their clients will be handed over by the deletion, so they do not count."""
    with uow:
        deletable = _deletable(uow, user, collaborator_id, business=not handing_over)
        return CollaboratorRow.of(deletable[1])


def delete_collaborator(
    uow: UnitOfWork,
    user: CurrentUser,
    collaborator_id: int,
    *,
    expected_version: int | None = None,
    clients_to: int | None = None,
    events_to: int | None = None,
) -> None:
    """Delete a collaborator (gestion); never oneself, never a commercial who owns clients
    (unless `clients_to` takes them over first, with `events_to` their upcoming events).

    A deleted support contact's events become "without support" (the foreign key does it).
    `expected_version`: the version the confirmation showed; a change made since is refused.
    """
    with uow:
        actor, collaborator = _deletable(uow, user, collaborator_id, clients_to, events_to)
        require_unchanged(collaborator, expected_version, "collaborator")
        department = collaborator.department_name.value
        gone = {
            field: [value, None] for field, value in audit.snapshot(collaborator, AUDITED).items()
        }
        audit.record(uow, actor, "delete", "collaborator", collaborator.id, gone)
        uow.collaborators.delete(collaborator)
        uow.flush()
        uow.commit()
    monitoring.record(
        "collaborator.deleted",
        actor_id=actor.id,
        collaborator_id=collaborator_id,
        department=department,
    )


def update_own_profile(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    name: str | None = None,
    phone: str | None = None,
    expected_version: int | None = None,
) -> CollaboratorRow:
    """Change one's own name or phone (everyone); a change made by gestion since the form
    opened (`expected_version`) is refused, not overwritten."""
    with uow:
        actor = authorise(uow, user, Action.OWN_PROFILE)
        require_unchanged(actor, expected_version, "collaborator")
        changes = audit.pending_changes(
            actor,
            {
                "name": None if name is None else validate_name(name),
                "phone": None if phone is None else validate_phone(phone),
            },
        )
        audit.apply_changes(uow, actor, actor, "collaborator", changes, AUDITED)
        uow.commit()
        uow.collaborators.refresh(actor)
        return CollaboratorRow.of(actor)


def check_own_password(uow: UnitOfWork, user: CurrentUser, password: str) -> None:
    """Refuse unless `password` is the user's current one (everyone, for their own): what
    the change-password form checks first, before the new password is typed."""
    with uow:
        actor = authorise(uow, user, Action.OWN_PROFILE)
        _prove_own_password(uow, actor, password, "The current password is wrong.")


def _prove_own_password(
    uow: UnitOfWork, actor: Collaborator, password: str | None, wrong: str
) -> None:
    """The database checks the proof of one's current password (never the program: it reads
    no verifier), counts a failure like a login's, and answers once the proof is committed;
    a proven password lets one change of it through, from the next transaction."""
    challenge = uow.logins.challenge(actor.email)
    uow.logins.prove_own_password(passwords.proof(password or "", challenge))
    uow.commit()
    verdict = uow.logins.own_password_check()
    if verdict == "wait":
        raise TooManyAttempts("Too many wrong passwords for this account: try again in a moment.")
    if verdict != "proven":
        raise PermissionDenied(wrong)


def change_own_password(
    uow: UnitOfWork, user: CurrentUser, *, current_password: str, new_password: str
) -> CollaboratorRow:
    """Change one's own password (everyone), proven with the current one; every other
    session of theirs ends in the database, this one goes on."""
    with uow:
        actor = authorise(uow, user, Action.OWN_PROFILE)
        validate_password(new_password)
        if new_password == current_password:
            raise ValidationError("The new password must differ from the current one.")
        _prove_own_password(
            uow,
            actor,
            current_password,
            "The current password is wrong: the password was not changed.",
        )
        actor = load_actor(uow, user)  # the next transaction: as it is now
        changes = {
            "password_hash": passwords.hash_password(new_password),
            "token_version": actor.token_version + 1,
        }
        audit.apply_changes(
            uow, actor, actor, "collaborator", changes, AUDITED, hidden=("password",)
        )
        uow.commit()
        uow.collaborators.refresh(actor)
        return CollaboratorRow.of(actor)
