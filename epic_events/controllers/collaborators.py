"""Use cases on collaborators: gestion administers them, everyone edits their own profile."""

from __future__ import annotations

from datetime import UTC, datetime

from epic_events import monitoring
from epic_events.auth import passwords
from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise, load_actor
from epic_events.controllers.permissions import Action, require
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict, NotFound, PermissionDenied, ValidationError
from epic_events.managers.collaborators import CollaboratorManager
from epic_events.models import Collaborator, DepartmentName
from epic_events.paging import DEFAULT_PAGE_SIZE, Page
from epic_events.read_models import CollaboratorRow, page_of
from epic_events.validators import (
    validate_department,
    validate_email,
    validate_name,
    validate_password,
    validate_phone,
)

LISTED_CLIENTS = 10


def _lock_with_actor(
    manager: CollaboratorManager, actor: Collaborator, collaborator_id: int
) -> Collaborator:
    """Lock the actor's row and the target's, in id order, and check the actor again.

    Two managers acting on each other at the same moment (deactivating, demoting or deleting
    each other) then run one after the other: the second finds it has lost the right, so
    there is always a manager left.
    """
    locked = {
        collaborator: manager.get_for_update(collaborator)
        for collaborator in sorted({actor.id, collaborator_id})
    }
    me = locked.get(actor.id)
    if me is None or not me.active or me.department_name != DepartmentName.GESTION:
        raise PermissionDenied("Your rights changed meanwhile: nothing was done.")
    target = locked.get(collaborator_id)
    if target is None:
        raise NotFound(f"There is no collaborator #{collaborator_id}.")
    return target


def _get(manager: CollaboratorManager, collaborator_id: int, *, for_update=False) -> Collaborator:
    collaborator = (
        manager.get_for_update(collaborator_id) if for_update else manager.get(collaborator_id)
    )
    if collaborator is None:
        raise NotFound(f"There is no collaborator #{collaborator_id}.")
    return collaborator


def list_collaborators(
    uow: UnitOfWork,
    user: CurrentUser,
    page: int = 1,
    search: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    department: str | None = None,
) -> Page[CollaboratorRow]:
    """One page of collaborators (gestion), of one department when given."""
    with uow:
        authorise(uow, user, Action.COLLABORATOR_LIST)
        department = None if department is None else validate_department(department).value
        return page_of(
            CollaboratorRow,
            CollaboratorManager(uow.session).page(
                page, size, (search or "").strip() or None, department
            ),
        )


def get_collaborator(uow: UnitOfWork, user: CurrentUser, collaborator_id: int) -> CollaboratorRow:
    """One collaborator (gestion, or anyone for themselves)."""
    with uow:
        actor = load_actor(uow, user)
        if actor.id != collaborator_id:
            require(actor.department_name, Action.COLLABORATOR_LIST)
        return CollaboratorRow.of(_get(CollaboratorManager(uow.session), collaborator_id))


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
        manager = CollaboratorManager(uow.session)
        email = validate_email(email)
        department_name = validate_department(department)
        collaborator = Collaborator(
            name=validate_name(name),
            email=email,
            phone=validate_phone(phone),
            password_hash=passwords.hash_password(validate_password(password)),
        )
        if manager.get_by_email(email) is not None:
            raise Conflict(f"A collaborator with the email {email} already exists.")
        department_row = manager.department(department_name)
        if department_row is None:
            raise ValidationError(f"The department {department_name} is missing: run setup.py.")
        collaborator.department = department_row
        manager.add(collaborator)
        uow.flush()
        audit.record(uow, actor, "create", "collaborator", collaborator.id, _created(collaborator))
        uow.commit()
    monitoring.record(
        "collaborator.created",
        actor_id=actor.id,
        collaborator_id=collaborator.id,
        department=department_name.value,
    )
    return CollaboratorRow.of(collaborator)


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
) -> CollaboratorRow:
    """Change a collaborator's details, department or password (gestion).

    No one changes their own department. A commercial who owns clients, or a support
    contact with upcoming events, keeps their department until those are reassigned.
    """
    with uow:
        actor = authorise(uow, user, Action.COLLABORATOR_UPDATE)
        manager = CollaboratorManager(uow.session)
        collaborator = _lock_with_actor(manager, actor, collaborator_id)
        before = _fields(collaborator)
        changed = _set_name_and_phone(collaborator, name, phone)
        if email is not None and validate_email(email) != collaborator.email:
            new_email = validate_email(email)
            if manager.get_by_email(new_email) is not None:
                raise Conflict(f"A collaborator with the email {new_email} already exists.")
            collaborator.email = new_email
            changed.append("email")
        if department is not None:
            new_department = validate_department(department)
            if new_department != collaborator.department_name:
                if collaborator.id == actor.id:
                    raise PermissionDenied("No one can change their own department.")
                _check_can_leave_department(manager, collaborator)
                collaborator.department = manager.department(new_department)
                changed.append("department")
        if password and collaborator.id == actor.id:
            raise PermissionDenied(
                "Change your own password from My profile: it asks for the current one."
            )
        if password:
            collaborator.password_hash = passwords.hash_password(validate_password(password))
            changed.append("password")
        if not changed:
            raise ValidationError(audit.NOTHING_TO_CHANGE)
        if {"department", "password", "email"} & set(changed):
            collaborator.token_version += 1  # their open sessions must log in again
        changes = audit.diff(before, _fields(collaborator))
        if "password" in changed:
            changes["password"] = [audit.HIDDEN, audit.HIDDEN]
        uow.flush()
        audit.record(uow, actor, "update", "collaborator", collaborator.id, changes)
        uow.commit()
        uow.session.refresh(collaborator)
    monitoring.record(
        "collaborator.updated",
        actor_id=actor.id,
        collaborator_id=collaborator.id,
        fields=",".join(changed),
    )
    return CollaboratorRow.of(collaborator)


