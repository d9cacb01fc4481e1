"""Archive and restore, the audit history, deactivation and the duplicate guard."""

import pytest
from sqlalchemy import text

from epic_events.controllers import archive, audit, clients, collaborators, contracts, events
from epic_events.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationError
from epic_events.paging import ListQuery
from tests.integration.helpers import snapshot

ALL = ListQuery(include_archived=True)


@pytest.fixture
def business(uow_factory, gestion, commerce, support):
    """A client of `commerce` with a signed contract and an event supported by `support`."""
    client = clients.create_client(
        uow_factory(),
        commerce,
        full_name="Kevin Casey",
        email="kevin.archive@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
    )
    contract = contracts.create_contract(
        uow_factory(), gestion, client_id=client.id, total_amount="1500"
    )
    contracts.sign_contract(uow_factory(), commerce, contract.id)
    event = events.create_event(
        uow_factory(),
        commerce,
        contract_id=contract.id,
        name="Wedding",
        start_at="04/06/2030 13:00",
        end_at="05/06/2030 02:00",
        location="Candé",
        attendees=75,
    )
    events.assign_support(uow_factory(), gestion, event.id, support.id)
    return client, contract, event


def ids(page):
    return [row.id for row in page.items]


# -- archive and restore -----------------------------------------------------------------


def test_archiving_a_client_hides_it_with_its_contracts_and_events(uow_factory, gestion, business):
    client, contract, event = business
    assert archive.archive_client(uow_factory(), gestion, client.id) == {
        "contracts": 1,
        "events": 1,
    }
    assert client.id not in ids(clients.list_clients(uow_factory(), gestion, ListQuery()))
    assert contract.id not in ids(contracts.list_contracts(uow_factory(), gestion, ListQuery()))
    assert event.id not in ids(events.list_events(uow_factory(), gestion, ListQuery()))
    assert client.id in ids(clients.list_clients(uow_factory(), gestion, ALL))
    assert event.id in ids(events.list_events(uow_factory(), gestion, ALL))


def test_archived_rows_are_read_only(uow_factory, gestion, commerce, support, business):
    client, contract, event = business
    archive.archive_client(uow_factory(), gestion, client.id)
    for attempt in (
        lambda: clients.update_client(
            uow_factory(), commerce, client.id, phone="+33 1 11 11 11 11"
        ),
        lambda: contracts.update_contract(uow_factory(), gestion, contract.id, amount_due="0"),
        lambda: events.update_event(uow_factory(), support, event.id, notes="late"),
        lambda: events.assign_support(uow_factory(), gestion, event.id, None),
        lambda: contracts.create_contract(
            uow_factory(), gestion, client_id=client.id, total_amount="1"
        ),
    ):
        with pytest.raises(Conflict, match="archived"):
            attempt()


def test_an_archived_client_can_still_change_commercial_so_its_owner_can_leave(
    uow_factory, gestion, make_collaborator, as_user, business
):
    client, *_ = business
    archive.archive_client(uow_factory(), gestion, client.id)
    newcomer = as_user(make_collaborator("commerce"))
    moved = clients.reassign_client(uow_factory(), gestion, client.id, newcomer.id)
    assert moved.commercial_contact_id == newcomer.id
    assert moved.archived_at is not None


def test_restoring_brings_back_exactly_what_was_archived_together(uow_factory, gestion, business):
    client, _contract, event = business
    archive.archive_event(uow_factory(), gestion, event.id)  # archived on its own, earlier
    archive.archive_client(uow_factory(), gestion, client.id)
    assert archive.restore_client(uow_factory(), gestion, client.id) == {
        "contracts": 1,
        "events": 0,
    }
    assert event.id not in ids(events.list_events(uow_factory(), gestion, ListQuery()))
    archive.restore_event(uow_factory(), gestion, event.id)
    assert event.id in ids(events.list_events(uow_factory(), gestion, ListQuery()))


def test_a_contract_of_an_archived_client_is_restored_with_the_client_only(
    uow_factory, gestion, business
):
    client, contract, _ = business
    archive.archive_client(uow_factory(), gestion, client.id)
    with pytest.raises(Conflict, match="restore the client first"):
        archive.restore_contract(uow_factory(), gestion, contract.id)


