"""PostgreSQL itself holds the permission matrix, whatever the program does.

Every test here bypasses the application: it connects with plain psycopg2 as the program's
role (`epic_events_app`), names the current collaborator the way the program does
(`set_config('epic_events.collaborator_id', …, true)`) or not at all, and tries writes the
SPEC ("Who may do what") forbids. The grants, the row-level security policies and the
guard trigger of migration 0004 must refuse them: an INSERT, a WITH CHECK or a guard raises
SQLSTATE 42501; an UPDATE or DELETE whose USING hides the row changes nothing.

The module has its own database, seeded once (committed, as the admin); each test works in a
transaction of its own that is rolled back, so the tests do not depend on one another.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest
from psycopg2 import errors
from sqlalchemy import text

from epic_events.auth import passwords
from epic_events.controllers import clients as client_controller
from epic_events.controllers import events as event_controller
from epic_events.controllers.auth import CurrentUser
from epic_events.database_url import libpq_dsn, with_credentials
from epic_events.db import Database, ensure_database, make_engine
from epic_events.errors import PermissionDenied
from epic_events.install import workstations
from epic_events.migrations import upgrade
from epic_events.models import DepartmentName
from epic_events.roles import SESSION_SETTING, app_role, owner_role, workstation_role

# The database of this module, and so its roles (each database has its own pair).
DATABASE = f"epic_rls_{uuid.uuid4().hex[:10]}"
APP_ROLE = app_role(DATABASE)
WORKSTATION_ROLE = workstation_role(DATABASE, "proof")
WORLDS: list = []  # the module's world, for act_as(conn, …) (made once: scope="module")


def workstation_url(url: str) -> str:
    """A workstation of this database, made as setup.py makes one; its URL."""
    admin = Database(url)
    try:
        return workstations.ensure(admin, "proof", [], embedded=False).program_url
    finally:
        admin.dispose()


OWNER_ROLE = owner_role(DATABASE)

SECURED_TABLES = ("collaborators", "clients", "contracts", "events", "audit_log")
START = datetime(2030, 6, 4, 13, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    """The seeded database: its URLs and the ids of every row the tests play with."""

    url: str
    admin_dsn: str
    app_dsn: str
    departments: dict[str, int]
    gestion: int
    seller_a: int
    seller_b: int
    helper_1: int
    helper_2: int
    retired_seller: int
    client_a: int
    client_b: int
    pooled_client: int
    unsigned_a: int
    signed_a: int
    unsigned_b: int
    signed_b: int
    assigned_event: int
    unassigned_event: int


def _insert(cursor, sql: str, params: dict) -> int:
    cursor.execute(sql + " RETURNING id", params)
    return cursor.fetchone()[0]


def _seed(admin_dsn: str, password_hash: str) -> dict:
    """The committed rows every test starts from (the admin is superuser: RLS does not apply)."""
    ids: dict = {}
    with psycopg2.connect(admin_dsn) as conn, conn.cursor() as cur:
        ids["departments"] = {
            name: _insert(cur, "INSERT INTO departments (name) VALUES (%(n)s)", {"n": name})
            for name in ("gestion", "commerce", "support")
        }

        def collaborator(key: str, department: str, active: bool = True) -> None:
            ids[key] = _insert(
                cur,
                "INSERT INTO collaborators (name, email, phone, department_id, password_hash,"
                " active) VALUES (%(name)s, %(email)s, '+33 6 12 34 56 78', %(dept)s,"
                " %(hash)s, %(active)s)",
                {
                    "name": key.replace("_", " ").title(),
                    "email": f"{key.replace('_', '-')}@example.com",
                    "dept": ids["departments"][department],
                    "hash": password_hash,
                    "active": active,
                },
            )

        collaborator("gestion", "gestion")
        collaborator("seller_a", "commerce")
        collaborator("seller_b", "commerce")
        collaborator("helper_1", "support")
        collaborator("helper_2", "support")
        collaborator("retired_seller", "commerce", active=False)

        def client(key: str, owner: str) -> None:
            ids[key] = _insert(
                cur,
                "INSERT INTO clients (full_name, email, phone, company_name,"
                " commercial_contact_id) VALUES (%(name)s, %(email)s, '+33 1 23 45 67 89',"
                " 'Cool Startup LLC', %(owner)s)",
                {
                    "name": key.replace("_", " ").title(),
                    "email": f"{key.replace('_', '-')}@client.example.com",
                    "owner": ids[owner],
                },
            )

        client("client_a", "seller_a")
        client("client_b", "seller_b")
        client("pooled_client", "seller_a")  # written (and committed) by one test only

        def contract(key: str, client_key: str, owner: str, signed: bool) -> None:
            ids[key] = _insert(
                cur,
                "INSERT INTO contracts (client_id, commercial_contact_id, total_amount,"
                " amount_due, signed, signed_at) VALUES (%(client)s, %(owner)s, 1000, 500,"
                " %(signed)s, CASE WHEN %(signed)s THEN now() END)",
                {"client": ids[client_key], "owner": ids[owner], "signed": signed},
            )

        contract("unsigned_a", "client_a", "seller_a", signed=False)
        contract("signed_a", "client_a", "seller_a", signed=True)
        contract("unsigned_b", "client_b", "seller_b", signed=False)
        contract("signed_b", "client_b", "seller_b", signed=True)

        def event(key: str, support: str | None) -> None:
            ids[key] = _insert(
                cur,
                "INSERT INTO events (contract_id, name, support_contact_id, start_at, end_at,"
                " location, attendees) VALUES (%(contract)s, %(name)s, %(support)s,"
                " %(start)s, %(end)s, 'Candé-sur-Beuvron', 75)",
                {
                    "contract": ids["signed_a"],
                    "name": key.replace("_", " ").title(),
                    "support": ids[support] if support else None,
                    "start": START,
                    "end": START + timedelta(hours=4),
                },
            )

        event("assigned_event", "helper_1")
        event("unassigned_event", None)
    return ids


@pytest.fixture(scope="module")
def world(postgres, password_hash) -> Iterator[World]:
    ensure_database(postgres.admin_url, DATABASE)
    url = postgres.url_for(DATABASE)
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    admin_dsn = libpq_dsn(url)
    try:
        made = World(
            url=url,
            admin_dsn=admin_dsn,
            app_dsn=libpq_dsn(workstation_url(url)),
            **_seed(admin_dsn, password_hash),
        )
        WORLDS.append(made)
        yield made
    finally:
        WORLDS.clear()
        postgres.drop_database(url)


@pytest.fixture
def app(world: World) -> Iterator[psycopg2.extensions.connection]:
    """A connection as the program's role, in a transaction rolled back after the test."""
    conn = psycopg2.connect(world.app_dsn)
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def admin(world: World) -> Iterator[psycopg2.extensions.connection]:
    """A superuser connection in autocommit: it sees only what was committed."""
    conn = psycopg2.connect(world.admin_dsn)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def program(world: World) -> Iterator[Database]:
    """The program's own database access (pooled engine, units of work), as the app role."""
    database = Database(with_credentials(world.url, WORKSTATION_ROLE))
    try:
        yield database
    finally:
        database.dispose()


