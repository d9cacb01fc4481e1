"""Archive instead of delete (gestion): hidden from lists, read-only, restorable, never lost.

Archiving a client archives its contracts and events with it; archiving a contract, its
events. Restoring brings back exactly what was archived together (same timestamp).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.clients import load_client
from epic_events.controllers.contracts import load_contract
from epic_events.controllers.events import load_event
from epic_events.controllers.permissions import Action
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict
from epic_events.managers.clients import ClientManager
from epic_events.managers.contracts import ContractManager
from epic_events.managers.events import EventManager
from epic_events.models import Contract, Event


def _stamp(uow: UnitOfWork, actor, model, condition, when, reason: str) -> int:
    """Set archived_at on the rows matching `condition`, give each a history row saying
    why (with the client or contract), and return how many."""
    ids = uow.session.scalars(
        update(model).where(condition).values(archived_at=when).returning(model.id)
    ).all()
    entity = model.__tablename__.removesuffix("s")
    action = "archive" if when is not None else "restore"
    for record_id in ids:
        audit.record(uow, actor, action, entity, record_id, {"with": [None, reason]})
    return len(ids)


def _cascade_client(uow: UnitOfWork, actor, client, matches, when) -> dict[str, int]:
    """Archive (`when` a time) or restore (`when` None) the client's contracts and events
    whose archived_at `matches`: unarchived ones, or those archived with the client."""
    why = f"client #{client.id}"
    of_client = Contract.client_id == client.id
    contracts = _stamp(uow, actor, Contract, of_client & matches(Contract), when, why)
    of_contracts = Event.contract_id.in_(select(Contract.id).where(of_client))
    events = _stamp(uow, actor, Event, of_contracts & matches(Event), when, why)
    return {"contracts": contracts, "events": events}


def archive_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> dict[str, int]:
    """Archive a client with its contracts and events; return what was archived."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        client = load_client(ClientManager(uow.session), client_id, for_update=True)
        if client.archived_at is not None:
            raise Conflict(f"Client #{client.id} is already archived.")
        client.archived_at = datetime.now(UTC)
        counts = _cascade_client(
            uow, actor, client, lambda model: model.archived_at.is_(None), client.archived_at
        )
        uow.flush()
        audit.record(uow, actor, "archive", "client", client.id, _counts(counts))
        uow.commit()
        return counts


def restore_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> dict[str, int]:
    """Restore a client and what was archived with it."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        client = load_client(ClientManager(uow.session), client_id, for_update=True)
        when = client.archived_at
        if when is None:
            raise Conflict(f"Client #{client.id} is not archived.")
        client.archived_at = None
        counts = _cascade_client(uow, actor, client, lambda model: model.archived_at == when, None)
        uow.flush()
        audit.record(uow, actor, "restore", "client", client.id, _counts(counts))
        uow.commit()
        return counts


def archive_contract(uow: UnitOfWork, user: CurrentUser, contract_id: int) -> dict[str, int]:
    """Archive a contract with its events."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        contract = load_contract(ContractManager(uow.session), contract_id, for_update=True)
        if contract.archived_at is not None:
            raise Conflict(f"Contract #{contract.id} is already archived.")
        now = datetime.now(UTC)
        contract.archived_at = now
        condition = (Event.contract_id == contract.id) & Event.archived_at.is_(None)
        counts = {"events": _stamp(uow, actor, Event, condition, now, f"contract #{contract.id}")}
        uow.flush()
        audit.record(uow, actor, "archive", "contract", contract.id, _counts(counts))
        uow.commit()
        return counts


def restore_contract(uow: UnitOfWork, user: CurrentUser, contract_id: int) -> dict[str, int]:
    """Restore a contract and the events archived with it; its client must be active."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        contract = load_contract(ContractManager(uow.session), contract_id, for_update=True)
        when = contract.archived_at
        if when is None:
            raise Conflict(f"Contract #{contract.id} is not archived.")
        if contract.client.archived_at is not None:
            raise Conflict(
                f"Its client #{contract.client_id} is archived: restore the client first."
            )
        contract.archived_at = None
        condition = (Event.contract_id == contract.id) & (Event.archived_at == when)
        counts = {"events": _stamp(uow, actor, Event, condition, None, f"contract #{contract.id}")}
        uow.flush()
        audit.record(uow, actor, "restore", "contract", contract.id, _counts(counts))
        uow.commit()
        return counts


def archive_event(uow: UnitOfWork, user: CurrentUser, event_id: int) -> None:
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        event = load_event(EventManager(uow.session), event_id, for_update=True)
        if event.archived_at is not None:
            raise Conflict(f"Event #{event.id} is already archived.")
        event.archived_at = datetime.now(UTC)
        uow.flush()
        audit.record(uow, actor, "archive", "event", event.id)
        uow.commit()


def restore_event(uow: UnitOfWork, user: CurrentUser, event_id: int) -> None:
    """Restore an event; its contract must be active."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        event = load_event(EventManager(uow.session), event_id, for_update=True)
        if event.archived_at is None:
            raise Conflict(f"Event #{event.id} is not archived.")
        if event.contract.archived_at is not None:
            raise Conflict(
                f"Its contract #{event.contract_id} is archived: restore the contract first."
            )
        event.archived_at = None
        uow.flush()
        audit.record(uow, actor, "restore", "event", event.id)
        uow.commit()


def _counts(counts: dict[str, int]) -> dict[str, list]:
    return {f"{what}_with_it": [None, str(number)] for what, number in counts.items()}
