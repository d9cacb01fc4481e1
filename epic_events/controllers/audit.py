"""Writing history: every create, update, sign, assign, archive and restore leaves a row,
in the same transaction as the change (a change that fails leaves none)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from enum import Enum

from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import Action
from epic_events.db import UnitOfWork
from epic_events.errors import ValidationError
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


def created(record, fields: tuple[str, ...]) -> dict[str, list]:
    """A creation's history: every field, from nothing to its value."""
    return {field: [None, value] for field, value in snapshot(record, fields).items()}


def pending_changes(target, candidates: dict, *, required: bool = True) -> dict:
    """The candidate values that were given (not None) and differ from `target`'s.

    With `required`, none is refused with NOTHING_TO_CHANGE: the one place that says it.
    """
    changes = {
        field: value
        for field, value in candidates.items()
        if value is not None and value != getattr(target, field)
    }
    if required and not changes:
        raise ValidationError(NOTHING_TO_CHANGE)
    return changes


def apply_changes(
    uow: UnitOfWork,
    actor: Collaborator,
    target,
    entity: str,
    changes: dict,
    fields: tuple[str, ...],
    *,
    action: str = "update",
    hidden: tuple[str, ...] = (),
) -> dict[str, list]:
    """Set `changes` on `target` and write its history row: {field: [before, after]} for
    the `fields` that changed, and `hidden` ones (a password) named without their values.
    The same for all four entities. Returns what the history row says."""
    before = snapshot(target, fields)
    for field, value in changes.items():
        setattr(target, field, value)
    uow.flush()
    said = diff(before, snapshot(target, fields))
    said.update({field: [HIDDEN, HIDDEN] for field in hidden})
    record(uow, actor, action, entity, target.id, said)
    return said


def record(
    uow: UnitOfWork,
    actor: Collaborator,
    action: str,
    entity: str,
    entity_id: int,
    changes: dict | None = None,
) -> None:
    """Add a history row to the unit of work (committed with the change, or not at all)."""
    uow.audit.add(
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
        return page_of(HistoryLine, uow.audit.history(entity, entity_id, query))


def recent_activity(uow: UnitOfWork, user: CurrentUser, query: ListQuery) -> Page[HistoryLine]:
    """Everything that changed, latest first (gestion)."""
    with uow:
        authorise(uow, user, Action.ACTIVITY_READ)
        return page_of(HistoryLine, uow.audit.recent(query))


def stream_history(
    uow: UnitOfWork, user: CurrentUser, entity: str, entity_id: int, query: ListQuery
) -> Iterator[HistoryLine]:
    """Every line of one record's history in `query`'s order, as `history` pages it,
    through one cursor (flat memory, no count). A generator: the rights are checked when
    the first line is asked for."""
    with uow:
        action = Action.COLLABORATOR_LIST if entity == "collaborator" else Action.READ_ALL
        authorise(uow, user, action)
        for entry in uow.audit.history_listing(entity, entity_id).stream(query):
            yield HistoryLine.of(entry)


def stream_activity(uow: UnitOfWork, user: CurrentUser, query: ListQuery) -> Iterator[HistoryLine]:
    """Everything that changed in `query`'s order, through one cursor (gestion)."""
    with uow:
        authorise(uow, user, Action.ACTIVITY_READ)
        for entry in uow.audit.activity_listing().stream(query):
            yield HistoryLine.of(entry)
