"""Optimistic locking between two programs at once: two engines, committed data, real races.

The usual fixtures run every test in one rolled-back connection, where no one else can change
a row meanwhile. Here each test's data is committed in a database of this module's own, and
two `Database`s stand for two staff members' programs, connected as the program's own role
(row-level security on), as `project.py` connects.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from epic_events.controllers import archive, clients, collaborators, contracts, events
from epic_events.controllers.auth import CurrentUser
from epic_events.db import CHANGED_MEANWHILE, Database, make_engine
from epic_events.errors import Conflict, EpicEventsError, PermissionDenied
from epic_events.migrations import upgrade
from epic_events.models import Collaborator, Contract, Department, DepartmentName
from epic_events.roles import app_role
from tests.conftest import open_test_session

CHANGED_BY_SOMEONE_ELSE = "changed by someone else"
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


def unique() -> str:
    return uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class Staff:
    gestion: CurrentUser
    commerce: CurrentUser
    support: CurrentUser
    other_support: CurrentUser


@pytest.fixture(scope="module")
def locking_url(postgres):
    """A database of this module's own, migrated, with the three departments (committed)."""
    url = postgres.create_database("epic_locking")
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for name in DepartmentName:
            conn.execute(text("INSERT INTO departments (name) VALUES (:n)"), {"n": name.value})
    engine.dispose()
    yield url
    postgres.drop_database(url)


@pytest.fixture(scope="module")
def admin(locking_url):
    """The administrator's engine: arranges collaborators and reads rows back."""
    engine = make_engine(locking_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def staff(admin, password_hash) -> Staff:
    """One collaborator per role the tests need, committed."""
    with Session(admin, expire_on_commit=False) as session:
        departments = {d.name: d for d in session.query(Department)}

        def add(department: DepartmentName) -> Collaborator:
            tag = unique()
            person = Collaborator(
                name=f"{department.value.capitalize()} {tag}",
                email=f"{department.value}-{tag}@example.com",
                phone="+33 6 12 34 56 78",
                department=departments[department],
                password_hash=password_hash,
            )
            session.add(person)
            return person

        people = [
            add(DepartmentName.GESTION),
            add(DepartmentName.COMMERCE),
            add(DepartmentName.SUPPORT),
            add(DepartmentName.SUPPORT),
        ]
        session.commit()
    with admin.begin() as connection:
        return Staff(
            *(
                CurrentUser.of(person, session=open_test_session(connection, person.id))
                for person in people
            )
        )


def program_database(url: str) -> Database:
    """A program's database: its own engine, connected as the program's role."""
    database = Database(url)
    role = app_role(database.engine.url.database)

    @event.listens_for(database.engine, "connect")
    def as_program_role(dbapi_connection, _record) -> None:
        dbapi_connection.autocommit = True  # a SET in a transaction is undone by its rollback
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {role}")
            cursor.execute("SET search_path = crm, public")
        dbapi_connection.autocommit = False

    return database


@pytest.fixture
def first(locking_url):
    database = program_database(locking_url)
    yield database
    database.dispose()


@pytest.fixture
def second(locking_url):
    database = program_database(locking_url)
    yield database
    database.dispose()


@pytest.fixture
def client_id(first, staff) -> int:
    """A client of the commercial, committed."""
    tag = unique()
    return clients.create_client(
        first.unit_of_work(),
        staff.commerce,
        full_name=f"Kevin Casey {tag}",
        email=f"kevin-{tag}@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
    ).id


@pytest.fixture
def contract_id(first, staff, client_id) -> int:
    """An unsigned contract of 1 000.00, all due, committed."""
    return contracts.create_contract(
        first.unit_of_work(), staff.gestion, client_id=client_id, total_amount="1000.00"
    ).id


@pytest.fixture
def event_id(first, staff, contract_id) -> int:
    """An event on the (now signed) contract, supported by `staff.support`, committed."""
    contracts.sign_contract(first.unit_of_work(), staff.gestion, contract_id)
    created = events.create_event(
        first.unit_of_work(),
        staff.commerce,
        contract_id=contract_id,
        name=f"John Ouick Wedding {unique()}",
        start_at=START,
        end_at=START + timedelta(hours=13),
        location="53 Rue du Château, 41120 Candé-sur-Beuvron, France",
        attendees=75,
        notes="Wedding starts at 3PM.",
    )
    events.assign_support(first.unit_of_work(), staff.gestion, created.id, staff.support.id)
    return created.id


def row(admin, table: str, record_id: int):
    with admin.connect() as conn:
        return conn.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": record_id}).one()


def history(admin, entity: str, record_id: int, action: str) -> int:
    """How many history rows of `action` the record has."""
    with admin.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM audit_log "
                "WHERE entity = :entity AND entity_id = :id AND action = :action"
            ),
            {"entity": entity, "id": record_id, "action": action},
        )