def open_session_for(
    world: World, collaborator_id: int, workstation: str = WORKSTATION_ROLE
) -> str:
    """A live session of `collaborator_id` on `workstation`, as `open_session()` makes one
    after a proven password (without the argon2 work); its token."""
    secret = secrets.token_hex(32)
    with psycopg2.connect(world.admin_dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO sessions (collaborator_id, workstation, secret_digest, expires_at)"
            " VALUES (%s, %s, sha256(convert_to(%s, 'UTF8')), now() + interval '1 hour')"
            " RETURNING id",
            (collaborator_id, workstation, secret),
        )
        session_id = cur.fetchone()[0]
    return f"{session_id}.{secret}"


def enter(conn, token: str):
    """Name the session for the rest of this transaction, as the program does; the
    collaborator the database found, or None."""
    return scalar(conn, "SELECT enter_session(%s)", (token,))


def act_as(conn, collaborator_id: int) -> None:
    """Act in a new session of `collaborator_id` for the rest of this transaction."""
    enter(conn, open_session_for(WORLDS[-1], collaborator_id))  # nobody when inactive


def run(conn, sql: str, params=None) -> int:
    """Execute one statement; the number of rows it touched."""
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def scalar(conn, sql: str, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def refused(conn, sql: str, params=None) -> errors.InsufficientPrivilege:
    """Assert the statement fails with SQLSTATE 42501; the error, to check its message."""
    with pytest.raises(errors.InsufficientPrivilege) as raised:
        run(conn, sql, params)
    return raised.value


NEW_CLIENT = (
    "INSERT INTO clients (full_name, email, phone, company_name, commercial_contact_id)"
    " VALUES ('Kevin Casey', 'kevin@startup.io', '+678 123 456 78', 'Cool Startup LLC', %s)"
)
NEW_CONTRACT = (
    "INSERT INTO contracts (client_id, commercial_contact_id, total_amount, amount_due)"
    " VALUES (%s, %s, 2000, 2000)"
)
NEW_EVENT = (
    "INSERT INTO events (contract_id, name, start_at, end_at, location, attendees)"
    " VALUES (%s, 'John Quick Wedding', '2030-07-01 15:00+00', '2030-07-01 23:00+00',"
    " 'Château de Chambord', 120)"
)


# -- roles ------------------------------------------------------------------------------


def test_the_owner_role_cannot_log_in(app):
    can_login = scalar(app, "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (OWNER_ROLE,))
    assert can_login is False


def test_the_owner_role_has_no_superpower_either(app):
    powers = scalar(
        app,
        "SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication"
        " FROM pg_roles WHERE rolname = %s",
        (OWNER_ROLE,),
    )
    assert powers is False


def test_a_workstation_role_is_who_the_tests_connect_as(app):
    assert scalar(app, "SELECT current_user") == WORKSTATION_ROLE
    assert scalar(app, "SELECT pg_has_role(current_user, %s, 'USAGE')", (APP_ROLE,)) is True


@pytest.mark.parametrize(
    "power", ["rolsuper", "rolbypassrls", "rolcreaterole", "rolcreatedb", "rolreplication"]
)
def test_the_app_role_has_no_power_beyond_logging_in(app, power):
    row = scalar(app, f"SELECT {power} FROM pg_roles WHERE rolname = current_user")
    assert row is False


def test_the_app_role_is_no_member_of_the_owner_role(app):
    assert scalar(app, "SELECT pg_has_role(current_user, %s, 'MEMBER')", (OWNER_ROLE,)) is False
    refused(app, f"SET ROLE {OWNER_ROLE}")


def test_the_app_role_owns_no_relation_function_or_schema(app):
    owned = scalar(
        app,
        "SELECT (SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole)"
        " + (SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole)"
        " + (SELECT count(*) FROM pg_namespace WHERE nspowner = current_user::regrole)"
        " + (SELECT count(*) FROM pg_type WHERE typowner = current_user::regrole)",
    )
    assert owned == 0


def test_the_schemas_tables_sequences_and_functions_belong_to_the_owner_role(app):
    with app.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S')"
            " UNION ALL"
            " SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p"
            " WHERE p.pronamespace = 'public'::regnamespace"
            # pg_trgm's functions (migration 0002) belong to the extension, not to the schema
            "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
            "     AND d.objid = p.oid AND d.deptype = 'e')"
        )
        owners = dict(cur.fetchall())
    assert {*SECURED_TABLES, "departments", "login_failures", "alembic_version"} <= set(owners)
    assert {"current_collaborator_id", "record_login_failure"} <= set(owners)
    assert set(owners.values()) == {OWNER_ROLE}


def test_row_level_security_is_enabled_and_forced_on_the_five_business_tables(app):
    with app.cursor() as cur:
        cur.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relname = ANY(%s)",
            (list(SECURED_TABLES),),
        )
        flags = {name: (enabled, forced) for name, enabled, forced in cur.fetchall()}
    assert flags == dict.fromkeys(SECURED_TABLES, (True, True))