AUDITED = ("name", "email", "phone", "department_name", "active")


def _fields(collaborator: Collaborator) -> dict[str, str | None]:
    return audit.snapshot(collaborator, AUDITED)


def _created(collaborator: Collaborator) -> dict[str, list]:
    return {field: [None, value] for field, value in _fields(collaborator).items()}


def set_active(
    uow: UnitOfWork, user: CurrentUser, collaborator_id: int, *, active: bool
) -> CollaboratorRow:
    """Deactivate a collaborator who leaves (their sessions end at once) or bring them back
    (gestion). Unlike deletion, nothing about them is lost."""
    with uow:
        actor = authorise(uow, user, Action.COLLABORATOR_DEACTIVATE)
        if collaborator_id == actor.id:
            raise PermissionDenied("You cannot deactivate your own account.")
        manager = CollaboratorManager(uow.session)
        collaborator = _lock_with_actor(manager, actor, collaborator_id)
        if collaborator.active == active:
            state = "active" if active else "deactivated"
            raise ValidationError(f"{collaborator.name} is already {state}.")
        if not active:  # like leaving the department: nothing of theirs is left unmanaged
            _check_can_leave_department(manager, collaborator, "deactivating them")
        before = _fields(collaborator)
        collaborator.active = active
        collaborator.token_version += 1  # a deactivated session dies now, not at expiry
        uow.flush()
        action = "reactivate" if active else "deactivate"
        audit.record(
            uow,
            actor,
            action,
            "collaborator",
            collaborator.id,
            audit.diff(before, _fields(collaborator)),
        )
        uow.commit()
        uow.session.refresh(collaborator)
    monitoring.record(f"collaborator.{action}d", actor_id=actor.id, collaborator_id=collaborator.id)
    return CollaboratorRow.of(collaborator)


def _set_name_and_phone(
    collaborator: Collaborator, name: str | None, phone: str | None
) -> list[str]:
    """Apply the new name and phone that differ; return the fields changed."""
    changed = []
    if name is not None and validate_name(name) != collaborator.name:
        collaborator.name = validate_name(name)
        changed.append("name")
    if phone is not None and validate_phone(phone) != collaborator.phone:
        collaborator.phone = validate_phone(phone)
        changed.append("phone")
    return changed


