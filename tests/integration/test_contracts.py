"""Contract use cases, for every department, both ways, against real PostgreSQL."""

from decimal import Decimal

import pytest

from epic_events.controllers import contracts as controller
from epic_events.errors import Conflict, NotFound, PermissionDenied, ValidationError
from epic_events.paging import ListQuery
from tests.integration.conftest import DEPARTMENTS
from tests.integration.helpers import snapshot


@pytest.fixture
def client_of(commerce, make_client):
    """A client of the `commerce` user."""
    return make_client(commerce)


@pytest.fixture
def others_client(user_of, make_client):
    """A client of another commercial, Bill Boquet."""
    return make_client(user_of("commerce", name="Bill Boquet"))


def amounts(fetch, contract_id: int) -> tuple[str, str, bool]:
    row = fetch("contracts", contract_id)
    return str(row.total_amount), str(row.amount_due), row.signed


# -- create: gestion only, for any client -------------------------------------------------


def test_gestion_creates_an_unsigned_contract_in_the_charge_of_the_clients_commercial(
    uow_factory, gestion, commerce, client_of, fetch
):
    created = controller.create_contract(
        uow_factory(), gestion, client_id=client_of.id, total_amount="1 500,50"
    )
    row = fetch("contracts", created.id)
    assert (row.client_id, row.commercial_contact_id) == (client_of.id, commerce.id)
    assert (row.total_amount, row.amount_due, row.signed) == (
        Decimal("1500.50"),
        Decimal("1500.50"),  # the amount due defaults to the total
        False,
    )
    assert created.commercial_contact_id == commerce.id
    assert created.client_name == client_of.full_name


def test_gestion_creates_contracts_for_clients_of_any_commercial(
    uow_factory, gestion, client_of, others_client, fetch
):
    for client in (client_of, others_client):
        created = controller.create_contract(
            uow_factory(), gestion, client_id=client.id, total_amount="100"
        )
        assert fetch("contracts", created.id).commercial_contact_id == (
            client.commercial_contact_id
        )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 500,50", "1500.50"),
        ("1500.5", "1500.50"),
        ("1,500.50 €", "1500.50"),
        ("1.500,50", "1500.50"),
        ("  42 ", "42.00"),
        ("0", "0.00"),
        (Decimal("12.3"), "12.30"),
        (7, "7.00"),
    ],
)
def test_amounts_are_parsed_to_exact_decimals_with_two_places(
    typed, stored, uow_factory, gestion, client_of, fetch
):
    created = controller.create_contract(
        uow_factory(), gestion, client_id=client_of.id, total_amount=typed
    )
    assert created.total_amount == Decimal(stored)
    assert amounts(fetch, created.id) == (stored, stored, False)


def test_gestion_sets_the_amount_due_below_the_total(uow_factory, gestion, client_of, fetch):
    created = controller.create_contract(
        uow_factory(), gestion, client_id=client_of.id, total_amount="1000", amount_due="250,5"
    )
    assert amounts(fetch, created.id) == ("1000.00", "250.50", False)


@pytest.mark.parametrize(
    ("total", "due", "message"),
    [
        ("abc", None, "Total amount must be a number such as"),
        ("-3", None, "Total amount cannot be negative"),
        ("NaN", None, "Total amount must be a number"),
        ("Infinity", None, "Total amount must be a number"),
        ("1e9999", None, "Total amount must be a number"),
        ("12.3456", None, "at most two decimals"),
        ("", None, "Total amount is required"),
        ("99999999999", None, "too large"),
        ("١٢٣", None, "Total amount must be a number"),  # Arabic-Indic digits
        (Decimal("NaN"), None, "finite"),
        (Decimal("-3"), None, "cannot be negative"),
        (1.5, None, "must be a number"),  # a float is never money
        (True, None, "must be a number"),
        ("100", "150", r"amount due \(150.00\) cannot be more than the total amount \(100.00\)"),
        ("100", "-1", "Amount due cannot be negative"),
        ("100", "abc", "Amount due must be a number"),
    ],
)
def test_invalid_amounts_are_refused_and_no_contract_is_written(
    total, due, message, uow_factory, gestion, client_of, connection
):
    before = snapshot(connection)
    with pytest.raises(ValidationError, match=message):
        controller.create_contract(
            uow_factory(), gestion, client_id=client_of.id, total_amount=total, amount_due=due
        )
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", ["commerce", "support"])
def test_only_gestion_creates_contracts(department, user_of, uow_factory, client_of, connection):
    actor = user_of(department)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may create contracts"):
        controller.create_contract(uow_factory(), actor, client_id=client_of.id, total_amount="10")
    assert snapshot(connection) == before