# -- grants: what the app role may not do, whoever it claims to act for -----------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("DELETE FROM clients", id="delete-clients"),
        pytest.param("DELETE FROM contracts", id="delete-contracts"),
        pytest.param("DELETE FROM events", id="delete-events"),
        pytest.param("TRUNCATE public.clients", id="truncate-clients"),
        pytest.param("TRUNCATE public.collaborators CASCADE", id="truncate-collaborators"),
        pytest.param("CREATE TABLE loot (id integer)", id="create-table"),
        pytest.param("DROP TABLE public.clients", id="drop-table"),
        pytest.param("ALTER TABLE public.clients DISABLE ROW LEVEL SECURITY", id="disable-rls"),
        pytest.param("ALTER TABLE public.clients NO FORCE ROW LEVEL SECURITY", id="unforce-rls"),
        pytest.param("DROP POLICY clients_update ON public.clients", id="drop-policy"),
        pytest.param(
            "CREATE POLICY clients_anyone ON public.clients FOR UPDATE USING (true)",
            id="create-policy",
        ),
        pytest.param(
            "ALTER TABLE collaborators DISABLE TRIGGER collaborators_guard_update",
            id="disable-guard",
        ),
        pytest.param("SELECT * FROM login_failures", id="read-login-failures"),
        pytest.param("DELETE FROM login_failures", id="clear-login-failures"),
        pytest.param("UPDATE departments SET name = name", id="update-departments"),
        pytest.param("INSERT INTO departments (name) VALUES ('support')", id="insert-department"),
        pytest.param("UPDATE audit_log SET actor_name = 'nobody'", id="update-audit-log"),
        pytest.param("DELETE FROM audit_log", id="delete-audit-log"),
        pytest.param("UPDATE alembic_version SET version_num = '0001'", id="update-alembic"),
        pytest.param("SELECT setval('clients_id_seq', 1)", id="setval-sequence"),
        pytest.param(
            "CREATE OR REPLACE FUNCTION current_department() RETURNS text"
            " LANGUAGE sql AS $$ SELECT 'gestion' $$",
            id="replace-policy-function",
        ),
    ],
)
def test_the_app_role_lacks_the_privilege_even_when_acting_as_gestion(app, world, statement):
    act_as(app, world.gestion)
    refused(app, statement)


def test_turning_row_security_off_does_not_bypass_the_policies(app, world):
    run(app, "SET LOCAL row_security = off")
    # PostgreSQL refuses any query a policy would affect rather than run it unfiltered.
    error = refused(app, "SELECT count(*) FROM clients")
    assert "row-level security" in str(error)


def test_turning_row_security_off_does_not_let_a_refused_update_through(app, world):
    run(app, "SET LOCAL row_security = off")
    refused(app, "UPDATE clients SET full_name = 'Hijacked' WHERE id = %s", (world.client_b,))


# -- no current collaborator: reads are open, writes are closed -------------------------


def test_with_a_session_everyone_reads_everything(app, world):
    act_as(app, world.helper_2)
    assert scalar(app, "SELECT count(*) FROM clients") == 3
    assert scalar(app, "SELECT count(*) FROM events") == 2


def test_without_a_current_collaborator_no_client_is_inserted(app, world):
    refused(app, NEW_CLIENT, (world.seller_a,))


def test_without_a_current_collaborator_no_client_is_updated(app):
    assert run(app, "UPDATE clients SET full_name = 'Hijacked'") == 0


def test_without_a_current_collaborator_no_collaborator_is_updated(app):
    assert run(app, "UPDATE collaborators SET name = 'Hijacked'") == 0


def test_without_a_current_collaborator_no_collaborator_is_deleted(app):
    assert run(app, "DELETE FROM collaborators") == 0


def test_without_a_current_collaborator_no_audit_line_is_written(app, world):
    refused(
        app,
        "INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id)"
        " VALUES (NULL, 'nobody', 'update', 'client', %s)",
        (world.client_a,),
    )


# -- commerce ---------------------------------------------------------------------------


def test_a_commercial_updates_their_own_client(app, world):
    act_as(app, world.seller_a)
    assert run(app, "UPDATE clients SET phone = '+33 7' WHERE id = %s", (world.client_a,)) == 1


def test_a_commercial_cannot_update_another_commercials_client(app, admin, world):
    act_as(app, world.seller_a)
    assert (
        run(app, "UPDATE clients SET full_name = 'Hijacked' WHERE id = %s", (world.client_b,)) == 0
    )
    app.commit()  # nothing was changed: committing proves it
    assert (
        scalar(admin, "SELECT full_name FROM clients WHERE id = %s", (world.client_b,))
        == "Client B"
    )


def test_a_commercial_cannot_insert_a_client_for_another_commercial(app, world):
    act_as(app, world.seller_a)
    refused(app, NEW_CLIENT, (world.seller_b,))


def test_a_commercial_inserts_a_client_of_their_own(app, world):
    act_as(app, world.seller_a)
    assert run(app, NEW_CLIENT, (world.seller_a,)) == 1


def test_a_commercial_cannot_hand_their_client_to_another_commercial(app, world):
    act_as(app, world.seller_a)
    refused(
        app,
        "UPDATE clients SET commercial_contact_id = %s WHERE id = %s",
        (world.seller_b, world.client_a),
    )


def test_a_commercial_updates_a_contract_of_their_own_client(app, world):
    act_as(app, world.seller_a)
    assert run(app, "UPDATE contracts SET amount_due = 0 WHERE id = %s", (world.signed_a,)) == 1


def test_a_commercial_signs_a_contract_of_their_own_client(app, world):
    act_as(app, world.seller_a)
    assert (
        run(
            app,
            "UPDATE contracts SET signed = true, signed_at = now() WHERE id = %s",
            (world.unsigned_a,),
        )
        == 1
    )


def test_a_commercial_cannot_update_a_contract_of_another_commercials_client(app, world):
    act_as(app, world.seller_a)
    assert (
        run(app, "UPDATE contracts SET amount_due = 0 WHERE client_id = %s", (world.client_b,)) == 0
    )


def test_a_commercial_cannot_move_a_contract_to_another_commercials_client(app, world):
    act_as(app, world.seller_a)
    refused(
        app,
        "UPDATE contracts SET client_id = %s WHERE id = %s",
        (world.client_b, world.unsigned_a),
    )


def test_a_commercial_cannot_insert_a_contract(app, world):
    act_as(app, world.seller_a)
    refused(app, NEW_CONTRACT, (world.client_a, world.seller_a))


def test_a_commercial_inserts_an_event_on_a_signed_contract_of_their_own_client(app, world):
    act_as(app, world.seller_a)
    assert run(app, NEW_EVENT, (world.signed_a,)) == 1


