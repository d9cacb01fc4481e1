"""Event use cases, for every department, both ways, against real PostgreSQL."""

import inspect
from datetime import datetime, timedelta

import pytest

from epic_events.controllers import clients
from epic_events.controllers import events as controller
from epic_events.errors import NotFound, PermissionDenied, ValidationError
from epic_events.paging import ListQuery
from tests.integration.conftest import DEPARTMENTS, START
from tests.integration.helpers import snapshot

WEDDING = {
    "name": "John Ouick Wedding",
    "start_at": START,
    "end_at": START + timedelta(hours=13),
    "location": "53 Rue du Château, 41120 Candé-sur-Beuvron, France",
    "attendees": 75,
    "notes": "Wedding starts at 3PM, by the river.\nKate needs to organize the DJ.",
}


@pytest.fixture
def signed_contract(commerce, make_client, make_contract):
    """A signed contract of a client of the `commerce` user."""
    return make_contract(make_client(commerce, full_name="John Ouick"), signed=True)


@pytest.fixture
def event(signed_contract, make_event):
    """An event of the `commerce` user's client, with no support contact yet."""
    return make_event(signed_contract)


@pytest.fixture
def assigned_event(signed_contract, support, make_event):
    """An event whose support contact is the `support` user."""
    return make_event(signed_contract, support=support)


# -- create: commerce, own client, signed contract ----------------------------------------


def test_commerce_creates_an_event_for_its_own_client_on_a_signed_contract(
    uow_factory, commerce, signed_contract, fetch
):
    created = controller.create_event(
        uow_factory(), commerce, contract_id=signed_contract.id, **WEDDING
    )
    row = fetch("events", created.id)
    assert (row.contract_id, row.name, row.location, row.attendees, row.notes) == (
        signed_contract.id,
        WEDDING["name"],
        WEDDING["location"],
        75,
        WEDDING["notes"],
    )
    assert (row.start_at, row.end_at) == (WEDDING["start_at"], WEDDING["end_at"])
    assert row.support_contact_id is None  # gestion assigns one later
    assert created.client_name == "John Ouick"


def test_an_event_is_created_from_dates_and_numbers_typed_as_text(
    uow_factory, commerce, signed_contract, fetch
):
    created = controller.create_event(
        uow_factory(),
        commerce,
        contract_id=signed_contract.id,
        **{
            **WEDDING,
            "start_at": "04/06/2030 13:00",
            "end_at": "2030-06-05 02:00",
            "attendees": "1 200",
        },
    )
    row = fetch("events", created.id)
    assert row.start_at == datetime(2030, 6, 4, 13, 0).astimezone()
    assert row.end_at == datetime(2030, 6, 5, 2, 0).astimezone()
    assert row.attendees == 1200


def test_commerce_cannot_create_an_event_for_another_commercials_client(
    uow_factory, commerce, user_of, make_client, make_contract, connection
):
    theirs = make_contract(make_client(user_of("commerce", name="Bill Boquet")), signed=True)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied) as refusal:
        controller.create_event(uow_factory(), commerce, contract_id=theirs.id, **WEDDING)
    assert "Only the client's commercial contact can create its events" in refusal.value.message
    assert "followed by Bill Boquet" in refusal.value.message
    assert snapshot(connection) == before


def test_commerce_cannot_create_an_event_on_an_unsigned_contract(
    uow_factory, commerce, make_client, make_contract, connection
):
    unsigned = make_contract(make_client(commerce))
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match=f"Contract #{unsigned.id} is not signed"):
        controller.create_event(uow_factory(), commerce, contract_id=unsigned.id, **WEDDING)
    assert snapshot(connection) == before


def test_after_a_reassignment_only_the_new_commercial_creates_the_clients_events(
    uow_factory, gestion, commerce, user_of, signed_contract, connection, fetch
):
    new_seller = user_of("commerce")
    clients.reassign_client(uow_factory(), gestion, signed_contract.client_id, new_seller.id)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only the client's commercial contact"):
        controller.create_event(uow_factory(), commerce, contract_id=signed_contract.id, **WEDDING)
    assert snapshot(connection) == before
    created = controller.create_event(
        uow_factory(), new_seller, contract_id=signed_contract.id, **WEDDING
    )
    row = fetch("events", created.id)
    assert row.contract_id == signed_contract.id
    assert fetch("contracts", row.contract_id).commercial_contact_id == new_seller.id


