"""Queries on events, with the named filters of the SPEC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased, contains_eager

from epic_events.managers.exports import ExportColumns, JsonFields, local_time
from epic_events.managers.locking import get_row
from epic_events.managers.paging import Listing, document_search
from epic_events.models import Client, Collaborator, Contract, Event, EventSearch

Support = aliased(Collaborator, name="support")

SORTS = {
    "start": Event.start_at,
    "name": func.lower(Event.name),
    "attendees": Event.attendees,
    "id": Event.id,
}


MATCHES = document_search(EventSearch.search_doc, EventSearch.search_pairs)
NO_SUPPORT = 0  # an event's support key when it has none (no collaborator has id 0)


def matching_documents(text: str, *keys):
    """The ids of the events whose name or location matches, or whose client's name or
    company does: one LIKE on their search document (migration 0006), which holds all four,
    with the conditions `keys` on its filter keys (migration 0009) in the same index."""
    return select(EventSearch.event_id).where(MATCHES(text), *keys)


def matching_events(text: str, *keys):
    """The events that `matching_documents` finds, as a condition on events."""
    return Event.id.in_(matching_documents(text, *keys))


class EventManager:
    def __init__(self, session: Session):
        self.session = session

    def _select(self):
        return (
            select(Event)
            .join(Event.contract)
            .join(Contract.client)
            .outerjoin(Support, Event.support_contact_id == Support.id)
            .options(
                contains_eager(Event.contract).contains_eager(Contract.client),
                contains_eager(Event.support_contact.of_type(Support)),
            )
        )

    def get(self, event_id: int, *, for_update: bool = False) -> Event | None:
        statement = self._select().where(Event.id == event_id)
        return get_row(self.session, statement, Event, for_update=for_update)

    def listing(
        self,
        *,
        without_support: bool = False,
        support_id: int | None = None,
        upcoming_after: datetime | None = None,
        client_id: int | None = None,
        contract_id: int | None = None,
    ) -> Listing:
        """Events, searched in their name, location and the client's name and company.

        A search of all events, "without support" or one helper's is counted from the
        search documents alone, which carry those filters' keys; with another filter it is
        counted from the events."""
        filters, keys = [], []
        if without_support:
            filters.append(Event.support_contact_id.is_(None))
            keys.append(EventSearch.support_key == NO_SUPPORT)
        if support_id is not None:
            filters.append(Event.support_contact_id == support_id)
            keys.append(EventSearch.support_key == support_id)
        if upcoming_after is not None:
            filters.append(Event.start_at >= upcoming_after)
        if contract_id is not None:
            filters.append(Event.contract_id == contract_id)
        count_from = select(Event.id)
        if client_id is not None:
            filters.append(Contract.client_id == client_id)
            count_from = count_from.join(Event.contract)
        documented = len(filters) == len(keys)  # every filter has its key in the documents

        def count_search(text: str, include_archived: bool):
            archived = () if include_archived else (EventSearch.archived.is_(False),)
            return matching_documents(text, *keys, *archived)

        return Listing(
            self.session,
            self._select().where(*filters),
            count_from=count_from.where(*filters),
            sort_columns=SORTS,
            search=lambda text: matching_events(text, *keys),
            tiebreak=Event.id,
            archived_column=Event.archived_at,
            count_search=count_search if documented else None,
        )

    def latest(
        self, limit: int, *, client_id: int | None = None, contract_id: int | None = None
    ) -> list[Event]:
        """Up to `limit` events of a client or a contract, the latest first; no count."""
        statement = self._select()
        if client_id is not None:
            statement = statement.where(Contract.client_id == client_id)
        if contract_id is not None:
            statement = statement.where(Event.contract_id == contract_id)
        return list(
            self.session.scalars(
                statement.order_by(Event.start_at.desc(), Event.id.desc()).limit(limit)
            ).unique()
        )

    def export_columns(self) -> ExportColumns:
        """An event's cells in an export (controllers/exports.py's EVENT_HEADER); the
        listing already joins the contract, the client and the support contact."""
        return ExportColumns(
            [
                Event.id,
                Event.name,
                Client.full_name,
                Client.company_name,
                Client.email,
                Client.phone,
                Event.contract_id,
                local_time(Event.start_at),
                local_time(Event.end_at),
                Support.name,
                Event.location,
                Event.attendees,
                Event.notes,
                local_time(Event.updated_at),
            ]
        )

    def json_fields(self) -> JsonFields:
        """An event in a JSON list: read_models.EventRow's keys (the listing joins the
        contract, the client and the support contact)."""
        return JsonFields(
            {
                "id": Event.id,
                "name": Event.name,
                "contract_id": Event.contract_id,
                "client_id": Contract.client_id,
                "client_name": Client.full_name,
                "client_company": Client.company_name,
                "client_email": Client.email,
                "client_phone": Client.phone,
                "start_at": Event.start_at,
                "end_at": Event.end_at,
                "support_contact_id": Event.support_contact_id,
                "support_name": Support.name,
                "location": Event.location,
                "attendees": Event.attendees,
                "notes": Event.notes,
                "updated_at": Event.updated_at,
                "archived_at": Event.archived_at,
                "version": Event.version,
            }
        )

    def add(self, event: Event) -> Event:
        self.session.add(event)
        return event

    def hand_over_upcoming(self, from_id: int, to_id: int, now: datetime) -> list[int]:
        """The events one support contact has from `now` on (not yet ended), given to
        another; their ids, in order."""
        moved = self.session.scalars(
            update(Event)
            .where(Event.support_contact_id == from_id, Event.end_at >= now)
            .values(support_contact_id=to_id)
            .returning(Event.id)
        ).all()
        return sorted(moved)