def test_a_commercial_cannot_insert_an_event_on_an_unsigned_contract(app, world):
    act_as(app, world.seller_a)
    refused(app, NEW_EVENT, (world.unsigned_a,))


def test_a_commercial_cannot_insert_an_event_on_another_commercials_signed_contract(app, world):
    act_as(app, world.seller_a)
    refused(app, NEW_EVENT, (world.signed_b,))


def test_a_commercial_cannot_update_events_even_of_their_own_client(app, world):
    act_as(app, world.seller_a)
    assert run(app, "UPDATE events SET notes = 'Hijacked'") == 0


def test_a_commercial_cannot_insert_or_update_collaborators(app, world):
    act_as(app, world.seller_a)
    assert (
        run(app, "UPDATE collaborators SET name = 'Hijacked' WHERE id <> %s", (world.seller_a,))
        == 0
    )
    refused(
        app,
        "INSERT INTO collaborators (name, email, phone, department_id, password_hash)"
        " VALUES ('Mole', 'mole@example.com', '0', %s, 'x')",
        (world.departments["gestion"],),
    )


# -- a collaborator's own profile -------------------------------------------------------


def test_a_commercial_changes_their_own_name_and_phone(app, world):
    act_as(app, world.seller_a)
    assert (
        run(
            app,
            "UPDATE collaborators SET name = 'Seller Alpha', phone = '+33 7 00' WHERE id = %s",
            (world.seller_a,),
        )
        == 1
    )


def test_a_commercial_cannot_move_themself_to_gestion(app, world):
    act_as(app, world.seller_a)
    error = refused(
        app,
        "UPDATE collaborators SET department_id = %s WHERE id = %s",
        (world.departments["gestion"], world.seller_a),
    )
    assert "own department" in str(error)


def test_a_commercial_cannot_change_their_own_email(app, world):
    act_as(app, world.seller_a)
    refused(
        app,
        "UPDATE collaborators SET email = 'boss@example.com' WHERE id = %s",
        (world.seller_a,),
    )


def test_a_commercial_cannot_deactivate_themself(app, world):
    act_as(app, world.seller_a)
    refused(app, "UPDATE collaborators SET active = false WHERE id = %s", (world.seller_a,))


def test_a_deactivated_commercial_cannot_reactivate_themself(app, world):
    act_as(app, world.retired_seller)
    reactivate = "UPDATE collaborators SET active = true WHERE id = %s"
    assert run(app, reactivate, (world.retired_seller,)) == 0  # an inactive self is no one


def test_a_collaborator_cannot_take_another_id(app, world):
    act_as(app, world.seller_a)
    refused(app, "UPDATE collaborators SET id = 999 WHERE id = %s", (world.seller_a,))


# -- a deactivated collaborator ---------------------------------------------------------


def test_a_deactivated_commercial_cannot_insert_a_client(app, world):
    act_as(app, world.retired_seller)
    refused(app, NEW_CLIENT, (world.retired_seller,))


def test_a_deactivated_commercials_department_is_unknown_to_the_policies(app, world):
    act_as(app, world.retired_seller)
    assert scalar(app, "SELECT current_department()") is None


def test_a_deactivated_commercial_cannot_update_their_former_client(app, world):
    act_as(app, world.retired_seller)
    assert run(app, "UPDATE clients SET full_name = 'Hijacked'") == 0


def test_a_deactivated_collaborator_cannot_edit_their_own_profile(app, world):
    act_as(app, world.retired_seller)
    assert (
        run(
            app,
            "UPDATE collaborators SET name = 'Back again', password_hash = 'new' WHERE id = %s",
            (world.retired_seller,),
        )
        == 0
    )


def test_a_deactivated_collaborator_cannot_write_audit_lines(app, world):
    act_as(app, world.retired_seller)
    refused(
        app,
        "INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id)"
        " VALUES (%s, 'Retired Seller', 'update', 'client', %s)",
        (world.retired_seller, world.client_a),
    )


# -- support ----------------------------------------------------------------------------


def test_a_support_helper_updates_the_event_assigned_to_them(app, world):
    act_as(app, world.helper_1)
    assert (
        run(app, "UPDATE events SET notes = 'DJ at 8' WHERE id = %s", (world.assigned_event,)) == 1
    )


def test_a_support_helper_cannot_update_an_unassigned_event(app, world):
    act_as(app, world.helper_1)
    assert (
        run(app, "UPDATE events SET notes = 'Mine' WHERE id = %s", (world.unassigned_event,)) == 0
    )


def test_a_support_helper_cannot_take_an_unassigned_event(app, world):
    act_as(app, world.helper_1)
    assert (
        run(
            app,
            "UPDATE events SET support_contact_id = %s WHERE id = %s",
            (world.helper_1, world.unassigned_event),
        )
        == 0
    )


def test_a_support_helper_cannot_hand_their_event_to_another_helper(app, world):
    act_as(app, world.helper_1)
    refused(
        app,
        "UPDATE events SET support_contact_id = %s WHERE id = %s",
        (world.helper_2, world.assigned_event),
    )


def test_a_support_helper_cannot_insert_a_client(app, world):
    act_as(app, world.helper_1)
    refused(app, NEW_CLIENT, (world.helper_1,))


def test_a_support_helper_cannot_insert_a_contract(app, world):
    act_as(app, world.helper_1)
    refused(app, NEW_CONTRACT, (world.client_a, world.seller_a))


def test_a_support_helper_cannot_update_clients_or_contracts(app, world):
    act_as(app, world.helper_1)
    assert run(app, "UPDATE clients SET full_name = 'Hijacked'") == 0
    assert run(app, "UPDATE contracts SET amount_due = 0") == 0


# -- gestion ----------------------------------------------------------------------------


def test_gestion_inserts_a_contract_for_any_client(app, world):
    act_as(app, world.gestion)
    assert run(app, NEW_CONTRACT, (world.client_b, world.seller_b)) == 1


def test_gestion_reassigns_a_client_to_another_commercial(app, world):
    act_as(app, world.gestion)
    assert (
        run(
            app,
            "UPDATE clients SET commercial_contact_id = %s WHERE id = %s",
            (world.seller_b, world.client_a),
        )
        == 1
    )