def opened_contract(database: Database, user: CurrentUser, contract_id: int) -> Contract:
    """What the update form reads when it opens (views.contracts.update_screen)."""
    contracts.check_update_contract(database.unit_of_work(), user, contract_id)
    return contracts.get_contract(database.unit_of_work(), user, contract_id).contract


def test_clients_contracts_and_events_start_at_version_one(admin, staff, first, client_id):
    contract = contracts.create_contract(
        first.unit_of_work(), staff.gestion, client_id=client_id, total_amount="10.00"
    )
    contracts.sign_contract(first.unit_of_work(), staff.gestion, contract.id)
    created = events.create_event(
        first.unit_of_work(),
        staff.commerce,
        contract_id=contract.id,
        name="Launch party",
        start_at=START,
        end_at=START + timedelta(hours=4),
        location="Paris",
        attendees=10,
    )
    assert contract.version == created.version == 1
    assert row(admin, "clients", client_id).version == 1
    assert row(admin, "events", created.id).version == 1


def test_a_second_save_of_a_contract_opened_before_the_first_save_is_refused(
    admin, staff, first, second, contract_id
):
    form_one = opened_contract(first, staff.gestion, contract_id)
    form_two = opened_contract(second, staff.commerce, contract_id)
    contracts.update_contract(
        first.unit_of_work(),
        staff.gestion,
        contract_id,
        total_amount="1500.50",
        amount_due="500.00",
        expected_version=form_one.version,
    )
    with pytest.raises(Conflict) as refused:
        contracts.update_contract(
            second.unit_of_work(),
            staff.commerce,
            contract_id,
            total_amount="2000.00",
            amount_due="0.00",
            expected_version=form_two.version,
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    assert f"#{contract_id}" in refused.value.message
    saved = row(admin, "contracts", contract_id)
    assert (saved.total_amount, saved.amount_due) == (Decimal("1500.50"), Decimal("500.00"))
    assert saved.version == form_one.version + 1


def test_a_refused_save_of_a_contract_leaves_one_update_in_its_history(
    admin, staff, first, second, contract_id
):
    version = opened_contract(first, staff.gestion, contract_id).version
    contracts.update_contract(
        first.unit_of_work(),
        staff.gestion,
        contract_id,
        amount_due="400.00",
        expected_version=version,
    )
    with pytest.raises(Conflict):
        contracts.update_contract(
            second.unit_of_work(),
            staff.commerce,
            contract_id,
            amount_due="300.00",
            expected_version=version,
        )
    assert history(admin, "contract", contract_id, "update") == 1


def test_saving_with_the_current_version_succeeds_and_bumps_it_by_one(
    admin, staff, first, second, contract_id
):
    version = opened_contract(first, staff.gestion, contract_id).version
    saved = contracts.update_contract(
        first.unit_of_work(),
        staff.gestion,
        contract_id,
        amount_due="900.00",
        expected_version=version,
    )
    assert saved.version == version + 1
    reopened = opened_contract(second, staff.commerce, contract_id)
    assert reopened.version == version + 1
    again = contracts.update_contract(
        second.unit_of_work(),
        staff.commerce,
        contract_id,
        amount_due="800.00",
        expected_version=reopened.version,
    )
    assert again.version == version + 2
    stored = row(admin, "contracts", contract_id)
    assert (stored.amount_due, stored.version) == (Decimal("800.00"), version + 2)
    assert history(admin, "contract", contract_id, "update") == 2


def test_signing_a_contract_updated_meanwhile_is_refused(admin, staff, first, second, contract_id):
    to_sign = opened_contract(second, staff.commerce, contract_id)
    contracts.update_contract(
        first.unit_of_work(),
        staff.gestion,
        contract_id,
        total_amount="5000.00",
        amount_due="5000.00",
    )
    with pytest.raises(Conflict) as refused:
        contracts.sign_contract(
            second.unit_of_work(), staff.commerce, contract_id, expected_version=to_sign.version
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    stored = row(admin, "contracts", contract_id)
    assert (stored.signed, stored.signed_at, stored.total_amount) == (
        False,
        None,
        Decimal("5000.00"),
    )
    assert history(admin, "contract", contract_id, "sign") == 0


def test_a_second_save_of_a_client_opened_before_the_first_save_is_refused(
    admin, staff, first, second, client_id
):
    """The same commercial, in two programs (a laptop and a desktop)."""
    version_one = clients.check_update_client(first.unit_of_work(), staff.commerce, client_id)
    version_two = clients.check_update_client(second.unit_of_work(), staff.commerce, client_id)
    clients.update_client(
        first.unit_of_work(),
        staff.commerce,
        client_id,
        phone="+33 1 11 11 11 11",
        expected_version=version_one.version,
    )
    with pytest.raises(Conflict) as refused:
        clients.update_client(
            second.unit_of_work(),
            staff.commerce,
            client_id,
            phone="+33 2 22 22 22 22",
            company_name="Other Startup SAS",
            expected_version=version_two.version,
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    stored = row(admin, "clients", client_id)
    assert (stored.phone, stored.company_name) == ("+33 1 11 11 11 11", "Cool Startup LLC")
    assert stored.version == version_one.version + 1
    assert history(admin, "client", client_id, "update") == 1


def test_gestion_assigning_support_on_an_event_the_support_just_updated_is_refused(
    admin, staff, first, second, event_id
):
    assigning = events.get_event(first.unit_of_work(), staff.gestion, event_id)
    editing = events.check_update_event(second.unit_of_work(), staff.support, event_id)
    events.update_event(
        second.unit_of_work(),
        staff.support,
        event_id,
        notes="The DJ comes at 11 PM.",
        expected_version=editing.version,
    )
    with pytest.raises(Conflict) as refused:
        events.assign_support(
            first.unit_of_work(),
            staff.gestion,
            event_id,
            staff.other_support.id,
            expected_version=assigning.version,
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    stored = row(admin, "events", event_id)
    assert (stored.notes, stored.support_contact_id) == ("The DJ comes at 11 PM.", staff.support.id)
    assert stored.version == editing.version + 1
    assert history(admin, "event", event_id, "update") == 1
    assert history(admin, "event", event_id, "assign") == 1  # the fixture's, not the refused one


def test_a_support_saving_an_event_gestion_changed_meanwhile_is_refused(
    admin, staff, first, second, event_id
):
    """Gestion removes the support and gives it back: same support, newer version."""
    editing = events.check_update_event(second.unit_of_work(), staff.support, event_id)
    events.assign_support(first.unit_of_work(), staff.gestion, event_id, staff.other_support.id)
    events.assign_support(first.unit_of_work(), staff.gestion, event_id, staff.support.id)
    with pytest.raises(Conflict) as refused:
        events.update_event(
            second.unit_of_work(),
            staff.support,
            event_id,
            attendees=120,
            expected_version=editing.version,
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    stored = row(admin, "events", event_id)
    assert (stored.attendees, stored.version) == (75, editing.version + 2)
    assert history(admin, "event", event_id, "update") == 0


def test_a_support_saving_an_event_given_to_another_support_meanwhile_is_told_who_holds_it(
    admin, staff, first, second, event_id
):
    editing = events.check_update_event(second.unit_of_work(), staff.support, event_id)
    events.assign_support(first.unit_of_work(), staff.gestion, event_id, staff.other_support.id)
    with pytest.raises(PermissionDenied, match=f"assigned to {staff.other_support.name}"):
        events.update_event(
            second.unit_of_work(),
            staff.support,
            event_id,
            attendees=120,
            expected_version=editing.version,
        )
    assert row(admin, "events", event_id).attendees == 75


def test_archiving_a_client_bumps_its_contracts_versions_so_an_open_form_is_refused(
    admin, staff, first, second, client_id, contract_id
):
    form = opened_contract(second, staff.commerce, contract_id)
    archive.archive_client(first.unit_of_work(), staff.gestion, client_id)
    assert row(admin, "contracts", contract_id).version == form.version + 1
    with pytest.raises(Conflict):  # archived: read-only until restored
        contracts.update_contract(
            second.unit_of_work(),
            staff.commerce,
            contract_id,
            amount_due="1.00",
            expected_version=form.version,
        )
    archive.restore_client(first.unit_of_work(), staff.gestion, client_id)
    assert row(admin, "contracts", contract_id).version == form.version + 2
    with pytest.raises(Conflict) as refused:
        contracts.update_contract(
            second.unit_of_work(),
            staff.commerce,
            contract_id,
            amount_due="1.00",
            expected_version=form.version,
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    assert row(admin, "contracts", contract_id).amount_due == Decimal("1000.00")


def save_on_a_stale_object(stale_db: Database, fresh_db: Database, actor_id: str, contract_id):
    """Load a contract, let another program change it and commit, then flush a change on the
    object loaded before (no form version: only the ORM's `WHERE version = …` can see it)."""
    with stale_db.unit_of_work() as stale_uow:
        stale_uow.act_in(actor_id)
        stale = stale_uow.session.get(Contract, contract_id)
        assert stale.version == 1
        with fresh_db.unit_of_work() as fresh_uow:
            fresh_uow.act_in(actor_id)
            fresh_uow.session.get(Contract, contract_id).amount_due = Decimal("100.00")
            fresh_uow.commit()
        stale.amount_due = Decimal("200.00")
        stale_uow.flush()


def test_a_race_between_two_orm_sessions_is_a_conflict_not_a_traceback(
    admin, staff, first, second, contract_id
):
    with pytest.raises(EpicEventsError) as refused:
        save_on_a_stale_object(second, first, staff.gestion.session, contract_id)
    assert type(refused.value) is Conflict
    assert refused.value.message == CHANGED_MEANWHILE
    assert refused.value.__suppress_context__  # no StaleDataError chained onto the screen
    stored = row(admin, "contracts", contract_id)
    assert (stored.amount_due, stored.version) == (Decimal("100.00"), 2)


@pytest.fixture
def two_managers_and_a_colleague(admin, password_hash):
    """Two gestion members and a support colleague they both edit, committed."""
    with Session(admin, expire_on_commit=False) as session:
        departments = {d.name: d for d in session.query(Department)}
        people = []
        for department in ("gestion", "gestion", "support"):
            tag = unique()
            person = Collaborator(
                name=f"Person {tag}",
                email=f"person-{tag}@example.com",
                phone="+33 6 12 34 56 78",
                department=departments[department],
                password_hash=password_hash,
            )
            session.add(person)
            people.append(person)
        session.commit()
    with admin.begin() as connection:
        return [
            CurrentUser.of(person, session=open_test_session(connection, person.id))
            for person in people
        ]


def test_a_second_save_of_a_collaborator_opened_before_the_first_save_is_refused(
    admin, first, second, two_managers_and_a_colleague
):
    one, two, colleague = two_managers_and_a_colleague
    form_one = collaborators.get_collaborator(first.unit_of_work(), one, colleague.id)
    form_two = collaborators.get_collaborator(second.unit_of_work(), two, colleague.id)
    assert form_one.version == form_two.version == 1
    saved = collaborators.update_collaborator(
        first.unit_of_work(),
        one,
        colleague.id,
        phone="+33 1 11 11 11 11",
        expected_version=form_one.version,
    )
    assert saved.version == 2
    with pytest.raises(Conflict) as refused:
        collaborators.update_collaborator(
            second.unit_of_work(),
            two,
            colleague.id,
            name="Renamed Meanwhile",
            expected_version=form_two.version,
        )
    assert CHANGED_BY_SOMEONE_ELSE in refused.value.message
    assert f"Collaborator #{colleague.id}" in refused.value.message
    stored = row(admin, "collaborators", colleague.id)
    assert (stored.name, stored.phone, stored.version) == (colleague.name, "+33 1 11 11 11 11", 2)
    assert history(admin, "collaborator", colleague.id, "update") == 1


def test_deactivating_a_collaborator_changed_since_the_screen_opened_is_refused(
    admin, first, second, two_managers_and_a_colleague
):
    one, two, colleague = two_managers_and_a_colleague
    opened = collaborators.get_collaborator(second.unit_of_work(), two, colleague.id)
    collaborators.update_collaborator(
        first.unit_of_work(), one, colleague.id, name="New Name", expected_version=opened.version
    )
    with pytest.raises(Conflict, match=CHANGED_BY_SOMEONE_ELSE):
        collaborators.set_active(
            second.unit_of_work(),
            two,
            colleague.id,
            active=False,
            expected_version=opened.version,
        )
    assert row(admin, "collaborators", colleague.id).active is True


def test_a_profile_saved_over_a_change_made_by_gestion_meanwhile_is_refused(
    admin, first, second, two_managers_and_a_colleague
):
    manager, _, colleague = two_managers_and_a_colleague
    own_form = collaborators.get_collaborator(second.unit_of_work(), colleague, colleague.id)
    collaborators.update_collaborator(
        first.unit_of_work(), manager, colleague.id, name="Renamed By Gestion"
    )
    with pytest.raises(Conflict, match=CHANGED_BY_SOMEONE_ELSE):
        collaborators.update_own_profile(
            second.unit_of_work(),
            colleague,
            phone="+33 7 00 00 00 00",
            expected_version=own_form.version,
        )
    stored = row(admin, "collaborators", colleague.id)
    assert (stored.name, stored.phone) == ("Renamed By Gestion", "+33 6 12 34 56 78")


def test_deleting_a_collaborator_changed_since_the_confirmation_is_refused(
    admin, first, second, two_managers_and_a_colleague
):
    one, two, colleague = two_managers_and_a_colleague
    shown = collaborators.check_delete_collaborator(second.unit_of_work(), two, colleague.id)
    collaborators.update_collaborator(first.unit_of_work(), one, colleague.id, name="Still Here")
    with pytest.raises(Conflict, match=CHANGED_BY_SOMEONE_ELSE):
        collaborators.delete_collaborator(
            second.unit_of_work(), two, colleague.id, expected_version=shown.version
        )
    assert row(admin, "collaborators", colleague.id).name == "Still Here"


# -- search documents (migration 0006): a rename and an event written at the same moment ----


def insert_event(conn, contract_id: int) -> int:
    return conn.execute(
        text(
            "INSERT INTO events (name, contract_id, start_at, end_at, location, attendees) "
            "VALUES ('Racing Gala', :contract, now() + interval '9 days', "
            "now() + interval '10 days', 'Quai', 10) RETURNING id"
        ),
        {"contract": contract_id},
    ).scalar_one()


def document(admin, event_id: int) -> str:
    with admin.connect() as conn:
        return conn.scalar(
            text("SELECT search_doc FROM event_search WHERE event_id = :id"), {"id": event_id}
        )


def in_a_thread(work):
    done: dict = {}
    thread = threading.Thread(target=lambda: done.setdefault("result", work()))
    thread.start()
    return thread, done


@pytest.mark.parametrize("first_to_start", ["rename", "new event"])
def test_an_event_written_while_its_client_is_renamed_is_found_by_the_new_name(
    admin, contract_id, client_id, first_to_start
):
    """Two programs at once: a commercial renames a client while an event of it is created.
    Whichever starts first, the event's search document ends up with the new name."""
    renaming, creating = admin.connect(), admin.connect()
    try:
        rename_tx, create_tx = renaming.begin(), creating.begin()

        def rename():
            renaming.execute(
                text("UPDATE clients SET full_name = 'Quentin Renamed' WHERE id = :id"),
                {"id": client_id},
            )
            rename_tx.commit()

        def create():
            created = insert_event(creating, contract_id)
            create_tx.commit()
            return created

        if first_to_start == "rename":
            renaming.execute(
                text("UPDATE clients SET full_name = 'Quentin Renamed' WHERE id = :id"),
                {"id": client_id},
            )  # renamed, not committed yet: the new event's trigger must wait for it
            thread, done = in_a_thread(create)
            thread.join(0.5)
            assert thread.is_alive()  # waiting on the client's search lock
            rename_tx.commit()
        else:
            new_id = insert_event(creating, contract_id)  # not committed yet
            thread, done = in_a_thread(rename)
            thread.join(0.5)
            assert thread.is_alive()  # the rename waits for the new event
            create_tx.commit()
            done["result"] = new_id
        thread.join(10)
        assert not thread.is_alive()
    finally:
        renaming.close()
        creating.close()
    assert "quentin renamed" in document(admin, done["result"])