@pytest.mark.parametrize("department", ["gestion", "support"])
def test_only_commerce_creates_events(
    department, user_of, uow_factory, signed_contract, connection
):
    actor = user_of(department)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only commerce may create events"):
        controller.create_event(uow_factory(), actor, contract_id=signed_contract.id, **WEDDING)
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("changes", "exception", "message"),
    [
        ({"end_at": START - timedelta(minutes=1)}, ValidationError, "must end after it starts"),
        ({"end_at": START}, ValidationError, "must end after it starts"),
        (
            {"start_at": "05/06/2030 10:00", "end_at": "04/06/2030 10:00"},
            ValidationError,
            "must end after",
        ),
        ({"start_at": "31/02/2030 10:00"}, ValidationError, "Start must be a date and time"),
        ({"start_at": "01/01/1999 10:00"}, ValidationError, "between 2000 and 2100"),
        ({"end_at": "tomorrow"}, ValidationError, "End must be a date and time"),
        ({"name": "  "}, ValidationError, "Event name is required"),
        ({"location": ""}, ValidationError, "Location is required"),
        ({"attendees": -1}, ValidationError, "at least 0"),
        ({"attendees": "many"}, ValidationError, "at least 0"),
        ({"attendees": "2000000"}, ValidationError, "at most 1 000 000"),
        ({"notes": "bell\x07"}, ValidationError, "control characters"),
    ],
)
def test_invalid_events_are_refused_and_nothing_is_written(
    changes, exception, message, uow_factory, commerce, signed_contract, connection
):
    before = snapshot(connection)
    with pytest.raises(exception, match=message):
        controller.create_event(
            uow_factory(), commerce, contract_id=signed_contract.id, **{**WEDDING, **changes}
        )
    assert snapshot(connection) == before


def test_an_event_on_an_unknown_contract_is_not_found(uow_factory, commerce, connection):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no contract #999999"):
        controller.create_event(uow_factory(), commerce, contract_id=999999, **WEDDING)
    assert snapshot(connection) == before


# -- assign support: gestion, to someone in support ---------------------------------------


def test_gestion_assigns_changes_and_removes_the_support_contact(
    uow_factory, gestion, support, user_of, event, fetch
):
    other_support = user_of("support")
    assigned = controller.assign_support(uow_factory(), gestion, event.id, support.id)
    assert assigned.support_contact_id == support.id
    assert fetch("events", event.id).support_contact_id == support.id

    controller.assign_support(uow_factory(), gestion, event.id, other_support.id)
    assert fetch("events", event.id).support_contact_id == other_support.id

    removed = controller.assign_support(uow_factory(), gestion, event.id, None)
    assert (removed.support_contact_id, removed.support_name) == (None, None)
    assert fetch("events", event.id).support_contact_id is None


def test_assigning_support_changes_nothing_else(uow_factory, gestion, support, event, fetch):
    before = fetch("events", event.id)._asdict()
    controller.assign_support(uow_factory(), gestion, event.id, support.id)
    after = fetch("events", event.id)._asdict()
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"support_contact_id", "updated_at", "version"}
    assert after["support_contact_id"] == support.id


@pytest.mark.parametrize("department", ["commerce", "support"])
def test_only_gestion_assigns_support(department, user_of, uow_factory, event, connection):
    actor = user_of(department)
    helper = user_of("support")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may assign an event's support"):
        controller.assign_support(uow_factory(), actor, event.id, helper.id)
    assert snapshot(connection) == before


def test_support_cannot_assign_an_event_to_themselves(uow_factory, support, event, connection):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may assign"):
        controller.assign_support(uow_factory(), support, event.id, support.id)
    assert snapshot(connection) == before


@pytest.mark.parametrize("target_department", ["commerce", "gestion"])
def test_an_event_is_only_assigned_to_someone_in_support(
    target_department, uow_factory, gestion, user_of, event, connection
):
    target = user_of(target_department, name="Bill Boquet")
    before = snapshot(connection)
    with pytest.raises(ValidationError) as refusal:
        controller.assign_support(uow_factory(), gestion, event.id, target.id)
    assert refusal.value.message == (
        f"Bill Boquet is in {target_department}: an event's support contact must be in support."
    )
    assert snapshot(connection) == before


def test_assigning_the_same_support_contact_again_says_so(
    uow_factory, gestion, support, assigned_event, event, connection
):
    before = snapshot(connection)
    with pytest.raises(ValidationError, match="already has this support contact"):
        controller.assign_support(uow_factory(), gestion, assigned_event.id, support.id)
    with pytest.raises(ValidationError, match="already has this support contact"):
        controller.assign_support(uow_factory(), gestion, event.id, None)
    assert snapshot(connection) == before


def test_assigning_an_unknown_collaborator_or_event_is_not_found(
    uow_factory, gestion, support, event, connection
):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no collaborator #999999"):
        controller.assign_support(uow_factory(), gestion, event.id, 999999)
    with pytest.raises(NotFound, match="no event #999999"):
        controller.assign_support(uow_factory(), gestion, 999999, support.id)
    assert snapshot(connection) == before


# -- update: support, only the events assigned to them ------------------------------------


def test_support_updates_an_event_assigned_to_them(uow_factory, support, assigned_event, fetch):
    controller.update_event(
        uow_factory(),
        support,
        assigned_event.id,
        name="Renamed Party",
        start_at=START + timedelta(days=1),
        end_at=START + timedelta(days=1, hours=6),
        location="Château de Chambord",
        attendees="120",
        notes="DJ booked.",
    )
    row = fetch("events", assigned_event.id)
    assert (row.name, row.location, row.attendees, row.notes) == (
        "Renamed Party",
        "Château de Chambord",
        120,
        "DJ booked.",
    )
    assert (row.start_at, row.end_at) == (
        START + timedelta(days=1),
        START + timedelta(days=1, hours=6),
    )
    assert (row.contract_id, row.support_contact_id) == (
        assigned_event.contract_id,
        support.id,
    )