def test_the_clients_own_commercial_cannot_create_its_contracts_either(
    uow_factory, commerce, client_of, connection
):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may create contracts"):
        controller.create_contract(
            uow_factory(), commerce, client_id=client_of.id, total_amount="10"
        )
    assert snapshot(connection) == before


def test_a_contract_for_an_unknown_client_is_not_found(uow_factory, gestion, connection):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no client #999999"):
        controller.create_contract(uow_factory(), gestion, client_id=999999, total_amount="10")
    assert snapshot(connection) == before


# -- update: gestion any, commerce their own clients' -------------------------------------


def test_gestion_updates_the_amounts_and_status_of_any_contract(
    uow_factory, gestion, client_of, others_client, make_contract, fetch
):
    mine, theirs = make_contract(client_of), make_contract(others_client)
    controller.update_contract(uow_factory(), gestion, mine.id, amount_due="400")
    controller.update_contract(
        uow_factory(), gestion, theirs.id, total_amount="2 000", amount_due="0", signed=True
    )
    assert amounts(fetch, mine.id) == ("1000.00", "400.00", False)
    assert amounts(fetch, theirs.id) == ("2000.00", "0.00", True)


def test_commerce_updates_the_contracts_of_its_own_clients(
    uow_factory, commerce, client_of, make_contract, fetch
):
    contract = make_contract(client_of, total="1000", due="1000")
    updated = controller.update_contract(
        uow_factory(), commerce, contract.id, total_amount="1200.5", amount_due="200"
    )
    assert (updated.total_amount, updated.amount_due) == (Decimal("1200.50"), Decimal("200.00"))
    assert amounts(fetch, contract.id) == ("1200.50", "200.00", False)


@pytest.mark.parametrize("department", ["gestion", "commerce"])
def test_signing_through_an_update_is_allowed(
    department, uow_factory, gestion, commerce, client_of, make_contract, fetch
):
    actor = {"gestion": gestion, "commerce": commerce}[department]
    contract = make_contract(client_of)
    updated = controller.update_contract(uow_factory(), actor, contract.id, signed=True)
    assert updated.signed is True
    assert amounts(fetch, contract.id) == ("1000.00", "1000.00", True)


def test_commerce_cannot_update_another_commercials_contract(
    uow_factory, commerce, others_client, make_contract, connection
):
    contract = make_contract(others_client)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied) as refusal:
        controller.update_contract(uow_factory(), commerce, contract.id, amount_due="0")
    assert "Only the client's commercial contact can update its contracts" in refusal.value.message
    assert "followed by Bill Boquet" in refusal.value.message
    with pytest.raises(PermissionDenied, match="Only the client's commercial contact"):
        controller.update_contract(uow_factory(), commerce, contract.id, signed=True)
    assert snapshot(connection) == before


def test_support_cannot_update_contracts(
    uow_factory, support, client_of, make_contract, connection
):
    contract = make_contract(client_of)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only commerce and gestion may update contracts"):
        controller.update_contract(uow_factory(), support, contract.id, amount_due="0")
    assert snapshot(connection) == before


def test_unsigning_a_contract_that_has_events_is_a_conflict(
    uow_factory, gestion, commerce, client_of, make_contract, make_event, connection
):
    contract = make_contract(client_of, signed=True)
    make_event(contract)
    before = snapshot(connection)
    for actor in (gestion, commerce):
        with pytest.raises(Conflict, match=f"Contract #{contract.id} has events: it stays signed"):
            controller.update_contract(uow_factory(), actor, contract.id, signed=False)
        with pytest.raises(Conflict, match="stays signed"):
            controller.update_contract(
                uow_factory(), actor, contract.id, amount_due="0", signed=False
            )
    assert snapshot(connection) == before


def test_a_signed_contract_without_events_can_be_unsigned(
    uow_factory, gestion, client_of, make_contract, fetch
):
    contract = make_contract(client_of, signed=True)
    controller.update_contract(uow_factory(), gestion, contract.id, signed=False)
    assert fetch("contracts", contract.id).signed is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_due": "1000.01"}, "cannot be more than the total"),
        ({"total_amount": "999"}, "cannot be more than the total"),  # below the amount due
        ({"total_amount": "-1"}, "cannot be negative"),
        ({"amount_due": "NaN"}, "must be a number"),
        ({"total_amount": "1e9999"}, "must be a number"),
        ({"amount_due": "0.001"}, "at most two decimals"),
        ({"total_amount": "1 000,00"}, "Nothing to change"),
        ({"signed": False}, "Nothing to change"),
        ({}, "Nothing to change"),
    ],
)
def test_invalid_contract_updates_are_refused_and_nothing_is_written(
    changes, message, uow_factory, gestion, client_of, make_contract, connection
):
    contract = make_contract(client_of, total="1000", due="1000")
    before = snapshot(connection)
    with pytest.raises(ValidationError, match=message):
        controller.update_contract(uow_factory(), gestion, contract.id, **changes)
    assert snapshot(connection) == before