def test_gestion_changes_the_support_contact_of_any_event(app, world):
    act_as(app, world.gestion)
    assert (
        run(
            app,
            "UPDATE events SET support_contact_id = %s WHERE id IN (%s, %s)",
            (world.helper_2, world.assigned_event, world.unassigned_event),
        )
        == 2
    )


def test_gestion_inserts_and_deletes_a_collaborator(app, world):
    act_as(app, world.gestion)
    with app.cursor() as cur:
        cur.execute(
            "INSERT INTO collaborators (name, email, phone, department_id, password_hash)"
            " VALUES ('Newcomer', 'newcomer@example.com', '0', %s, 'x') RETURNING id",
            (world.departments["support"],),
        )
        newcomer = cur.fetchone()[0]
    assert run(app, "DELETE FROM collaborators WHERE id = %s", (newcomer,)) == 1


def test_gestion_cannot_delete_themself(app, world):
    act_as(app, world.gestion)
    assert run(app, "DELETE FROM collaborators WHERE id = %s", (world.gestion,)) == 0


def test_gestion_cannot_change_their_own_department(app, world):
    act_as(app, world.gestion)
    error = refused(
        app,
        "UPDATE collaborators SET department_id = %s WHERE id = %s",
        (world.departments["commerce"], world.gestion),
    )
    assert "own department" in str(error)


def test_gestion_changes_another_collaborators_department(app, world):
    act_as(app, world.gestion)
    assert (
        run(
            app,
            "UPDATE collaborators SET department_id = %s WHERE id = %s",
            (world.departments["support"], world.seller_b),
        )
        == 1
    )


def test_gestion_cannot_insert_a_client(app, world):
    act_as(app, world.gestion)
    refused(app, NEW_CLIENT, (world.seller_a,))


def test_gestion_cannot_insert_an_event(app, world):
    act_as(app, world.gestion)
    refused(app, NEW_EVENT, (world.signed_a,))


# -- which columns a department may change (trigger guard_business_update) ---------------


def test_gestion_cannot_rename_a_client_it_only_reassigns(app, world):
    act_as(app, world.gestion)
    refused(app, "UPDATE clients SET full_name = 'Renamed' WHERE id = %s", (world.client_a,))


def test_gestion_archives_a_client(app, world):
    act_as(app, world.gestion)
    assert run(app, "UPDATE clients SET archived_at = now() WHERE id = %s", (world.client_a,)) == 1


def test_a_commercial_cannot_archive_their_own_client(app, world):
    act_as(app, world.seller_a)
    refused(app, "UPDATE clients SET archived_at = now() WHERE id = %s", (world.client_a,))


def test_a_commercial_cannot_hand_a_contract_to_another_commercial(app, world):
    act_as(app, world.seller_a)
    refused(
        app,
        "UPDATE contracts SET commercial_contact_id = %s WHERE id = %s",
        (world.seller_b, world.unsigned_a),
    )


def test_a_commercial_cannot_move_a_contract_between_their_own_clients(app, world):
    act_as(app, world.seller_a)
    refused(
        app,
        "UPDATE contracts SET client_id = %s WHERE id = %s",
        (world.pooled_client, world.unsigned_a),
    )


def test_gestion_cannot_edit_an_events_details_it_only_staffs(app, world):
    act_as(app, world.gestion)
    refused(app, "UPDATE events SET notes = 'Edited' WHERE id = %s", (world.assigned_event,))


def test_a_support_helper_cannot_move_their_event_to_another_contract(app, world):
    act_as(app, world.helper_1)
    refused(
        app,
        "UPDATE events SET contract_id = %s WHERE id = %s",
        (world.signed_b, world.assigned_event),
    )


def test_a_commercial_cannot_choose_the_support_contact_of_a_new_event(app, world):
    act_as(app, world.seller_a)
    refused(
        app,
        "INSERT INTO events (contract_id, name, start_at, end_at, location, support_contact_id)"
        " VALUES (%s, 'Gala', '2030-07-01 15:00+00', '2030-07-01 23:00+00', 'Blois', %s)",
        (world.signed_a, world.helper_1),
    )


# -- audit log --------------------------------------------------------------------------

AUDIT_LINE = (
    "INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id)"
    " VALUES (%s, 'Seller A', 'update', 'client', %s)"
)


def test_an_audit_line_in_someone_elses_name_is_refused(app, world):
    act_as(app, world.seller_a)
    refused(app, AUDIT_LINE, (world.gestion, world.client_a))


def test_an_audit_line_in_ones_own_name_is_written(app, world):
    act_as(app, world.seller_a)
    assert run(app, AUDIT_LINE, (world.seller_a, world.client_a)) == 1


# -- locking reads ----------------------------------------------------------------------


def test_a_locking_read_skips_the_rows_the_user_may_not_update(app, world):
    """SELECT ... FOR UPDATE applies the UPDATE policy's USING too: the row is not refused,
    it silently disappears (a plain SELECT still sees it)."""
    act_as(app, world.seller_a)
    lock = "SELECT count(*) FROM (SELECT id FROM clients WHERE id = %s FOR UPDATE) AS locked"
    assert scalar(app, "SELECT count(*) FROM clients WHERE id = %s", (world.client_b,)) == 1
    assert scalar(app, lock, (world.client_b,)) == 0
    assert scalar(app, lock, (world.client_a,)) == 1


def test_the_program_says_why_a_commercial_may_not_update_another_commercials_client(
    program, world
):
    seller_a = CurrentUser(
        id=world.seller_a,
        email="seller-a@example.com",
        name="Seller A",
        department=DepartmentName.COMMERCE,
        session=open_session_for(world, world.seller_a),
    )
    with pytest.raises(PermissionDenied, match="Only the client's commercial contact"):
        client_controller.update_client(
            program.unit_of_work(), seller_a, world.client_b, full_name="Stolen"
        )


def test_the_program_says_why_support_may_not_update_an_event_not_assigned_to_them(program, world):
    helper = CurrentUser(
        id=world.helper_1,
        email="helper-1@example.com",
        name="Helper 1",
        department=DepartmentName.SUPPORT,
        session=open_session_for(world, world.helper_1),
    )
    with pytest.raises(PermissionDenied, match="Only the event's support contact"):
        event_controller.update_event(
            program.unit_of_work(), helper, world.unassigned_event, notes="Taken"
        )