def test_support_changes_one_detail_and_leaves_the_others(
    uow_factory, support, assigned_event, fetch
):
    before = fetch("events", assigned_event.id)._asdict()
    controller.update_event(uow_factory(), support, assigned_event.id, attendees=0)
    after = fetch("events", assigned_event.id)._asdict()
    assert after["attendees"] == 0
    assert {name for name in before if before[name] != after[name]} <= {
        "attendees",
        "updated_at",
        "version",
    }


def test_support_cannot_update_another_support_contacts_event(
    uow_factory, support, user_of, signed_contract, make_event, connection
):
    colleague = user_of("support", name="Kate Hastroff")
    theirs = make_event(signed_contract, support=colleague)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied) as refusal:
        controller.update_event(uow_factory(), support, theirs.id, notes="Mine now")
    assert refusal.value.message == (
        f"Only the event's support contact can update it: event #{theirs.id} is assigned to "
        "Kate Hastroff."
    )
    assert snapshot(connection) == before


def test_support_cannot_update_an_event_without_support(uow_factory, support, event, connection):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="assigned to nobody yet"):
        controller.update_event(uow_factory(), support, event.id, notes="I'll take it")
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", ["commerce", "gestion"])
def test_only_support_updates_events(
    department, user_of, uow_factory, commerce, assigned_event, connection
):
    actor = commerce if department == "commerce" else user_of(department)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only support may update events"):
        controller.update_event(uow_factory(), actor, assigned_event.id, notes="Changed")
    assert snapshot(connection) == before


def test_the_contract_and_the_support_contact_cannot_be_changed_through_an_update(
    uow_factory, support, user_of, assigned_event, make_client, make_contract, connection
):
    parameters = inspect.signature(controller.update_event).parameters
    assert not {"contract_id", "contract", "support_id", "support_contact_id"} & set(parameters)
    other_contract = make_contract(make_client(user_of("commerce")), signed=True)
    colleague = user_of("support")
    before = snapshot(connection)
    with pytest.raises(TypeError):
        controller.update_event(
            uow_factory(), support, assigned_event.id, contract_id=other_contract.id
        )
    with pytest.raises(TypeError):
        controller.update_event(
            uow_factory(), support, assigned_event.id, support_contact_id=colleague.id
        )
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_at": START - timedelta(hours=1)}, "must end after it starts"),
        ({"start_at": START + timedelta(hours=4)}, "must end after it starts"),  # at the end
        ({"start_at": START + timedelta(days=2)}, "must end after it starts"),
        (
            {"start_at": START + timedelta(hours=2), "end_at": START + timedelta(hours=1)},
            "must end after it starts",
        ),
        ({"start_at": "not a date"}, "Start must be a date and time"),
        ({"attendees": "-5"}, "at least 0"),
        ({"name": " "}, "Event name is required"),
        ({"name": "x" * 201}, "too long"),
        ({}, "Nothing to change"),
        ({"start_at": START, "attendees": 75}, "Nothing to change"),
    ],
)
def test_invalid_event_updates_are_refused_and_nothing_is_written(
    changes, message, uow_factory, support, assigned_event, connection
):
    before = snapshot(connection)
    with pytest.raises(ValidationError, match=message):
        controller.update_event(uow_factory(), support, assigned_event.id, **changes)
    assert snapshot(connection) == before


def test_updating_an_unknown_event_is_not_found(uow_factory, support, connection):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no event #999999"):
        controller.update_event(uow_factory(), support, 999999, notes="?")
    assert snapshot(connection) == before


# -- read: everyone -----------------------------------------------------------------------


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_every_department_lists_every_event(
    department, user_of, uow_factory, support, signed_contract, make_event
):
    reader = user_of(department)
    ids = {
        make_event(signed_contract).id,
        make_event(signed_contract, support=support).id,
        make_event(signed_contract, support=user_of("support")).id,
    }
    page = controller.list_events(uow_factory(), reader, ListQuery())
    assert page.total == 3
    assert {e.id for e in page.items} == ids


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_every_department_reads_an_event_with_its_contract_client_and_support(
    department, user_of, uow_factory, support, assigned_event
):
    found = controller.get_event(uow_factory(), user_of(department), assigned_event.id)
    assert found.name == assigned_event.name
    assert found.contract_id == assigned_event.contract_id
    assert found.client_name == "John Ouick"
    assert found.support_contact_id == support.id


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_reading_an_unknown_event_is_not_found(department, user_of, uow_factory):
    with pytest.raises(NotFound, match="no event #999999"):
        controller.get_event(uow_factory(), user_of(department), 999999)
