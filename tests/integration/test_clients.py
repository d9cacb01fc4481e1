"""Client use cases, for every department, both ways, against real PostgreSQL."""

from datetime import UTC, datetime

import pytest

from epic_events.controllers import clients as controller
from epic_events.controllers import collaborators
from epic_events.errors import Conflict, NotFound, PermissionDenied, ValidationError
from epic_events.paging import ListQuery
from tests.integration.conftest import DEPARTMENTS, tag
from tests.integration.helpers import snapshot


def new_client(**fields) -> dict:
    return {
        "full_name": "Kevin Casey",
        "email": f"kevin-{tag()}@startup.io",
        "phone": "+678 123 456 78",
        "company_name": "Cool Startup LLC",
        **fields,
    }


# -- create: commerce only ---------------------------------------------------------------


def test_commerce_creates_a_client_and_becomes_its_commercial_contact(uow_factory, commerce, fetch):
    fields = new_client(email=f"Kevin.{tag()}@Startup.IO", full_name="  Kevin Casey ")
    created = controller.create_client(uow_factory(), commerce, **fields)
    row = fetch("clients", created.id)
    assert (row.full_name, row.email, row.phone, row.company_name) == (
        "Kevin Casey",
        fields["email"].lower(),
        "+678 123 456 78",
        "Cool Startup LLC",
    )
    assert row.commercial_contact_id == commerce.id
    assert created.commercial_contact_id == commerce.id


@pytest.mark.parametrize("department", ["gestion", "support"])
def test_only_commerce_creates_clients(department, user_of, uow_factory, connection):
    actor = user_of(department)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only commerce may create clients"):
        controller.create_client(uow_factory(), actor, **new_client())
    assert snapshot(connection) == before


def test_an_email_already_used_by_any_client_is_a_conflict(
    uow_factory, commerce, user_of, make_client, connection
):
    other_seller = user_of("commerce")
    existing = make_client(other_seller)
    before = snapshot(connection)
    with pytest.raises(Conflict, match=f"Client #{existing.id} .* already has this email"):
        controller.create_client(uow_factory(), commerce, **new_client(email=existing.email))
    with pytest.raises(Conflict, match="already has this email"):
        controller.create_client(
            uow_factory(), commerce, **new_client(email=existing.email.upper())
        )
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "   ", "Full name is required"),
        ("full_name", "x" * 101, "too long"),
        ("full_name", "Kevin\x00Casey", "control characters"),
        ("email", "not an email", "not an email address"),
        ("email", "kеvin@startup.io", "ASCII"),  # Cyrillic e
        ("phone", "call me", "Phone must be"),
        ("phone", "12345", "Phone must be"),
        ("company_name", "", "Company name is required"),
    ],
)
def test_invalid_client_values_are_refused_and_nothing_is_written(
    field, value, message, uow_factory, commerce, connection
):
    before = snapshot(connection)
    with pytest.raises(ValidationError, match=message):
        controller.create_client(uow_factory(), commerce, **new_client(**{field: value}))
    assert snapshot(connection) == before


# -- update: commerce, only their own clients ---------------------------------------------


def test_commerce_updates_its_own_client_and_the_update_date_follows(
    uow_factory, commerce, make_client, fetch
):
    client = make_client(commerce, updated_at=datetime(2021, 4, 18, tzinfo=UTC))
    email = f"kevin-{tag()}@coolstartup.io"
    controller.update_client(
        uow_factory(),
        commerce,
        client.id,
        full_name="Kevin Casey Jr",
        email=email,
        phone="+33 6 00 00 00 01",
        company_name="Cooler Startup SAS",
    )
    row = fetch("clients", client.id)
    assert (row.full_name, row.email, row.phone, row.company_name) == (
        "Kevin Casey Jr",
        email,
        "+33 6 00 00 00 01",
        "Cooler Startup SAS",
    )
    assert row.commercial_contact_id == commerce.id
    assert row.updated_at > datetime(2021, 4, 18, tzinfo=UTC)  # the database keeps it current


def test_commerce_changes_one_field_and_leaves_the_others(
    uow_factory, commerce, make_client, fetch
):
    client = make_client(commerce, full_name="Kevin Casey")
    controller.update_client(uow_factory(), commerce, client.id, phone="+33 6 99 99 99 99")
    row = fetch("clients", client.id)
    assert (row.full_name, row.email, row.phone) == (
        "Kevin Casey",
        client.email,
        "+33 6 99 99 99 99",
    )