def test_a_collaborator_cannot_bring_back_a_revoked_session_by_lowering_their_token_version(
    app, world
):
    act_as(app, world.seller_a)
    run(
        app,
        "UPDATE collaborators SET token_version = token_version + 1 WHERE id = %s",
        (world.seller_a,),
    )
    refused(
        app,
        "UPDATE collaborators SET token_version = 0 WHERE id = %s",
        (world.seller_a,),
    )


# -- the current collaborator lasts one transaction -------------------------------------


def test_the_current_collaborator_does_not_outlive_its_transaction(app, world):
    act_as(app, world.seller_a)
    assert scalar(app, "SELECT current_collaborator_id()") == world.seller_a
    app.commit()
    assert scalar(app, "SELECT current_setting(%s, true)", (SESSION_SETTING,)) in ("", None)
    assert scalar(app, "SELECT current_collaborator_id()") is None
    assert (
        run(app, "UPDATE clients SET full_name = 'Hijacked' WHERE id = %s", (world.client_a,)) == 0
    )


def test_a_pooled_connection_does_not_carry_the_previous_users_identity(program, world, admin):
    rename = text("UPDATE clients SET full_name = :name WHERE id = :id")
    with program.unit_of_work() as uow:
        uow.act_in(open_session_for(world, world.seller_a))
        first_backend = uow.session.scalar(text("SELECT pg_backend_pid()"))
        result = uow.session.execute(rename, {"name": "Renamed by A", "id": world.pooled_client})
        assert result.rowcount == 1
        uow.commit()
    with program.unit_of_work() as uow:  # nobody said who acts: the same pooled connection
        assert uow.session.scalar(text("SELECT pg_backend_pid()")) == first_backend
        assert uow.session.scalar(text("SELECT current_collaborator_id()")) is None
        result = uow.session.execute(rename, {"name": "Anonymous", "id": world.pooled_client})
        assert result.rowcount == 0
    with pytest.raises(PermissionDenied), program.unit_of_work() as uow:
        uow.session.execute(text(NEW_CLIENT.replace("%s", ":owner")), {"owner": world.seller_a})
    assert (
        scalar(admin, "SELECT full_name FROM clients WHERE id = %s", (world.pooled_client,))
        == "Renamed by A"
    )


# -- failed logins ----------------------------------------------------------------------


def open_with(app, email: str, password: str):
    """open_session as the program calls it; (outcome, wait, token)."""
    with app.cursor() as cur:
        cur.execute(
            "SELECT outcome, wait_seconds, session_token FROM open_session(%s, %s, 8, NULL)",
            (email, prove(app, email, password)),
        )
        return cur.fetchone()


def test_a_workstation_cannot_reset_or_fake_the_failed_logins(app):
    refused(app, "SELECT clear_login_failures('seller-a@example.com')")
    app.rollback()
    refused(app, "SELECT record_login_failure('seller-a@example.com')")
    app.rollback()
    assert scalar(app, "SELECT login_wait_seconds('seller-a@example.com')") == 0


def test_fewer_than_five_failed_logins_cost_no_wait(app, admin):
    for _ in range(4):
        assert open_with(app, "slow@example.com", "wrong")[0] == "pending"
        app.commit()
    assert scalar(app, "SELECT login_wait_seconds('slow@example.com')") == 0
    run(admin, "DELETE FROM login_failures")


def test_six_failed_logins_make_the_next_try_wait(app, admin):
    for _ in range(6):
        open_with(app, "slow@example.com", "wrong")
        app.commit()
    assert scalar(app, "SELECT login_wait_seconds('slow@example.com')") > 0
    assert scalar(app, "SELECT login_wait_seconds('other@example.com')") == 0
    assert open_with(app, "slow@example.com", "wrong")[0] == "wait"
    run(admin, "DELETE FROM login_failures")


def test_a_guess_tells_nothing_before_it_is_committed_and_then_it_counts(app, world, admin):
    """Rolling back forgets the answer with the failure: a right and a wrong password both
    get a token, and only a committed one can be tried."""
    from tests.conftest import PASSWORD

    email = "seller-b@example.com"
    right, wrong = open_with(app, email, PASSWORD), open_with(app, email, "not it")
    assert right[0] == wrong[0] == "pending"
    assert right[1] == wrong[1] == 0
    assert token_shape(right[2])
    assert token_shape(wrong[2])
    assert enter(app, right[2]) is None  # not before it is committed (here: never)
    app.rollback()
    assert scalar(admin, "SELECT count(*) FROM login_failures") == 0
    token = open_with(app, email, "not it")[2]
    app.commit()
    assert enter(app, token) is None
    failures = scalar(
        admin,
        "SELECT failures FROM login_failures WHERE email_digest = sha256(convert_to(%s, 'UTF8'))",
        (email,),
    )
    assert failures == 1
    token = open_with(app, email, PASSWORD)[2]
    app.commit()
    assert enter(app, token) == world.seller_b
    assert scalar(admin, "SELECT count(*) FROM login_failures") == 0  # cleared by the success


def token_shape(token: str) -> bool:
    session_id, _, secret = token.partition(".")
    return session_id.isdigit() and len(secret) == 64


def test_failed_logins_are_stored_as_a_digest_never_as_the_email(app, admin):
    email = "kept-secret@example.com"
    open_with(app, email, "wrong")
    app.commit()  # the admin only sees what was committed
    try:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'login_failures' ORDER BY column_name"
            )
            assert [name for (name,) in cur.fetchall()] == [
                "email_digest",
                "failures",
                "last_failed_at",
            ]
            cur.execute(
                "SELECT count(*) FILTER (WHERE email_digest = sha256(convert_to(%s, 'UTF8'))),"
                " count(*) FILTER (WHERE position(convert_to(%s, 'UTF8') IN email_digest) > 0"
                "   OR encode(email_digest, 'escape') ILIKE '%%kept-secret%%')"
                " FROM login_failures",
                (email, email),
            )
            digests, plain = cur.fetchone()
        assert (digests, plain) == (1, 0)
    finally:
        run(admin, "DELETE FROM login_failures")
    assert scalar(admin, "SELECT count(*) FROM login_failures") == 0


# -- what the review added: archived rows, contacts, authors, temporary tables ---------