@pytest.mark.parametrize("department", ["commerce", "support"])
def test_only_gestion_archives_and_restores(
    department, uow_factory, as_user, make_collaborator, business, connection
):
    actor = as_user(make_collaborator(department))
    client, contract, event = business
    before = snapshot(connection)
    for attempt in (
        lambda: archive.archive_client(uow_factory(), actor, client.id),
        lambda: archive.archive_contract(uow_factory(), actor, contract.id),
        lambda: archive.archive_event(uow_factory(), actor, event.id),
        lambda: archive.restore_client(uow_factory(), actor, client.id),
    ):
        with pytest.raises(PermissionDenied, match="Only gestion may archive"):
            attempt()
    assert snapshot(connection) == before


def test_nothing_is_ever_deleted_by_archiving(uow_factory, gestion, business, connection):
    client, *_ = business
    counts = [
        connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
        for t in ("clients", "contracts", "events")
    ]
    archive.archive_client(uow_factory(), gestion, client.id)
    after = [
        connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
        for t in ("clients", "contracts", "events")
    ]
    assert after == counts


# -- history -----------------------------------------------------------------------------


def test_every_change_leaves_a_history_row_with_its_fields(
    uow_factory, gestion, commerce, support, business
):
    client, contract, event = business
    clients.update_client(uow_factory(), commerce, client.id, phone="+33 9 87 65 43 21")
    actions = [
        e.action
        for e in audit.history(uow_factory(), support, "client", client.id, ListQuery()).items
    ]
    assert actions == ["create", "update"]
    (update,) = [
        e
        for e in audit.history(uow_factory(), support, "client", client.id, ListQuery()).items
        if e.action == "update"
    ]
    assert update.changes == {"phone": ("+678 123 456 78", "+33 9 87 65 43 21")}
    assert update.actor_id == commerce.id
    contract_actions = [
        e.action
        for e in audit.history(uow_factory(), gestion, "contract", contract.id, ListQuery()).items
    ]
    assert contract_actions == ["create", "sign"]
    event_history = audit.history(uow_factory(), gestion, "event", event.id, ListQuery()).items
    assert [e.action for e in event_history] == ["create", "assign"]
    assert event_history[1].changes["support_contact"][1] == support.name


def test_a_refused_or_failed_change_leaves_no_history_row(
    uow_factory, commerce, make_collaborator, as_user, business, connection
):
    client, *_ = business
    other = as_user(make_collaborator("commerce"))
    before = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    with pytest.raises(PermissionDenied):
        clients.update_client(uow_factory(), other, client.id, phone="+33 1 00 00 00 00")
    with pytest.raises(ValidationError):
        clients.update_client(uow_factory(), commerce, client.id, email="not an email")
    assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == before


def test_history_never_holds_a_password_or_a_hash(
    uow_factory, gestion, make_collaborator, connection
):
    target = make_collaborator("support")
    collaborators.update_collaborator(
        uow_factory(), gestion, target.id, password="secret password 9"
    )
    changes = (
        connection.execute(
            text(
                "SELECT changes::text FROM audit_log "
                "WHERE entity = 'collaborator' AND entity_id = :id"
            ),
            {"id": target.id},
        )
        .scalars()
        .all()
    )
    assert changes
    assert all("secret password 9" not in c and "$argon2" not in c for c in changes)


def test_history_keeps_the_name_of_a_deleted_collaborator(
    uow_factory, gestion, make_collaborator, as_user, commerce
):
    boss = make_collaborator("gestion", name="Temporary Boss")
    temporary = as_user(boss)
    client = clients.create_client(
        uow_factory(),
        commerce,
        full_name="Zed",
        email="zed.h@x.io",
        phone="+33 1 23 45 67 89",
        company_name="Zed",
    )
    contract = contracts.create_contract(
        uow_factory(), temporary, client_id=client.id, total_amount="10"
    )
    collaborators.delete_collaborator(uow_factory(), gestion, boss.id)
    (created,) = audit.history(uow_factory(), gestion, "contract", contract.id, ListQuery()).items
    assert (created.actor_id, created.actor_name) == (None, "Temporary Boss")


def test_recent_activity_is_for_gestion_latest_first(uow_factory, gestion, commerce, business):
    page = audit.recent_activity(uow_factory(), gestion, ListQuery(sort="at", descending=True))
    assert page.items[0].action == "assign"
    with pytest.raises(PermissionDenied):
        audit.recent_activity(uow_factory(), commerce, ListQuery())


# -- deactivation ------------------------------------------------------------------------