def test_commerce_cannot_update_another_commercials_client(
    uow_factory, commerce, user_of, make_client, connection
):
    other_seller = user_of("commerce", name="Bill Boquet")
    client = make_client(other_seller)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied) as refusal:
        controller.update_client(uow_factory(), commerce, client.id, full_name="Stolen")
    assert "Only the client's commercial contact can update it" in refusal.value.message
    assert f"client #{client.id} is followed by Bill Boquet" in refusal.value.message
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", ["gestion", "support"])
def test_only_commerce_updates_clients(
    department, user_of, uow_factory, commerce, make_client, connection
):
    actor = user_of(department)
    client = make_client(commerce)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only commerce may update clients"):
        controller.update_client(uow_factory(), actor, client.id, full_name="Renamed")
    assert snapshot(connection) == before


def test_a_client_update_to_another_clients_email_is_a_conflict(
    uow_factory, commerce, user_of, make_client, connection
):
    mine = make_client(commerce)
    theirs = make_client(user_of("commerce"))
    before = snapshot(connection)
    with pytest.raises(Conflict, match="already has this email"):
        controller.update_client(uow_factory(), commerce, mine.id, email=theirs.email)
    assert snapshot(connection) == before


def test_a_client_update_that_changes_nothing_says_so(
    uow_factory, commerce, make_client, connection
):
    client = make_client(commerce)
    before = snapshot(connection)
    with pytest.raises(ValidationError, match="Nothing to change"):
        controller.update_client(uow_factory(), commerce, client.id)
    with pytest.raises(ValidationError, match="Nothing to change"):
        controller.update_client(
            uow_factory(), commerce, client.id, full_name=client.full_name, email=client.email
        )
    assert snapshot(connection) == before


def test_an_invalid_client_update_is_refused_and_nothing_is_written(
    uow_factory, commerce, make_client, connection
):
    client = make_client(commerce)
    before = snapshot(connection)
    with pytest.raises(ValidationError, match="not an email address"):
        controller.update_client(
            uow_factory(), commerce, client.id, full_name="Fine Name", email="broken"
        )
    with pytest.raises(ValidationError, match="Phone must be"):
        controller.update_client(uow_factory(), commerce, client.id, phone="none")
    assert snapshot(connection) == before


def test_updating_an_unknown_client_is_not_found(uow_factory, commerce, connection):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no client #999999"):
        controller.update_client(uow_factory(), commerce, 999999, full_name="Nobody")
    assert snapshot(connection) == before


# -- reassign: gestion only ---------------------------------------------------------------


def test_gestion_reassigns_a_client_and_its_contracts_follow(
    uow_factory, gestion, commerce, user_of, make_client, make_contract, connection, fetch
):
    new_seller = user_of("commerce")
    client = make_client(commerce)
    moved = [make_contract(client), make_contract(client, signed=True)]
    other_client = make_client(commerce)
    stays = make_contract(other_client)
    updated = controller.reassign_client(uow_factory(), gestion, client.id, new_seller.id)
    assert updated.commercial_contact_id == new_seller.id
    assert fetch("clients", client.id).commercial_contact_id == new_seller.id
    assert [fetch("contracts", c.id).commercial_contact_id for c in moved] == [new_seller.id] * 2
    assert fetch("contracts", stays.id).commercial_contact_id == commerce.id
    assert fetch("clients", other_client.id).commercial_contact_id == commerce.id


def test_after_a_reassignment_the_new_commercial_owns_the_client(
    uow_factory, gestion, commerce, user_of, make_client, connection
):
    new_seller = user_of("commerce")
    client = make_client(commerce)
    controller.reassign_client(uow_factory(), gestion, client.id, new_seller.id)
    controller.update_client(uow_factory(), new_seller, client.id, full_name="Now Mine")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only the client's commercial contact"):
        controller.update_client(uow_factory(), commerce, client.id, full_name="Still Mine?")
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", ["commerce", "support"])
def test_only_gestion_reassigns_clients(
    department, user_of, uow_factory, commerce, make_client, connection
):
    actor = user_of(department)
    client = make_client(commerce)
    target = user_of("commerce")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may reassign a client's commercial"):
        controller.reassign_client(uow_factory(), actor, client.id, target.id)
    assert snapshot(connection) == before


