"""Leaving staff: a collaborator who is deactivated or deleted hands over all their clients
to one commercial and all their upcoming events to one support contact, in the same
transaction, with a history row for each record moved; archived records do not block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from epic_events.controllers import collaborators as controller
from epic_events.errors import Conflict, ValidationError
from tests.integration.helpers import snapshot

SOON = datetime.now(UTC) + timedelta(days=3)
PAST = datetime.now(UTC) - timedelta(days=30)


def column(connection, query: str, **values) -> list:
    return list(connection.execute(text(query), values).scalars())


@pytest.fixture
def leaving_seller(user_of, make_client, make_contract):
    seller = user_of("commerce")
    live = [make_client(seller), make_client(seller)]
    archived = make_client(seller, archived_at=PAST)
    contracts = [make_contract(client) for client in live]
    contracts.append(make_contract(archived, archived_at=PAST))  # archived with its client
    return seller, live, archived, contracts


def test_a_commercial_leaves_with_their_clients_and_contracts_handed_to_another(
    connection, uow_factory, gestion, user_of, leaving_seller
):
    seller, live, archived, contracts = leaving_seller
    successor = user_of("commerce")
    with pytest.raises(Conflict, match="Hand them over to another commercial"):
        controller.set_active(uow_factory(), gestion, seller.id, active=False)

    controller.set_active(uow_factory(), gestion, seller.id, active=False, clients_to=successor.id)

    clients = {client.id for client in (*live, archived)}
    owners = column(
        connection,
        "SELECT DISTINCT commercial_contact_id FROM clients WHERE id = ANY(:ids)",
        ids=list(clients),
    )
    assert owners == [successor.id]  # the archived one went too
    in_charge = column(
        connection,
        "SELECT DISTINCT commercial_contact_id FROM contracts WHERE id = ANY(:ids)",
        ids=[contract.id for contract in contracts],
    )
    assert in_charge == [successor.id]
    assert column(connection, "SELECT active FROM collaborators WHERE id = :id", id=seller.id) == [
        False
    ]
    moved = column(
        connection,
        "SELECT entity_id FROM audit_log WHERE action = 'reassign' AND entity = 'client'"
        " AND entity_id = ANY(:ids) ORDER BY entity_id",
        ids=list(clients),
    )
    assert moved == sorted(clients)  # one history row for each client moved


def test_archived_clients_never_block_a_deactivation(
    connection, uow_factory, gestion, user_of, make_client, make_contract
):
    seller = user_of("commerce")
    make_contract(make_client(seller, archived_at=PAST), archived_at=PAST)
    controller.set_active(uow_factory(), gestion, seller.id, active=False)
    assert column(connection, "SELECT active FROM collaborators WHERE id = :id", id=seller.id) == [
        False
    ]


def test_a_support_contact_leaves_their_upcoming_events_to_another_past_ones_stay(
    connection, uow_factory, gestion, user_of, commerce, make_client, make_contract, make_event
):
    helper, successor = user_of("support"), user_of("support")
    contract = make_contract(make_client(commerce), signed=True)
    upcoming = [make_event(contract, helper, start=SOON + timedelta(days=n)) for n in range(3)]
    past = make_event(contract, helper, start=PAST)
    with pytest.raises(Conflict, match="3 upcoming event"):
        controller.set_active(uow_factory(), gestion, helper.id, active=False)

    controller.set_active(uow_factory(), gestion, helper.id, active=False, events_to=successor.id)

    supports = column(
        connection,
        "SELECT support_contact_id FROM events WHERE id = ANY(:ids)",
        ids=[event.id for event in upcoming],
    )
    assert supports == [successor.id] * 3
    kept = column(connection, "SELECT support_contact_id FROM events WHERE id = :id", id=past.id)
    assert kept == [helper.id]  # the past stays as it happened
    assigned = column(
        connection,
        "SELECT count(*) FROM audit_log WHERE action = 'assign' AND entity = 'event'"
        " AND entity_id = ANY(:ids)",
        ids=[event.id for event in upcoming],
    )
    assert assigned == [3]


def test_a_successor_must_be_an_active_member_of_the_right_department(
    connection, uow_factory, gestion, user_of, leaving_seller
):
    seller = leaving_seller[0]
    before = snapshot(connection)
    for wrong in (user_of("support"), user_of("commerce", active=False), seller):
        with pytest.raises(ValidationError):
            controller.set_active(
                uow_factory(), gestion, seller.id, active=False, clients_to=wrong.id
            )
    after = snapshot(connection)
    after["collaborators"] = [
        row for row in after["collaborators"] if row in before["collaborators"]
    ]
    assert after == before  # refused: nothing moved, nobody deactivated


def test_a_commercial_is_deleted_once_their_clients_are_handed_over(
    connection, uow_factory, gestion, user_of, leaving_seller
):
    seller, live, archived, _ = leaving_seller
    successor = user_of("commerce")
    held = controller.leaving(uow_factory(), gestion, seller.id)
    assert (held.clients, held.contracts, held.upcoming_events) == (2, 2, 0)  # live ones
    with pytest.raises(Conflict):
        controller.delete_collaborator(uow_factory(), gestion, seller.id)
    controller.delete_collaborator(uow_factory(), gestion, seller.id, clients_to=successor.id)
    assert column(
        connection, "SELECT count(*) FROM collaborators WHERE id = :id", id=seller.id
    ) == [0]
    owners = column(
        connection,
        "SELECT DISTINCT commercial_contact_id FROM clients WHERE id = ANY(:ids)",
        ids=[client.id for client in (*live, archived)],
    )
    assert owners == [successor.id]


def test_the_form_offers_the_handover_before_the_confirmation(
    connection, uow_factory, gestion, user_of, leaving_seller
):
    from epic_events.views import collaborators as screens
    from tests.integration.test_picking_forms import run_screen

    seller = leaving_seller[0]
    successor = user_of("commerce", name=f"Successor {seller.id}")
    answers = [str(seller.id), f"#{successor.id}", "y"]
    console = run_screen(screens.activation_screen, uow_factory, gestion, answers)
    shown = console.export_text()
    assert "follows 2 client(s) (2 contract(s)): one commercial takes them all over" in shown
    assert f"their 2 client(s) go to {successor.name}" in shown  # said in the confirmation
    assert f"Collaborator #{seller.id} is deactivated." in shown
    owners = column(
        connection,
        "SELECT DISTINCT commercial_contact_id FROM clients WHERE commercial_contact_id"
        " IN (:old, :new)",
        old=seller.id,
        new=successor.id,
    )
    assert owners == [successor.id]


def test_the_commands_hand_over_too(cli, staff, logged_in, installed):
    manager, seller, successor = staff("gestion"), staff("commerce"), staff("commerce")
    logged_in(seller)
    created = cli(
        "clients",
        "create",
        "--name",
        "Ann Lee",
        "--email",
        f"ann{seller.id}@x.io",
        "--phone",
        "+33 6 12 34 56 78",
        "--company",
        "Lee SA",
        "--format",
        "json",
    )
    assert created.status == 0, created.err
    logged_in(manager)
    refused = cli("collaborators", "deactivate", str(seller.id), "--yes")
    assert refused.status == 6, refused.err
    done = cli(
        "collaborators", "deactivate", str(seller.id), "--yes", "--clients-to", str(successor.id)
    )
    assert done.status == 0, done.err
    shown = cli("clients", "show", str(created.json()["id"]), "--format", "json")
    assert shown.json()["commercial_contact_id"] == successor.id


def test_the_one_leaving_is_never_offered_to_take_over(
    uow_factory, gestion, user_of, leaving_seller
):
    from epic_events.views import collaborators as screens
    from tests.integration.test_picking_forms import run_screen

    seller = leaving_seller[0]
    user_of("commerce")  # someone who could take over
    answers = [str(seller.id), f"#{seller.id}"]  # then the answers run out: cancelled
    console = run_screen(screens.activation_screen, uow_factory, gestion, answers)
    shown = console.export_text()
    assert f"No active commercial has id #{seller.id}." in shown
    offered = shown.split("one commercial takes them all over")[1]
    assert f"#{seller.id} " not in offered.split("Hand their clients to")[0]
