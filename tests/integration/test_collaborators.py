"""Collaborator use cases, for every department, both ways, against real PostgreSQL."""

import pytest
from sqlalchemy import text

from epic_events.auth import passwords
from epic_events.controllers import collaborators as controller
from epic_events.departments import DepartmentName
from epic_events.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    SessionExpired,
    ValidationError,
)
from epic_events.models import Client
from epic_events.paging import ListQuery
from tests.conftest import PASSWORD
from tests.integration.helpers import snapshot

NEW = {
    "name": "Kate Hastroff",
    "email": "kate@epicevents.example",
    "phone": "+33 6 11 22 33 44",
    "department": "support",
    "password": "a long enough password",
}
NOT_GESTION = ["commerce", "support"]


@pytest.fixture
def user_of(make_collaborator, as_user):
    return lambda department: as_user(make_collaborator(department))


# -- gestion may -------------------------------------------------------------------------


def test_gestion_creates_a_collaborator_with_a_hashed_password(uow_factory, gestion, connection):
    created = controller.create_collaborator(uow_factory(), gestion, **NEW)
    row = connection.execute(
        text(
            "SELECT c.name, c.email, d.name AS department, c.password_hash FROM collaborators c "
            "JOIN departments d ON d.id = c.department_id WHERE c.id = :id"
        ),
        {"id": created.id},
    ).one()
    assert (row.name, row.email, row.department) == ("Kate Hastroff", NEW["email"], "support")
    assert row.password_hash.startswith("$epic$argon2id$")
    assert passwords.verify_password(row.password_hash, NEW["password"])


def test_gestion_creates_with_a_lower_case_email(uow_factory, gestion):
    created = controller.create_collaborator(
        uow_factory(), gestion, **{**NEW, "email": "Kate@EpicEvents.Example"}
    )
    assert created.email == "kate@epicevents.example"


def test_gestion_lists_collaborators_page_by_page(uow_factory, gestion, make_collaborator):
    for number in range(25):
        make_collaborator("support", name=f"Helper {number:02d}")
    first = controller.list_collaborators(uow_factory(), gestion, ListQuery(page=1))
    second = controller.list_collaborators(uow_factory(), gestion, ListQuery(page=2))
    assert first.total == second.total >= 26
    assert len(first.items) == 20
    assert not {c.id for c in first.items} & {c.id for c in second.items}


def test_gestion_searches_collaborators_by_name_or_email_ignoring_case(
    uow_factory, gestion, make_collaborator
):
    wanted = make_collaborator("support", name="Zoé Unusualname")
    make_collaborator("support", name="Someone Else")
    by_name = controller.list_collaborators(uow_factory(), gestion, ListQuery(search="unusualNAME"))
    by_email = controller.list_collaborators(
        uow_factory(), gestion, ListQuery(search=wanted.email.upper())
    )
    assert [c.id for c in by_name.items] == [wanted.id]
    assert [c.id for c in by_email.items] == [wanted.id]


def test_search_wildcards_are_taken_literally(uow_factory, gestion, make_collaborator):
    make_collaborator("support", name="Percent Person")
    assert controller.list_collaborators(uow_factory(), gestion, ListQuery(search="%")).total == 0
    assert controller.list_collaborators(uow_factory(), gestion, ListQuery(search="_")).total == 0


def test_a_page_past_the_end_shows_the_last_page(uow_factory, gestion):
    page = controller.list_collaborators(uow_factory(), gestion, ListQuery(page=999))
    assert page.number == page.pages


def test_gestion_updates_name_phone_email_and_department(uow_factory, gestion, make_collaborator):
    target = make_collaborator("support")
    updated = controller.update_collaborator(
        uow_factory(),
        gestion,
        target.id,
        name="New Name",
        phone="+33 7 00 00 00 00",
        email="new.address@example.com",
        department="gestion",
    )
    assert (updated.name, updated.phone, updated.email) == (
        "New Name",
        "+33 7 00 00 00 00",
        "new.address@example.com",
    )
    assert updated.department == DepartmentName.GESTION
    assert updated.token_version == target.token_version + 1  # their sessions end


def test_gestion_resets_a_password_and_ends_their_sessions(
    uow_factory, gestion, make_collaborator, connection
):
    target = make_collaborator("commerce")
    controller.update_collaborator(uow_factory(), gestion, target.id, password="brand new password")
    row = connection.execute(
        text("SELECT password_hash, token_version FROM collaborators WHERE id = :id"),
        {"id": target.id},
    ).one()
    assert passwords.verify_password(row.password_hash, "brand new password")
    assert row.token_version == 1


def test_gestion_deletes_a_collaborator(uow_factory, gestion, make_collaborator, connection):
    target = make_collaborator("support")
    controller.delete_collaborator(uow_factory(), gestion, target.id)
    count = connection.execute(
        text("SELECT count(*) FROM collaborators WHERE id = :id"), {"id": target.id}
    ).scalar_one()
    assert count == 0


