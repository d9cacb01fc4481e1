"""Archive instead of delete (gestion): hidden from lists, read-only, restorable, never lost.

Archiving a client archives its contracts and events with it; archiving a contract, its
events. Restoring brings back exactly what was archived together (same timestamp).
"""

from __future__ import annotations

from datetime import UTC, datetime

from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.guards import load_client, load_contract, load_event
from epic_events.controllers.permissions import Action
from epic_events.db import UnitOfWork
from epic_events.errors import Conflict


def _with(uow: UnitOfWork, actor, entity: str, ids: list[int], when, reason: str) -> int:
    """Give each row archived (`when` a time) or restored (`when` None) with its client or
    contract a history row saying so; return how many."""
    action = "archive" if when is not None else "restore"
    for record_id in ids:
        audit.record(uow, actor, action, entity, record_id, {"with": [None, reason]})
    return len(ids)


def _cascade_client(uow: UnitOfWork, actor, client, archived_at, when) -> dict[str, int]:
    """Archive (`when` a time) or restore (`when` None) the client's contracts and events
    archived as `archived_at`: not archived (None), or archived with the client."""
    why = f"client #{client.id}"
    stamp = uow.archive
    contracts = stamp.stamp_contracts_of_client(client.id, archived_at=archived_at, when=when)
    events = stamp.stamp_events_of_client(client.id, archived_at=archived_at, when=when)
    return {
        "contracts": _with(uow, actor, "contract", contracts, when, why),
        "events": _with(uow, actor, "event", events, when, why),
    }


def _cascade_contract(uow: UnitOfWork, actor, contract, archived_at, when) -> dict[str, int]:
    events = uow.archive.stamp_events_of_contract(contract.id, archived_at=archived_at, when=when)
    return {"events": _with(uow, actor, "event", events, when, f"contract #{contract.id}")}


LOADERS = {"clients": load_client, "contracts": load_contract, "events": load_event}


def check_archive(uow: UnitOfWork, user: CurrentUser, entity: str, record_id: int) -> None:
    """Refuse as archiving `entity` ("clients", "contracts", "events") #`record_id` would
    (rights, then existence, then already archived), changing nothing: lets a view ask to
    confirm only when the answer matters."""
    with uow:
        authorise(uow, user, Action.ARCHIVE)
        record = LOADERS[entity](uow, record_id)
        if record.archived_at is not None:
            name = entity.removesuffix("s").capitalize()
            raise Conflict(f"{name} #{record.id} is already archived.")


def archive_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> dict[str, int]:
    """Archive a client with its contracts and events; return what was archived."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        client = load_client(uow, client_id, for_update=True)
        if client.archived_at is not None:
            raise Conflict(f"Client #{client.id} is already archived.")
        client.archived_at = datetime.now(UTC)
        counts = _cascade_client(uow, actor, client, None, client.archived_at)
        uow.flush()
        audit.record(uow, actor, "archive", "client", client.id, _counts(counts))
        uow.commit()
        return counts


def restore_client(uow: UnitOfWork, user: CurrentUser, client_id: int) -> dict[str, int]:
    """Restore a client and what was archived with it."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        client = load_client(uow, client_id, for_update=True)
        when = client.archived_at
        if when is None:
            raise Conflict(f"Client #{client.id} is not archived.")
        client.archived_at = None
        counts = _cascade_client(uow, actor, client, when, None)
        uow.flush()
        audit.record(uow, actor, "restore", "client", client.id, _counts(counts))
        uow.commit()
        return counts


def archive_contract(uow: UnitOfWork, user: CurrentUser, contract_id: int) -> dict[str, int]:
    """Archive a contract with its events."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        contract = load_contract(uow, contract_id, for_update=True)
        if contract.archived_at is not None:
            raise Conflict(f"Contract #{contract.id} is already archived.")
        contract.archived_at = datetime.now(UTC)
        counts = _cascade_contract(uow, actor, contract, None, contract.archived_at)
        uow.flush()
        audit.record(uow, actor, "archive", "contract", contract.id, _counts(counts))
        uow.commit()
        return counts


def restore_contract(uow: UnitOfWork, user: CurrentUser, contract_id: int) -> dict[str, int]:
    """Restore a contract and the events archived with it; its client must be active."""
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        contract = load_contract(uow, contract_id, for_update=True)
        when = contract.archived_at
        if when is None:
            raise Conflict(f"Contract #{contract.id} is not archived.")
        if contract.client.archived_at is not None:
            raise Conflict(
                f"Its client #{contract.client_id} is archived: restore the client first."
            )
        contract.archived_at = None
        counts = _cascade_contract(uow, actor, contract, when, None)
        uow.flush()
        audit.record(uow, actor, "restore", "contract", contract.id, _counts(counts))
        uow.commit()
        return counts


def archive_event(uow: UnitOfWork, user: CurrentUser, event_id: int) -> None:
    with uow:
        actor = authorise(uow, user, Action.ARCHIVE)
        event = load_event(uow, event_id, for_update=True)
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
        event = load_event(uow, event_id, for_update=True)
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