def test_the_app_role_cannot_create_temporary_tables(app):
    refused(app, "CREATE TEMP TABLE scratch (x int)")


def test_a_commercial_cannot_edit_their_client_once_archived(app, world):
    act_as(app, world.gestion)
    run(app, "UPDATE clients SET archived_at = now() WHERE id = %s", (world.client_a,))
    act_as(app, world.seller_a)
    refused(app, "UPDATE clients SET phone = '+33 1 00' WHERE id = %s", (world.client_a,))


def test_no_event_is_created_on_an_archived_contract(app, world):
    act_as(app, world.gestion)
    run(app, "UPDATE contracts SET archived_at = now() WHERE id = %s", (world.signed_a,))
    act_as(app, world.seller_a)
    refused(
        app,
        "INSERT INTO events (contract_id, name, start_at, end_at, location)"
        " VALUES (%s, 'Gala', '2030-07-01 15:00+00', '2030-07-01 23:00+00', 'Blois')",
        (world.signed_a,),
    )


@pytest.mark.parametrize("someone", ["helper_1", "retired_seller"])
def test_gestion_cannot_give_a_client_to_someone_not_active_in_commerce(app, world, someone):
    act_as(app, world.gestion)
    refused(
        app,
        "UPDATE clients SET commercial_contact_id = %s WHERE id = %s",
        (getattr(world, someone), world.client_a),
    )


def test_gestion_cannot_give_an_event_to_someone_outside_support(app, world):
    act_as(app, world.gestion)
    refused(
        app,
        "UPDATE events SET support_contact_id = %s WHERE id = %s",
        (world.seller_a, world.unassigned_event),
    )


def test_gestion_cannot_create_a_contract_for_another_commercial_than_the_clients(app, world):
    act_as(app, world.gestion)
    refused(
        app,
        "INSERT INTO contracts (client_id, commercial_contact_id, total_amount, amount_due)"
        " VALUES (%s, %s, 10, 10)",
        (world.client_a, world.seller_b),
    )


def test_the_history_names_its_author_as_the_database_knows_them(app, world):
    act_as(app, world.seller_a)
    author = scalar(
        app,
        "INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id)"
        " VALUES (%s, 'The CEO', 'update', 'client', %s) RETURNING actor_name",
        (world.seller_a, world.client_a),
    )
    assert author == scalar(app, "SELECT name FROM collaborators WHERE id = %s", (world.seller_a,))


# -- a database that trusts no workstation (sessions held by PostgreSQL) -------------------


def relations(conn, kind: str) -> list[str]:
    """The app's views (schema crm) or the tables (schema public)."""
    schema, relkinds = ("crm", ["v"]) if kind == "views" else ("public", ["r", "p"])
    with conn.cursor() as cur:
        cur.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
            " AND relkind = ANY(%s) ORDER BY relname",
            (schema, relkinds),
        )
        return [row[0] for row in cur.fetchall()]


def test_without_a_session_a_workstation_reads_nothing(app, world):
    """With its settings.env (its own role) and no session: every view reads empty, every
    table is refused; only the schema's revision can be read."""
    views = relations(app, "views")
    assert set(views) >= {"clients", "contracts", "events", "collaborators", "audit_log"}
    for view in views:
        columns = "id" if view == "collaborators" else "*"
        assert scalar(app, f"SELECT count({columns}) FROM crm.{view}") == 0, view
    readable = []
    for table in relations(app, "tables"):
        try:
            with app.cursor() as cur:
                cur.execute("SAVEPOINT probe")
                cur.execute(f"SELECT count(*) FROM public.{table}")
                readable.append(table)
        except errors.InsufficientPrivilege:
            pass
        finally:
            run(app, "ROLLBACK TO SAVEPOINT probe")
    assert readable == ["alembic_version"]
    assert set(relations(app, "tables")) >= {"sessions", "login_failures", "login_key"}


def test_naming_a_collaborator_the_old_way_gives_nobody(app, world):
    run(app, "SELECT set_config('epic_events.collaborator_id', %s, true)", (str(world.gestion),))
    assert scalar(app, "SELECT current_collaborator_id()") is None
    assert scalar(app, "SELECT count(*) FROM clients") == 0
    assert run(app, "UPDATE clients SET full_name = 'Hijacked'") == 0


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(NEW_CLIENT, id="insert-client"),
        pytest.param("INSERT INTO departments (name) VALUES ('loot')", id="insert-department"),
        pytest.param(
            "INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id, changes)"
            " VALUES (%s, 'x', 'update', 'client', 1, '{}')",
            id="insert-history",
        ),
    ],
)
def test_without_a_session_no_write_passes(app, world, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        run(app, statement, (world.gestion,) if "%s" in statement else None)


def test_without_a_session_no_update_or_delete_touches_a_row(app):
    for statement in (
        "UPDATE clients SET full_name = 'x'",
        "UPDATE contracts SET amount_due = 0",
        "UPDATE events SET notes = 'x'",
        "UPDATE collaborators SET name = 'x'",
        "DELETE FROM collaborators",
    ):
        assert run(app, statement) == 0, statement


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT password_hash FROM collaborators",
        "SELECT * FROM collaborators",
        "SELECT * FROM public.sessions",
        "SELECT * FROM public.login_failures",
        "SELECT * FROM public.login_key",
        "SELECT * FROM public.workstations",
        "SELECT password_hash FROM public.collaborators",
    ],
)
def test_even_gestion_reads_no_verifier_session_secret_or_failure(app, world, statement):
    act_as(app, world.gestion)
    with pytest.raises(errors.InsufficientPrivilege):
        run(app, statement)


def test_a_forged_expired_ended_or_another_workstations_session_names_nobody(app, world):
    token = open_session_for(world, world.gestion)
    session_id, secret = token.split(".")
    assert enter(app, f"{session_id}.{'0' * 64}") is None
    assert enter(app, f"{session_id}.{secret.upper()}") is None
    assert enter(app, "1' OR '1'='1") is None
    assert enter(app, open_session_for(world, world.gestion, workstation="someone_else")) is None
    with psycopg2.connect(world.admin_dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = %s",
            (int(session_id),),
        )
    assert enter(app, token) is None
    live = open_session_for(world, world.seller_a)
    assert enter(app, live) == world.seller_a
    assert scalar(app, "SELECT end_session(%s)", (live,)) is True
    assert enter(app, live) is None
    assert scalar(app, "SELECT count(*) FROM clients") == 0


