"""Writing history: every create, update, sign, assign, archive and restore leaves a row,
in the same transaction as the change (a change that fails leaves none)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import Action
from epic_events.db import UnitOfWork
from epic_events.managers.audit import AuditManager
from epic_events.models import AuditEntry, Collaborator
from epic_events.paging import ListQuery, Page
from epic_events.read_models import HistoryLine, page_of

HIDDEN = "(hidden)"
ENTITIES = ("client", "contract", "event", "collaborator")
SECRET_FIELDS = {"password", "password_hash"}


def as_text(value) -> str | None:
    """A field's value as history shows it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def snapshot(record, fields: tuple[str, ...]) -> dict[str, str | None]:
    return {field: as_text(getattr(record, field)) for field in fields}


def diff(before: dict, after: dict) -> dict[str, list]:
    """{field: [before, after]} for the fields that changed; secrets never shown."""
    changes = {}
    for field, old in before.items():
        new = after.get(field)
        if old != new:
            changes[field] = [HIDDEN, HIDDEN] if field in SECRET_FIELDS else [old, new]
    return changes


NOTHING_TO_CHANGE = "Nothing to change: every value is the same as before."


def pending_changes(target, candidates: dict) -> dict:
    """The candidate values that were given and differ from `target`'s; refuse when none."""
    from epic_events.errors import ValidationError

    changes = {
        field: value
        for field, value in candidates.items()
        if value is not None and value != getattr(target, field)
    }
    if not changes:
        raise ValidationError(NOTHING_TO_CHANGE)
    return changes


def apply_changes(
    uow: UnitOfWork,
    actor: Collaborator,
    target,
    entity: str,
    changes: dict,
    fields: tuple[str, ...],
) -> None:
    """Set `changes` on `target` and write the update's history row with it."""
    before = snapshot(target, fields)
    for field, value in changes.items():
        setattr(target, field, value)
    uow.flush()
    record(uow, actor, "update", entity, target.id, diff(before, snapshot(target, fields)))


def record(
    uow: UnitOfWork,
    actor: Collaborator,
    action: str,
    entity: str,
    entity_id: int,
    changes: dict | None = None,
) -> None:
    """Add a history row to the unit of work (committed with the change, or not at all)."""
    AuditManager(uow.session).add(
        AuditEntry(
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=changes or {},
        )
    )


def history(
    uow: UnitOfWork, user: CurrentUser, entity: str, entity_id: int, query: ListQuery
) -> Page[HistoryLine]:
    """The history of one client, contract, event (everyone) or collaborator (gestion)."""
    with uow:
        action = Action.COLLABORATOR_LIST if entity == "collaborator" else Action.READ_ALL
        authorise(uow, user, action)
        return page_of(HistoryLine, AuditManager(uow.session).history(entity, entity_id, query))


def recent_activity(uow: UnitOfWork, user: CurrentUser, query: ListQuery) -> Page[HistoryLine]:
    """Everything that changed, latest first (gestion)."""
    with uow:
        authorise(uow, user, Action.ACTIVITY_READ)
        return page_of(HistoryLine, AuditManager(uow.session).recent(query))
