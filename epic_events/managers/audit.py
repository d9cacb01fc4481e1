"""The audit log: written in the transaction of the change it records, read page by page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from epic_events.managers.paging import Listing, columns_search
from epic_events.models import AuditEntry
from epic_events.paging import ListQuery, Page


class AuditManager:
    def __init__(self, session: Session):
        self.session = session

    def add(self, entry: AuditEntry) -> AuditEntry:
        self.session.add(entry)
        return entry

    def _listing(self, *filters) -> Listing:
        return Listing(
            self.session,
            select(AuditEntry).where(*filters),
            sort_columns={"at": AuditEntry.at},
            search=columns_search(AuditEntry.actor_name, AuditEntry.action, AuditEntry.entity),
            tiebreak=AuditEntry.id,
        )

    def history(self, entity: str, entity_id: int, query: ListQuery) -> Page[AuditEntry]:
        """What happened to one client, contract, event or collaborator, latest first."""
        filters = (AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        return self._listing(*filters).page(query)

    def recent(self, query: ListQuery) -> Page[AuditEntry]:
        """Everything, latest first."""
        return self._listing().page(query)
