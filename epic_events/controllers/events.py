"""Use cases on events: commerce creates, gestion assigns support, support runs them."""

from __future__ import annotations

from datetime import UTC, datetime

from epic_events.controllers import audit
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.guards import (
    load_contract,
    load_event,
    require_contact,
    require_not_archived,
    require_own_client,
    require_own_event,
    require_unchanged,
)
from epic_events.controllers.permissions import Action, Contact, require
from epic_events.db import UnitOfWork
from epic_events.errors import NotFound, PermissionDenied, ValidationError
from epic_events.managers.paging import Listing
from epic_events.models import Event
from epic_events.paging import ListQuery, Page
from epic_events.read_models import EventRow, page_of
from epic_events.validators import (
    check_period,
    coerce_attendees,
    coerce_datetime,
    validate_event_name,
    validate_location,
    validate_notes,
)

FIELDS = ("name", "start_at", "end_at", "location", "attendees", "notes")


def event_listing(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    without_support: bool = False,
    mine: bool = False,
    upcoming: bool = False,
    now: datetime | None = None,
    client_id: int | None = None,
    contract_id: int | None = None,
) -> Listing:
    """The events `user` may list, filtered: what both the list and its export read.

    Everyone; `without_support` (gestion), `mine` (support: assigned to me), `upcoming`
    (everyone: from now on); `client_id`, `contract_id`: one client's or contract's."""
    actor = authorise(uow, user, Action.READ_ALL)
    if without_support:
        require(actor.department_name, Action.FILTER_EVENTS_WITHOUT_SUPPORT)
    if mine:
        require(actor.department_name, Action.FILTER_MY_EVENTS)
    return uow.events.listing(
        without_support=without_support,
        support_id=actor.id if mine else None,
        upcoming_after=(now or datetime.now(UTC)) if upcoming else None,
        client_id=client_id,
        contract_id=contract_id,
    )


def list_events(
    uow: UnitOfWork,
    user: CurrentUser,
    query: ListQuery,
    *,
    without_support: bool = False,
    mine: bool = False,
    upcoming: bool = False,
    now: datetime | None = None,
    client_id: int | None = None,
    contract_id: int | None = None,
) -> Page[EventRow]:
    """One page of events (everyone).

    Filters: `without_support` (gestion), `mine` (support: assigned to me), `upcoming`
    (everyone: from now on, soonest first unless another sort is asked for), `client_id`
    and `contract_id` (everyone: one client's or one contract's events).
    """
    with uow:
        listing = event_listing(
            uow,
            user,
            without_support=without_support,
            mine=mine,
            upcoming=upcoming,
            now=now,
            client_id=client_id,
            contract_id=contract_id,
        )
        return page_of(EventRow, listing.page(query))


def get_event(uow: UnitOfWork, user: CurrentUser, event_id: int) -> EventRow:
    """An event with its contract, client and support contact (everyone)."""
    with uow:
        authorise(uow, user, Action.READ_ALL)
        return EventRow.of(load_event(uow, event_id))


def create_event(
    uow: UnitOfWork,
    user: CurrentUser,
    *,
    contract_id: int,
    name: str,
    start_at: datetime | str,
    end_at: datetime | str,
    location: str,
    attendees: int | str,
    notes: str = "",
) -> EventRow:
    """Create an event (commerce): only for their own client, only on a signed contract."""
    with uow:
        actor = authorise(uow, user, Action.EVENT_CREATE)
        contract = load_contract(uow, contract_id, for_update=True)
        require_own_client(actor, contract.client, Action.EVENT_CREATE, "create its events")
        require_not_archived(contract, "contract")
        if not contract.signed:
            raise PermissionDenied(
                f"Contract #{contract.id} is not signed yet: events can only be created on a "
                "signed contract."
            )
        start = coerce_datetime(start_at, "Start")
        end = coerce_datetime(end_at, "End")
        check_period(start, end)
        event = uow.events.add(
            Event(
                contract_id=contract.id,
                name=validate_event_name(name),
                start_at=start,
                end_at=end,
                location=validate_location(location),
                attendees=coerce_attendees(attendees),
                notes=validate_notes(notes),
            )
        )
        uow.flush()
        audit.record(uow, actor, "create", "event", event.id, audit.created(event, FIELDS))
        uow.commit()
        return EventRow.of(load_event(uow, event.id))


def assign_support(
    uow: UnitOfWork,
    user: CurrentUser,
    event_id: int,
    support_id: int | None,
    *,
    expected_version: int | None = None,
) -> EventRow:
    """Assign, change or remove an event's support contact (gestion)."""
    with uow:
        actor = authorise(uow, user, Action.EVENT_ASSIGN_SUPPORT)
        event = load_event(uow, event_id, for_update=True)
        require_not_archived(event, "event")
        require_unchanged(event, expected_version, "event")
        if support_id is not None:
            helper = uow.collaborators.get(support_id)
            if helper is None:
                raise NotFound(f"There is no collaborator #{support_id}.")
            require_contact(helper, Contact.SUPPORT, choose="choose someone active")
        if event.support_contact_id == support_id:
            raise ValidationError("The event already has this support contact.")
        previous = event.support_contact.name if event.support_contact else None
        event.support_contact_id = support_id
        uow.flush()
        changes = {"support_contact": [previous, helper.name if support_id else None]}
        audit.record(uow, actor, "assign", "event", event.id, changes)
        uow.commit()
        return EventRow.of(load_event(uow, event.id))


def _editable_event(uow: UnitOfWork, user: CurrentUser, event_id: int):
    actor = authorise(uow, user, Action.EVENT_UPDATE)
    event = load_event(uow, event_id, for_update=True)
    require_not_archived(event, "event")
    require_own_event(actor, event, Action.EVENT_UPDATE)
    return actor, event


def check_update_event(uow: UnitOfWork, user: CurrentUser, event_id: int) -> EventRow:
    """The event, when `user` may update it now: the form is shown only then."""
    with uow:
        return EventRow.of(_editable_event(uow, user, event_id)[1])


def update_event(
    uow: UnitOfWork,
    user: CurrentUser,
    event_id: int,
    *,
    name: str | None = None,
    start_at: datetime | str | None = None,
    end_at: datetime | str | None = None,
    location: str | None = None,
    attendees: int | str | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
) -> EventRow:
    """Change an event's details (support, only the events assigned to them).

    Neither the contract nor the support contact changes here. `expected_version`: the
    version the form was opened on; a change made since is refused.
    """
    with uow:
        actor, event = _editable_event(uow, user, event_id)
        require_unchanged(event, expected_version, "event")
        changes = audit.pending_changes(
            event,
            {
                "name": None if name is None else validate_event_name(name),
                "start_at": None if start_at is None else coerce_datetime(start_at, "Start"),
                "end_at": None if end_at is None else coerce_datetime(end_at, "End"),
                "location": None if location is None else validate_location(location),
                "attendees": None if attendees is None else coerce_attendees(attendees),
                "notes": None if notes is None else validate_notes(notes),
            },
        )
        check_period(changes.get("start_at", event.start_at), changes.get("end_at", event.end_at))
        audit.apply_changes(uow, actor, event, "event", changes, FIELDS)
        uow.commit()
        return EventRow.of(load_event(uow, event.id))