# -- the others may not -----------------------------------------------------------------


@pytest.mark.parametrize("department", NOT_GESTION)
def test_only_gestion_creates_collaborators(department, user_of, uow_factory, connection):
    actor = user_of(department)
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may create collaborators"):
        controller.create_collaborator(uow_factory(), actor, **NEW)
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", NOT_GESTION)
def test_only_gestion_updates_collaborators(
    department, user_of, uow_factory, connection, make_collaborator
):
    actor = user_of(department)
    target = make_collaborator("support")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may update collaborators"):
        controller.update_collaborator(uow_factory(), actor, target.id, name="Hacked")
    with pytest.raises(PermissionDenied):
        controller.update_collaborator(uow_factory(), actor, actor.id, department="gestion")
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", NOT_GESTION)
def test_only_gestion_deletes_collaborators(
    department, user_of, uow_factory, connection, make_collaborator
):
    actor = user_of(department)
    target = make_collaborator("support")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may delete collaborators"):
        controller.delete_collaborator(uow_factory(), actor, target.id)
    assert snapshot(connection) == before


@pytest.mark.parametrize("department", NOT_GESTION)
def test_only_gestion_lists_and_views_other_collaborators(
    department, user_of, uow_factory, make_collaborator
):
    actor = user_of(department)
    other = make_collaborator("gestion")
    with pytest.raises(PermissionDenied, match="Only gestion may list collaborators"):
        controller.list_collaborators(uow_factory(), actor)
    with pytest.raises(PermissionDenied):
        controller.get_collaborator(uow_factory(), actor, other.id)
    assert controller.get_collaborator(uow_factory(), actor, actor.id).id == actor.id


# -- the rules that follow from the matrix ----------------------------------------------


def test_no_one_changes_their_own_department(uow_factory, gestion, connection):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="own department"):
        controller.update_collaborator(uow_factory(), gestion, gestion.id, department="commerce")
    assert snapshot(connection) == before


def test_no_one_deletes_their_own_account(uow_factory, gestion, connection):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="your own account"):
        controller.delete_collaborator(uow_factory(), gestion, gestion.id)
    assert snapshot(connection) == before


@pytest.fixture
def seller_with_clients(session, make_collaborator):
    seller = make_collaborator("commerce", name="Bill Boquet")
    for number in range(12):
        session.add(
            Client(
                full_name=f"Client {number:02d}",
                email=f"client{number}-{seller.id}@example.com",
                phone="+33 1 23 45 67 89",
                company_name="Cool Startup LLC",
                commercial_contact=seller,
            )
        )
    session.flush()
    return seller


def test_a_commercial_who_owns_clients_cannot_be_deleted_and_the_app_says_which(
    uow_factory, gestion, seller_with_clients, connection
):
    before = snapshot(connection)
    with pytest.raises(Conflict) as refusal:
        controller.delete_collaborator(uow_factory(), gestion, seller_with_clients.id)
    message = refusal.value.message
    assert "Bill Boquet is still the commercial contact of 12 client(s)" in message
    assert "Client 00" in message
    assert "and 2 more" in message
    assert "Hand them over to another commercial" in message
    assert snapshot(connection) == before


def test_a_commercial_who_owns_clients_keeps_their_department(
    uow_factory, gestion, seller_with_clients, connection
):
    before = snapshot(connection)
    with pytest.raises(Conflict, match="commercial contact of 12"):
        controller.update_collaborator(
            uow_factory(), gestion, seller_with_clients.id, department="support"
        )
    assert snapshot(connection) == before