def test_a_deactivated_collaborator_cannot_act_and_can_come_back(
    uow_factory, gestion, make_collaborator, as_user
):
    person = make_collaborator("support")
    session_of_theirs = as_user(person)
    collaborators.set_active(uow_factory(), gestion, person.id, active=False)
    with pytest.raises(NotAuthenticated):
        collaborators.update_own_profile(uow_factory(), session_of_theirs, name="Still here")
    with pytest.raises(ValidationError, match="already deactivated"):
        collaborators.set_active(uow_factory(), gestion, person.id, active=False)
    back = collaborators.set_active(uow_factory(), gestion, person.id, active=True)
    assert back.active


def test_no_one_deactivates_themselves_and_only_gestion_deactivates(
    uow_factory, gestion, commerce, make_collaborator
):
    with pytest.raises(PermissionDenied, match="your own account"):
        collaborators.set_active(uow_factory(), gestion, gestion.id, active=False)
    target = make_collaborator("support")
    with pytest.raises(PermissionDenied, match="Only gestion"):
        collaborators.set_active(uow_factory(), commerce, target.id, active=False)


# -- duplicate guard ---------------------------------------------------------------------


def test_the_duplicate_guard_finds_the_same_email_or_the_same_name_at_the_same_company(
    uow_factory, commerce, business
):
    client, *_ = business
    by_email = clients.find_duplicates(
        uow_factory(), commerce, email="KEVIN.ARCHIVE@startup.io", full_name="X", company_name="Y"
    )
    by_name = clients.find_duplicates(
        uow_factory(),
        commerce,
        email="other@x.io",
        full_name="kevin casey",
        company_name="COOL STARTUP LLC",
    )
    nothing = clients.find_duplicates(
        uow_factory(),
        commerce,
        email="other@x.io",
        full_name="Kevin Casey",
        company_name="Other Co",
    )
    assert [c.id for c in by_email] == [client.id]
    assert [c.id for c in by_name] == [client.id]
    assert nothing == []


def test_a_contract_and_its_event_archived_with_their_client_say_so_in_their_own_history(
    uow_factory, gestion, business
):
    client, contract, event = business
    archive.archive_client(uow_factory(), gestion, client.id)
    archive.restore_client(uow_factory(), gestion, client.id)
    for entity, record_id in (("contract", contract.id), ("event", event.id)):
        entries = audit.history(uow_factory(), gestion, entity, record_id, ListQuery()).items
        assert [(e.action, e.changes) for e in entries[-2:]] == [
            ("archive", {"with": (None, f"client #{client.id}")}),
            ("restore", {"with": (None, f"client #{client.id}")}),
        ]


def test_a_reassignment_shows_in_the_history_of_each_moved_contract(
    uow_factory, gestion, make_collaborator, as_user, business
):
    client, contract, _ = business
    newcomer = as_user(make_collaborator("commerce", name="New Seller"))
    clients.reassign_client(uow_factory(), gestion, client.id, newcomer.id)
    last = audit.history(uow_factory(), gestion, "contract", contract.id, ListQuery()).items[-1]
    assert last.action == "reassign"
    assert last.changes["commercial_contact"][1] == "New Seller"


def test_update_forms_are_refused_before_they_are_shown(
    uow_factory, gestion, commerce, support, make_collaborator, as_user, business
):
    client, contract, event = business
    other_seller = as_user(make_collaborator("commerce"))
    other_helper = as_user(make_collaborator("support"))
    with pytest.raises(PermissionDenied, match="Only the client's commercial contact"):
        clients.check_update_client(uow_factory(), other_seller, client.id)
    with pytest.raises(PermissionDenied, match="Only the client's commercial contact"):
        contracts.check_update_contract(uow_factory(), other_seller, contract.id, signing=True)
    with pytest.raises(PermissionDenied, match="Only the event's support contact"):
        events.check_update_event(uow_factory(), other_helper, event.id)
    assert clients.check_update_client(uow_factory(), commerce, client.id).id == client.id
    assert contracts.check_update_contract(uow_factory(), gestion, contract.id).id == contract.id
    assert events.check_update_event(uow_factory(), support, event.id).id == event.id


def test_a_commercial_with_clients_is_not_deactivated_and_the_message_says_why(
    uow_factory, gestion, commerce, business, connection
):
    before = snapshot(connection)
    with pytest.raises(
        Conflict, match="Hand them over to another commercial before deactivating them"
    ):
        collaborators.set_active(uow_factory(), gestion, commerce.id, active=False)
    assert snapshot(connection) == before