def test_one_session_gives_exactly_that_collaborators_rights(app, world):
    act_as(app, world.seller_a)
    assert scalar(app, "SELECT count(*) FROM clients") == 3
    rename = "UPDATE clients SET full_name = 'Renamed' WHERE id = %s"
    assert run(app, rename, (world.client_a,)) == 1
    assert run(app, rename, (world.client_b,)) == 0
    assert run(app, "UPDATE events SET support_contact_id = %s", (world.helper_1,)) == 0
    with pytest.raises(errors.InsufficientPrivilege):
        run(app, "SELECT * FROM active_sessions()")


def prove(app, email: str, password: str) -> bytes:
    challenge = scalar(app, "SELECT login_challenge(%s)", (email,))
    return passwords.proof(password, challenge)


def test_logging_in_is_proven_to_the_database_which_opens_the_session(app, world):
    from tests.conftest import PASSWORD

    email = "seller-a@example.com"
    outcome, _, token = open_with(app, email, PASSWORD)
    assert outcome == "pending"
    app.commit()
    assert enter(app, token) == world.seller_a
    assert scalar(app, "SELECT current_collaborator_id()") == world.seller_a


def test_an_unknown_email_gets_a_challenge_like_a_known_one_and_always_the_same(app):
    known = scalar(app, "SELECT login_challenge('seller-a@example.com')")
    unknown = scalar(app, "SELECT login_challenge('nobody@example.com')")
    again = scalar(app, "SELECT login_challenge(' Nobody@Example.com')")
    assert unknown == again
    assert passwords.CHALLENGE.match(unknown)
    assert known.rpartition("$")[0] == unknown.rpartition("$")[0]  # the same parameters
    assert unknown.rpartition("$")[0] == passwords.usual_parameters()
    assert len(known.rpartition("$")[2]) == len(unknown.rpartition("$")[2])


def test_without_a_session_no_function_reads_a_collaborator(app, world):
    assert scalar(app, "SELECT is_active_in(%s, 'gestion')", (world.gestion,)) is False
    assert scalar(app, "SELECT current_department()") is None


def test_a_deactivated_collaborators_own_session_reads_nothing_more(app, world):
    act_as(app, world.gestion)
    run(app, "UPDATE collaborators SET active = false WHERE id = %s", (world.gestion,))
    assert scalar(app, "SELECT current_collaborator_id()") is None
    assert scalar(app, "SELECT count(*) FROM clients") == 0


def test_a_new_password_or_email_ends_the_other_sessions_even_without_the_token_version(app, world):
    for change in ("password_hash = 'x'", "email = 'moved@example.com'"):
        elsewhere = open_session_for(world, world.seller_b)
        act_as(app, world.gestion)
        run(app, f"UPDATE collaborators SET {change} WHERE id = %s", (world.seller_b,))
        assert enter(app, elsewhere) is None, change
        app.rollback()


def test_a_change_of_the_account_ends_its_sessions_but_the_one_that_made_it(app, world):
    seller_elsewhere = open_session_for(world, world.seller_a)
    act_as(app, world.gestion)
    run(
        app,
        "UPDATE collaborators SET token_version = token_version + 1 WHERE id = %s",
        (world.seller_a,),
    )
    assert enter(app, seller_elsewhere) is None  # ended by gestion's change
    mine = open_session_for(world, world.helper_1)
    assert enter(app, mine) == world.helper_1
    refused(  # one's own password changes only with the current one
        app,
        "UPDATE collaborators SET password_hash = 'x' WHERE id = %s",
        (world.helper_1,),
    )


def test_ones_own_password_change_keeps_this_session_and_ends_the_others(app, world, admin):
    from tests.conftest import PASSWORD

    email = "helper-1@example.com"
    mine, other = open_session_for(world, world.helper_1), open_session_for(world, world.helper_1)
    change = (
        "UPDATE collaborators SET password_hash = %s, token_version = token_version + 1 "
        "WHERE id = %s"
    )
    new_hash = passwords.hash_password("a new password 123")
    # A proof answers nothing in its own transaction: a guess cannot be tried and rolled back.
    enter(app, mine)
    run(app, "SELECT prove_own_password(%s)", (prove(app, email, PASSWORD),))
    assert scalar(app, "SELECT own_password_check()") == "wrong"
    refused(app, change, (new_hash, world.helper_1))
    app.rollback()
    # A wrong one, committed, is counted.
    enter(app, mine)
    run(app, "SELECT prove_own_password(%s)", (prove(app, email, "wrong"),))
    app.commit()
    enter(app, mine)
    assert scalar(app, "SELECT own_password_check()") == "wrong"
    app.rollback()
    # The right one, committed, lets one change through in the next transaction.
    enter(app, mine)
    run(app, "SELECT prove_own_password(%s)", (prove(app, email, PASSWORD),))
    app.commit()
    try:
        enter(app, mine)
        assert scalar(app, "SELECT own_password_check()") == "proven"
        run(app, change, (new_hash, world.helper_1))
        assert scalar(app, "SELECT current_collaborator_id()") == world.helper_1
        assert enter(app, other) is None
        assert enter(app, mine) == world.helper_1
        refused(app, change, (passwords.hash_password("again 12345"), world.helper_1))  # used up
    finally:
        app.rollback()
        run(admin, "DELETE FROM login_failures")
        run(admin, "DELETE FROM password_proofs")


def test_gestion_sees_the_live_sessions_and_ends_one(app, world):
    victim = open_session_for(world, world.helper_2)
    act_as(app, world.gestion)
    with app.cursor() as cur:
        cur.execute("SELECT session_id, collaborator_id, workstation, yours FROM active_sessions()")
        rows = cur.fetchall()
    victim_id = int(victim.split(".")[0])
    assert (victim_id, world.helper_2, "proof", False) in rows
    assert any(row[3] for row in rows)  # gestion's own, marked
    assert scalar(app, "SELECT end_session_by_id(%s)", (victim_id,)) is True
    assert scalar(app, "SELECT end_session_by_id(%s)", (victim_id,)) is False
    app.commit()
    assert enter(app, victim) is None