def test_an_email_already_used_is_refused_with_a_clear_message(
    uow_factory, gestion, make_collaborator, connection
):
    existing = make_collaborator("support")
    before = snapshot(connection)
    with pytest.raises(Conflict, match="already exists"):
        controller.create_collaborator(uow_factory(), gestion, **{**NEW, "email": existing.email})
    assert snapshot(connection) == before
    other = make_collaborator("support")
    before = snapshot(connection)
    with pytest.raises(Conflict, match="already exists"):
        controller.update_collaborator(uow_factory(), gestion, other.id, email=existing.email)
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "Name is required"),
        ("name", "x" * 101, "too long"),
        ("email", "not an email", "not an email address"),
        ("email", "kаte@example.com", "ASCII"),  # Cyrillic a
        ("phone", "call me", "Phone must be"),
        ("department", "marketing", "Department must be one of"),
        ("password", "short", "at least 8"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_written(
    field, value, message, uow_factory, gestion, connection
):
    before = snapshot(connection)
    with pytest.raises(ValidationError, match=message):
        controller.create_collaborator(uow_factory(), gestion, **{**NEW, field: value})
    assert snapshot(connection) == before


def test_an_update_that_changes_nothing_says_so(uow_factory, gestion, make_collaborator):
    target = make_collaborator("support")
    with pytest.raises(ValidationError, match="Nothing to change"):
        controller.update_collaborator(uow_factory(), gestion, target.id, name=target.name)


def test_an_unknown_collaborator_is_not_found(uow_factory, gestion):
    with pytest.raises(NotFound, match="no collaborator #999999"):
        controller.update_collaborator(uow_factory(), gestion, 999999, name="X")
    with pytest.raises(NotFound):
        controller.delete_collaborator(uow_factory(), gestion, 999999)


def test_a_demotion_takes_effect_at_once(uow_factory, gestion, make_collaborator, as_user):
    other_manager = as_user(make_collaborator("gestion"))
    controller.update_collaborator(uow_factory(), gestion, other_manager.id, department="support")
    # other_manager still holds a session saying "gestion": it ends at their next action.
    with pytest.raises(SessionExpired, match="department changed"):
        controller.create_collaborator(uow_factory(), other_manager, **NEW)


def test_a_deleted_collaborator_can_no_longer_act(uow_factory, gestion, make_collaborator, as_user):
    other_manager = as_user(make_collaborator("gestion"))
    controller.delete_collaborator(uow_factory(), gestion, other_manager.id)
    with pytest.raises(NotAuthenticated, match="no longer exists"):
        controller.list_collaborators(uow_factory(), other_manager)


# -- one's own profile: everyone --------------------------------------------------------


@pytest.mark.parametrize("department", ["gestion", "commerce", "support"])
def test_everyone_edits_their_own_name_and_phone(department, user_of, uow_factory):
    me = user_of(department)
    updated = controller.update_own_profile(
        uow_factory(), me, name="Renamed Person", phone="+33 9 87 65 43 21"
    )
    assert (updated.name, updated.phone) == ("Renamed Person", "+33 9 87 65 43 21")


@pytest.mark.parametrize("department", ["gestion", "commerce", "support"])
def test_everyone_changes_their_own_password(department, user_of, uow_factory, connection):
    me = user_of(department)
    controller.change_own_password(
        uow_factory(), me, current_password=PASSWORD, new_password="another good password"
    )
    row = connection.execute(
        text("SELECT password_hash, token_version FROM collaborators WHERE id = :id"),
        {"id": me.id},
    ).one()
    assert passwords.verify_password(row.password_hash, "another good password")
    assert row.token_version == 1


def test_a_wrong_current_password_changes_nothing(user_of, uow_factory, connection):
    me = user_of("support")
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="current password is wrong"):
        controller.change_own_password(
            uow_factory(), me, current_password="wrong", new_password="another good password"
        )
    assert snapshot(connection) == before


def test_the_delete_check_refuses_before_the_view_asks_to_confirm(
    uow_factory, gestion, seller_with_clients, make_collaborator
):
    with pytest.raises(PermissionDenied, match="your own account"):
        controller.check_delete_collaborator(uow_factory(), gestion, gestion.id)
    with pytest.raises(Conflict, match="commercial contact of 12"):
        controller.check_delete_collaborator(uow_factory(), gestion, seller_with_clients.id)
    helper = make_collaborator("support")
    assert controller.check_delete_collaborator(uow_factory(), gestion, helper.id).id == helper.id


def test_two_managers_acting_on_each_other_at_once_leave_one_manager(postgres, database_url):
    """Two real sessions: the second waits for the first's lock, then finds it lost its rights."""
    import threading
    import uuid

    from sqlalchemy.orm import sessionmaker

    from epic_events.controllers.auth import CurrentUser
    from epic_events.db import UnitOfWork, make_engine
    from epic_events.models import Collaborator, Department

    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        gestion_department = session.query(Department).filter_by(name="gestion").one()
        pair = [
            Collaborator(
                name=f"Boss {n}",
                email=f"boss-{uuid.uuid4().hex[:8]}@example.com",
                phone="+33 6 12 34 56 78",
                department=gestion_department,
                password_hash="x",
            )
            for n in (1, 2)
        ]
        session.add_all(pair)
        session.commit()
        users = [CurrentUser.of(c) for c in pair]
    outcomes = {}

    def deactivate(actor, target):
        try:
            controller.set_active(UnitOfWork(factory), actor, target.id, active=False)
            outcomes[actor.id] = "done"
        except Exception as problem:
            outcomes[actor.id] = type(problem).__name__

    try:
        threads = [
            threading.Thread(target=deactivate, args=(users[0], users[1])),
            threading.Thread(target=deactivate, args=(users[1], users[0])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with factory() as session:
            active = [session.get(Collaborator, u.id).active for u in users]
        assert sorted(outcomes.values()) != ["done", "done"], outcomes
        assert any(active)
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM audit_log WHERE actor_id IN (:a, :b)"),
                {"a": users[0].id, "b": users[1].id},
            )
            conn.execute(
                text("DELETE FROM collaborators WHERE id IN (:a, :b)"),
                {"a": users[0].id, "b": users[1].id},
            )
        engine.dispose()
