"""Archiving in bulk: the contracts and events that go (or come back) with their client or
contract, stamped in one UPDATE each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from epic_events.models import Contract, Event


def _archived_as(model, stamp: datetime | None):
    """Rows not archived (`stamp` None), or archived at exactly `stamp` (with their parent)."""
    return model.archived_at.is_(None) if stamp is None else model.archived_at == stamp


class ArchiveManager:
    def __init__(self, session: Session):
        self.session = session

    def _stamp(self, model, condition, when: datetime | None) -> list[int]:
        return list(
            self.session.scalars(
                update(model).where(condition).values(archived_at=when).returning(model.id)
            )
        )

    def stamp_contracts_of_client(
        self, client_id: int, *, archived_at: datetime | None, when: datetime | None
    ) -> list[int]:
        """Set `when` as archived_at on the client's contracts archived as `archived_at`
        (None: not archived); their ids."""
        condition = (Contract.client_id == client_id) & _archived_as(Contract, archived_at)
        return self._stamp(Contract, condition, when)

    def stamp_events_of_client(
        self, client_id: int, *, archived_at: datetime | None, when: datetime | None
    ) -> list[int]:
        """The same for the events of the client's contracts."""
        contracts = select(Contract.id).where(Contract.client_id == client_id)
        condition = Event.contract_id.in_(contracts) & _archived_as(Event, archived_at)
        return self._stamp(Event, condition, when)

    def stamp_events_of_contract(
        self, contract_id: int, *, archived_at: datetime | None, when: datetime | None
    ) -> list[int]:
        """The same for the events of one contract."""
        condition = (Event.contract_id == contract_id) & _archived_as(Event, archived_at)
        return self._stamp(Event, condition, when)