def test_updating_an_unknown_contract_is_not_found(uow_factory, gestion, connection):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no contract #999999"):
        controller.update_contract(uow_factory(), gestion, 999999, amount_due="0")
    assert snapshot(connection) == before


# -- sign: gestion any, commerce their own clients' ---------------------------------------


def test_gestion_signs_any_contract(
    uow_factory, gestion, client_of, others_client, make_contract, fetch
):
    for client in (client_of, others_client):
        contract = make_contract(client)
        signed = controller.sign_contract(uow_factory(), gestion, contract.id)
        assert signed.signed is True
        assert fetch("contracts", contract.id).signed is True


def test_commerce_signs_the_contracts_of_its_own_clients(
    uow_factory, commerce, client_of, make_contract, fetch
):
    contract = make_contract(client_of, total="500", due="100")
    controller.sign_contract(uow_factory(), commerce, contract.id)
    assert amounts(fetch, contract.id) == ("500.00", "100.00", True)


def test_commerce_cannot_sign_another_commercials_contract(
    uow_factory, commerce, others_client, make_contract, connection
):
    contract = make_contract(others_client)
    before = snapshot(connection)
    with pytest.raises(
        PermissionDenied, match="Only the client's commercial contact can sign its contracts"
    ):
        controller.sign_contract(uow_factory(), commerce, contract.id)
    assert snapshot(connection) == before


def test_support_cannot_sign_contracts(uow_factory, support, client_of, make_contract, connection):
    contract = make_contract(client_of)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only commerce and gestion may sign contracts"):
        controller.sign_contract(uow_factory(), support, contract.id)
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", ["gestion", "commerce"])
def test_signing_a_signed_contract_again_is_a_conflict(
    department, uow_factory, gestion, commerce, client_of, make_contract, connection
):
    actor = {"gestion": gestion, "commerce": commerce}[department]
    contract = make_contract(client_of, signed=True)
    before = snapshot(connection)
    with pytest.raises(Conflict, match=f"Contract #{contract.id} is already signed"):
        controller.sign_contract(uow_factory(), actor, contract.id)
    assert snapshot(connection) == before


def test_signing_an_unknown_contract_is_not_found(uow_factory, gestion, connection):
    before = snapshot(connection)
    with pytest.raises(NotFound, match="no contract #999999"):
        controller.sign_contract(uow_factory(), gestion, 999999)
    assert snapshot(connection) == before


# -- read: everyone -----------------------------------------------------------------------


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_every_department_lists_every_contract(
    department, user_of, uow_factory, client_of, others_client, make_contract
):
    reader = user_of(department)
    ids = {
        make_contract(client_of).id,
        make_contract(client_of, signed=True).id,
        make_contract(others_client, total="10", due="0").id,
    }
    page = controller.list_contracts(uow_factory(), reader, ListQuery())
    assert page.total == 3
    assert {c.id for c in page.items} == ids
    assert {c.client_id for c in page.items} == {client_of.id, others_client.id}


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_every_department_reads_a_contract_with_its_client_and_events(
    department, user_of, uow_factory, commerce, client_of, make_contract, make_event
):
    reader = user_of(department)
    contract = make_contract(client_of, total="1500.50", due="500", signed=True)
    events = [make_event(contract), make_event(contract)]
    make_event(make_contract(client_of, signed=True))  # another contract's
    detail = controller.get_contract(uow_factory(), reader, contract.id)
    assert (detail.contract.total_amount, detail.contract.amount_due) == (
        Decimal("1500.50"),
        Decimal("500.00"),
    )
    assert detail.contract.client_email == client_of.email
    assert detail.contract.commercial_contact_id == commerce.id
    assert {e.id for e in detail.events.items} == {e.id for e in events}


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_reading_an_unknown_contract_is_not_found(department, user_of, uow_factory):
    with pytest.raises(NotFound, match="no contract #999999"):
        controller.get_contract(uow_factory(), user_of(department), 999999)