def _check_can_leave_department(
    manager: CollaboratorManager,
    collaborator: Collaborator,
    what: str = "changing their department",
) -> None:
    """Refuse while the collaborator still holds clients (commerce) or upcoming events
    (support): `what` names the change, for the message."""
    department = collaborator.department_name
    if department == DepartmentName.COMMERCE:
        _refuse_if_owns_business(manager, collaborator, what)
    elif department == DepartmentName.SUPPORT:
        upcoming = manager.upcoming_events_supported(collaborator.id, datetime.now(UTC))
        if upcoming:
            raise Conflict(
                f"{collaborator.name} supports {upcoming} upcoming event(s): "
                f"assign them to someone else before {what}."
            )


def _refuse_if_owns_business(
    manager: CollaboratorManager, collaborator: Collaborator, what: str
) -> None:
    clients, total = manager.owned_clients(collaborator.id, limit=LISTED_CLIENTS)
    if total:
        names = ", ".join(f"#{client.id} {client.full_name}" for client in clients)
        more = f" and {total - len(clients)} more" if total > len(clients) else ""
        raise Conflict(
            f"{collaborator.name} is still the commercial contact of {total} client(s): "
            f"{names}{more}. Reassign them before {what}."
        )
    contracts = manager.contracts_in_charge(collaborator.id)
    if contracts:
        raise Conflict(
            f"{collaborator.name} is still in charge of {contracts} contract(s): "
            f"reassign them before {what}."
        )


def _deletable(uow: UnitOfWork, user: CurrentUser, collaborator_id: int):
    actor = authorise(uow, user, Action.COLLABORATOR_DELETE)
    if collaborator_id == actor.id:
        raise PermissionDenied("You cannot delete your own account.")
    manager = CollaboratorManager(uow.session)
    collaborator = _lock_with_actor(manager, actor, collaborator_id)
    _refuse_if_owns_business(manager, collaborator, "deleting them")
    return actor, manager, collaborator


def check_delete_collaborator(
    uow: UnitOfWork, user: CurrentUser, collaborator_id: int
) -> CollaboratorRow:
    """The collaborator, when they may be deleted now: lets the view ask to confirm only then."""
    with uow:
        return CollaboratorRow.of(_deletable(uow, user, collaborator_id)[2])


def delete_collaborator(uow: UnitOfWork, user: CurrentUser, collaborator_id: int) -> None:
    """Delete a collaborator (gestion); never oneself, never a commercial who owns clients.

    A deleted support contact's events become "without support" (the foreign key does it).
    """
    with uow:
        actor, manager, collaborator = _deletable(uow, user, collaborator_id)
        department = collaborator.department_name.value
        gone = {field: [value, None] for field, value in _fields(collaborator).items()}
        audit.record(uow, actor, "delete", "collaborator", collaborator.id, gone)
        manager.delete(collaborator)
        uow.flush()
        uow.commit()
    monitoring.record(
        "collaborator.deleted",
        actor_id=actor.id,
        collaborator_id=collaborator_id,
        department=department,
    )


def update_own_profile(
    uow: UnitOfWork, user: CurrentUser, *, name: str | None = None, phone: str | None = None
) -> CollaboratorRow:
    """Change one's own name or phone (everyone)."""
    with uow:
        actor = authorise(uow, user, Action.OWN_PROFILE)
        before = _fields(actor)
        if not _set_name_and_phone(actor, name, phone):
            raise ValidationError(audit.NOTHING_TO_CHANGE)
        audit.record(
            uow, actor, "update", "collaborator", actor.id, audit.diff(before, _fields(actor))
        )
        uow.flush()
        uow.commit()
        uow.session.refresh(actor)
        return CollaboratorRow.of(actor)


def change_own_password(
    uow: UnitOfWork, user: CurrentUser, *, current_password: str, new_password: str
) -> CollaboratorRow:
    """Change one's own password (everyone); every other session of theirs ends."""
    with uow:
        actor = authorise(uow, user, Action.OWN_PROFILE)
        if not passwords.verify_password(actor.password_hash, current_password or ""):
            raise PermissionDenied("The current password is wrong: the password was not changed.")
        validate_password(new_password)
        if new_password == current_password:
            raise ValidationError("The new password must differ from the current one.")
        actor.password_hash = passwords.hash_password(new_password)
        actor.token_version += 1
        changes = {"password": [audit.HIDDEN, audit.HIDDEN]}
        audit.record(uow, actor, "update", "collaborator", actor.id, changes)
        uow.flush()
        uow.commit()
        uow.session.refresh(actor)
        return CollaboratorRow.of(actor)
