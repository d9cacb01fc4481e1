"""Queries on collaborators and departments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from epic_events.managers.exports import ExportColumns, JsonFields
from epic_events.managers.paging import Listing, columns_search
from epic_events.models import Client, Collaborator, Contract, Department, Event

# Its own name: a listing of one department already joins `departments`.
ShownDepartment = aliased(Department, name="shown_department")


class CollaboratorManager:
    def __init__(self, session: Session):
        self.session = session

    def get(self, collaborator_id: int) -> Collaborator | None:
        return self.session.get(Collaborator, collaborator_id)

    def get_for_update(self, collaborator_id: int) -> Collaborator | None:
        """The collaborator, its row locked until the transaction ends."""
        return self.session.scalar(
            select(Collaborator)
            .where(Collaborator.id == collaborator_id)
            .with_for_update(of=Collaborator)
            .execution_options(populate_existing=True)  # read as of the lock, not as cached
        )

    def get_by_email(self, email: str) -> Collaborator | None:
        return self.session.scalar(select(Collaborator).where(Collaborator.email == email.lower()))

    def department(self, name: str) -> Department | None:
        return self.session.scalar(select(Department).where(Department.name == name))

    def listing(self, department: str | None = None, *, active_only: bool = False) -> Listing:
        """Collaborators by name, searched in name and email, of one department when given
        (the active ones only with `active_only`)."""
        statement = select(Collaborator)
        if active_only:
            statement = statement.where(Collaborator.active)
        if department is not None:
            statement = statement.join(Collaborator.department).where(Department.name == department)
        return Listing(
            self.session,
            statement,
            sort_columns={"name": func.lower(Collaborator.name)},
            search=columns_search(Collaborator.name, Collaborator.email),
            tiebreak=Collaborator.id,
        )

    def export_columns(self) -> ExportColumns:
        """A collaborator's cells in an export (controllers/exports.py's
        COLLABORATOR_HEADER): never a hash, never a token version."""
        return ExportColumns(
            [
                Collaborator.id,
                Collaborator.name,
                Collaborator.email,
                Collaborator.phone,
                ShownDepartment.name,
            ],
            joins=[(ShownDepartment, ShownDepartment.id == Collaborator.department_id)],
        )

    def json_fields(self) -> JsonFields:
        """A collaborator in a JSON list: read_models.CollaboratorRow's keys, without the
        session generation (never a password hash)."""
        return JsonFields(
            {
                "id": Collaborator.id,
                "name": Collaborator.name,
                "email": Collaborator.email,
                "phone": Collaborator.phone,
                "department": ShownDepartment.name,
                "active": Collaborator.active,
                "created_at": Collaborator.created_at,
                "updated_at": Collaborator.updated_at,
                "version": Collaborator.version,
            },
            joins=[(ShownDepartment, ShownDepartment.id == Collaborator.department_id)],
        )

    def add(self, collaborator: Collaborator) -> Collaborator:
        self.session.add(collaborator)
        return collaborator

    def delete(self, collaborator: Collaborator) -> None:
        self.session.delete(collaborator)

    def refresh(self, collaborator: Collaborator) -> None:
        """Read the row again (its version and update time were set by the database)."""
        self.session.refresh(collaborator)

    def owned_clients(
        self, collaborator_id: int, limit: int = 10, *, archived: bool = True
    ) -> tuple[list[Client], int]:
        """Up to `limit` clients whose commercial contact is this collaborator, and their count
        (the live ones only when not `archived`)."""
        condition = Client.commercial_contact_id == collaborator_id
        if not archived:
            condition = and_(condition, Client.archived_at.is_(None))
        total = self.session.scalar(select(func.count()).select_from(Client).where(condition))
        clients = self.session.scalars(
            select(Client).where(condition).order_by(Client.full_name, Client.id).limit(limit)
        ).all()
        return list(clients), total

    def contracts_in_charge(self, collaborator_id: int, *, archived: bool = True) -> int:
        condition = Contract.commercial_contact_id == collaborator_id
        if not archived:
            condition = and_(condition, Contract.archived_at.is_(None))
        return self.session.scalar(select(func.count()).select_from(Contract).where(condition))

    def upcoming_events_supported(self, collaborator_id: int, now: datetime) -> int:
        return self.session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.support_contact_id == collaborator_id, Event.end_at >= now)
        )