def test_a_commercial_cannot_hand_their_own_client_to_another(
    uow_factory, commerce, user_of, make_client, connection
):
    client = make_client(commerce)
    other = user_of("commerce")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may reassign"):
        controller.reassign_client(uow_factory(), commerce, client.id, other.id)
    assert snapshot(connection) == before


@pytest.mark.parametrize("target_department", ["support", "gestion"])
def test_a_client_is_only_reassigned_to_someone_in_commerce(
    target_department,
    uow_factory,
    gestion,
    commerce,
    user_of,
    make_client,
    make_contract,
    connection,
):
    target = user_of(target_department, name="Kate Hastroff")
    client = make_client(commerce)
    make_contract(client)
    before = snapshot(connection)
    with pytest.raises(ValidationError) as refusal:
        controller.reassign_client(uow_factory(), gestion, client.id, target.id)
    assert refusal.value.message == (
        f"Kate Hastroff is in {target_department}: a client's commercial contact must be in "
        "commerce."
    )
    assert snapshot(connection) == before


def test_reassigning_to_an_unknown_collaborator_or_an_unknown_client_is_not_found(
    uow_factory, gestion, commerce, make_client, connection
):
    client = make_client(commerce)
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no collaborator #999999"):
        controller.reassign_client(uow_factory(), gestion, client.id, 999999)
    with pytest.raises(NotFound, match="no client #999999"):
        controller.reassign_client(uow_factory(), gestion, 999999, commerce.id)
    assert snapshot(connection) == before


def test_reassigning_to_the_current_commercial_says_so(
    uow_factory, gestion, commerce, make_client, connection
):
    client = make_client(commerce)
    before = snapshot(connection)
    with pytest.raises(ValidationError, match="already this client's commercial contact"):
        controller.reassign_client(uow_factory(), gestion, client.id, commerce.id)
    assert snapshot(connection) == before


def test_a_commercial_whose_clients_were_reassigned_can_then_be_deleted(
    uow_factory, gestion, user_of, make_client, make_contract, make_event, connection, fetch
):
    leaving = user_of("commerce", name="Leaving Seller")
    staying = user_of("commerce")
    clients = [make_client(leaving), make_client(leaving)]
    contract = make_contract(clients[0], signed=True)
    event = make_event(contract)
    before = snapshot(connection)
    with pytest.raises(Conflict, match="Leaving Seller is still the commercial contact of 2"):
        collaborators.delete_collaborator(uow_factory(), gestion, leaving.id)
    assert snapshot(connection) == before

    for client in clients:
        controller.reassign_client(uow_factory(), gestion, client.id, staying.id)
    collaborators.delete_collaborator(uow_factory(), gestion, leaving.id)

    assert fetch("collaborators", leaving.id) is None
    assert [fetch("clients", c.id).commercial_contact_id for c in clients] == [staying.id] * 2
    assert fetch("contracts", contract.id).commercial_contact_id == staying.id
    assert fetch("events", event.id).contract_id == contract.id  # no business data lost


# -- read: everyone -----------------------------------------------------------------------


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_every_department_lists_every_client(
    department, user_of, uow_factory, commerce, make_client
):
    reader = user_of(department)
    other_seller = user_of("commerce")
    ids = {make_client(commerce).id, make_client(other_seller).id, make_client(commerce).id}
    page = controller.list_clients(uow_factory(), reader, ListQuery())
    assert page.total == 3
    assert {c.id for c in page.items} == ids
    assert {c.commercial_contact_id for c in page.items} == {commerce.id, other_seller.id}


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_every_department_reads_a_client_with_its_contracts_and_events(
    department, user_of, uow_factory, commerce, make_client, make_contract, make_event
):
    reader = user_of(department)
    client = make_client(commerce, full_name="Kevin Casey")
    contracts = [make_contract(client, signed=True), make_contract(client)]
    event = make_event(contracts[0])
    make_event(make_contract(make_client(commerce), signed=True))  # someone else's
    detail = controller.get_client(uow_factory(), reader, client.id)
    assert detail.client.full_name == "Kevin Casey"
    assert detail.client.commercial_contact_id == commerce.id
    assert {c.id for c in detail.contracts.items} == {c.id for c in contracts}
    assert [e.id for e in detail.events.items] == [event.id]


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_reading_an_unknown_client_is_not_found(department, user_of, uow_factory):
    with pytest.raises(NotFound, match="no client #999999"):
        controller.get_client(uow_factory(), user_of(department), 999999)
