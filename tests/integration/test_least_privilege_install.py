"""setup.py and the roles: the admin installs, the program runs as its workstation's role (a
member of the app group role), and an install made before the roles existed is brought under
them without losing data."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from epic_events.config import load_settings, read_env_file
from epic_events.database_url import with_credentials
from epic_events.db import make_engine
from epic_events.errors import ConfigurationError
from epic_events.install import Installer
from epic_events.install.workstations import this_machine
from epic_events.managers.sessions import QuickDatabase, check_schema
from epic_events.migrations import alembic_config, head_revision, upgrade
from epic_events.roles import app_role, owner_role, workstation_role


@pytest.fixture
def fresh_database(postgres):
    url = postgres.create_database("epic_roles")
    yield url
    postgres.drop_database(url)


def app_of(url) -> str:
    return app_role(make_url(url).database)


def workstation_of(url, name: str | None = None) -> str:
    return workstation_role(make_url(url).database, name or this_machine())


def owner_of(url) -> str:
    return owner_role(make_url(url).database)


def rows(url, sql, **params):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text(sql), params).all()
    engine.dispose()
    return found


def install(home, admin_url, workstation=None, **environ):
    lines = []
    changes = Installer(
        home,
        lines.append,
        environ={"DATABASE_ADMIN_URL": admin_url, "USER_1_PW": "super user password", **environ},
        workstation=workstation,
    ).run()
    return changes, "\n".join(lines)


def owners(url) -> set[str]:
    found = rows(
        url,
        "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S') "
        "AND relname NOT LIKE 'pg_%'",
    )
    return {row.owner for row in found}


def test_setup_writes_the_programs_url_for_its_workstation_role_with_a_password(
    isolated_environment, fresh_database
):
    install(isolated_environment, fresh_database)
    program_url = make_url(read_env_file(isolated_environment / "settings.env")["DATABASE_URL"])
    assert program_url.username == workstation_of(fresh_database)
    assert len(program_url.password) >= 24
    assert program_url.database == make_url(fresh_database).database
    (verifier,) = rows(
        fresh_database,
        "SELECT rolpassword FROM pg_authid WHERE rolname = :r",
        r=workstation_of(fresh_database),
    )
    assert verifier.rolpassword.startswith("SCRAM-SHA-256$")  # hashed by the server
    (role,) = rows(
        fresh_database,
        "SELECT w.rolcanlogin AS ws_logs_in, a.rolcanlogin AS app_logs_in, "
        "w.rolsuper OR w.rolcreaterole OR w.rolcreatedb OR w.rolbypassrls AS powers, "
        "pg_has_role(w.oid, a.oid, 'USAGE') AS uses_app "
        "FROM pg_roles w, pg_roles a WHERE w.rolname = :w AND a.rolname = :a",
        w=workstation_of(fresh_database),
        a=app_of(fresh_database),
    )
    assert role == (True, False, False, True)


def test_a_second_setup_keeps_the_application_password(isolated_environment, fresh_database):
    install(isolated_environment, fresh_database)
    first = read_env_file(isolated_environment / "settings.env")["DATABASE_URL"]
    changes, _ = install(isolated_environment, fresh_database)
    assert changes == 0
    assert read_env_file(isolated_environment / "settings.env")["DATABASE_URL"] == first


def test_the_schema_belongs_to_the_owner_role_not_to_the_admin(
    isolated_environment, fresh_database
):
    install(isolated_environment, fresh_database)
    assert owners(fresh_database) == {owner_of(fresh_database)}
    (schema,) = rows(
        fresh_database,
        "SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'public'",
    )
    assert schema.owner == owner_of(fresh_database)


def test_an_install_from_before_the_roles_is_taken_over_without_losing_data(
    isolated_environment, fresh_database
):
    engine = make_engine(fresh_database)
    with engine.begin() as connection:  # revision 0003, as the admin, as it used to be
        command.upgrade(alembic_config(connection), "0003")
        connection.execute(text("INSERT INTO departments (name) VALUES ('gestion')"))
    engine.dispose()
    assert owner_of(fresh_database) not in owners(fresh_database)

    engine = make_engine(fresh_database)
    before, after = upgrade(engine)
    engine.dispose()
    assert (before, after) == ("0003", head_revision())
    assert owners(fresh_database) == {owner_of(fresh_database)}
    assert [r.name for r in rows(fresh_database, "SELECT name FROM departments")] == ["gestion"]


def test_a_pre_roles_install_moves_its_admin_url_out_of_the_programs_way(
    isolated_environment, fresh_database
):
    (isolated_environment / "settings.env").write_text(f"DATABASE_URL={fresh_database}\n")
    lines = []
    Installer(
        isolated_environment, lines.append, environ={"USER_1_PW": "super user password"}
    ).run()
    saved = read_env_file(isolated_environment / "settings.env")
    assert fresh_database not in (isolated_environment / "settings.env").read_text()  # never kept
    assert "administrator's: it was replaced" in "\n".join(lines)
    assert make_url(saved["DATABASE_URL"]).username == workstation_of(fresh_database)


def test_the_program_refuses_to_run_as_an_administrator(isolated_environment, fresh_database):
    install(isolated_environment, fresh_database)
    quick = QuickDatabase(fresh_database)
    try:
        with pytest.raises(ConfigurationError, match="administrator"):
            check_schema(quick)
    finally:
        quick.close()


def test_the_program_accepts_its_own_role(isolated_environment, fresh_database):
    install(isolated_environment, fresh_database)
    settings = load_settings({}, isolated_environment)
    quick = QuickDatabase(settings.database_url)
    try:
        check_schema(quick)  # no error
        assert quick.privileged_role() is None
    finally:
        quick.close()


@pytest.mark.parametrize("inherit", ["INHERIT", "NOINHERIT"])
def test_the_program_refuses_a_member_of_the_owner_role_too(
    isolated_environment, fresh_database, inherit
):
    install(isolated_environment, fresh_database)
    database = make_url(fresh_database).database
    engine = create_engine(fresh_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP ROLE IF EXISTS epic_test_owner_member"))
        conn.execute(
            text(
                f"CREATE ROLE epic_test_owner_member LOGIN {inherit} "
                f"IN ROLE {owner_of(fresh_database)}"
            )
        )
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO epic_test_owner_member'))
    engine.dispose()
    quick = QuickDatabase(with_credentials(fresh_database, "epic_test_owner_member"))
    try:
        assert quick.privileged_role() == "epic_test_owner_member"
    finally:
        quick.close()
        engine = create_engine(fresh_database, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP OWNED BY epic_test_owner_member"))
            conn.execute(text("DROP ROLE epic_test_owner_member"))
        engine.dispose()


def test_setup_refuses_an_admin_url_that_cannot_create_roles(isolated_environment, fresh_database):
    install(isolated_environment, fresh_database)
    program_url = read_env_file(isolated_environment / "settings.env")["DATABASE_URL"]
    with pytest.raises(ConfigurationError, match="DATABASE_ADMIN_URL"):
        install(isolated_environment, program_url)


def test_the_roles_migration_can_be_undone_and_done_again(fresh_database):
    engine = make_engine(fresh_database)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text(f"SET LOCAL ROLE {owner_of(fresh_database)}"))
        command.downgrade(alembic_config(connection), "0003")
    security = rows(
        fresh_database,
        "SELECT count(*) AS secured FROM pg_class WHERE relrowsecurity "
        "AND relnamespace = 'public'::regnamespace",
    )
    assert security[0].secured == 0
    assert upgrade(engine) == ("0003", head_revision())
    engine.dispose()


def test_a_second_machine_gets_a_workstation_of_its_own_never_the_first_ones_password(
    isolated_environment, fresh_database, tmp_path
):
    install(isolated_environment, fresh_database)
    first = read_env_file(isolated_environment / "settings.env")["DATABASE_URL"]
    (verifier_before,) = rows(
        fresh_database,
        "SELECT rolpassword FROM pg_authid WHERE rolname = :r",
        r=workstation_of(fresh_database),
    )
    other_home = tmp_path / "other"
    other_home.mkdir()
    with pytest.raises(ConfigurationError, match="--name"):  # the same host name: taken
        install(other_home, fresh_database)
    install(other_home, fresh_database, workstation="Front Desk 2")
    second = make_url(read_env_file(other_home / "settings.env")["DATABASE_URL"])
    assert second.username == workstation_of(fresh_database, "front_desk_2")
    assert second.password != make_url(first).password
    assert (
        read_env_file(other_home / "settings.env")["JWT_SECRET"]
        != (read_env_file(isolated_environment / "settings.env")["JWT_SECRET"])
    )
    (verifier_after,) = rows(
        fresh_database,
        "SELECT rolpassword FROM pg_authid WHERE rolname = :r",
        r=workstation_of(fresh_database),
    )
    assert verifier_after == verifier_before
    assert read_env_file(isolated_environment / "settings.env")["DATABASE_URL"] == first


def test_two_databases_on_one_server_have_roles_of_their_own(
    isolated_environment, fresh_database, postgres, tmp_path
):
    other = postgres.create_database("epic_roles_other")
    try:
        install(isolated_environment, fresh_database)
        other_home = tmp_path / "other"
        other_home.mkdir()
        install(other_home, other)
        assert app_of(fresh_database) != app_of(other)
        # The app role of one database may not even connect to the other.
        refused = rows(
            other,
            "SELECT has_database_privilege(:r, current_database(), 'CONNECT') AS allowed",
            r=app_of(fresh_database),
        )
        assert refused[0].allowed is False
    finally:
        postgres.drop_database(other)


def test_the_app_password_never_travels_in_clear_to_the_server(
    isolated_environment, fresh_database
):
    install(isolated_environment, fresh_database)
    password = make_url(
        read_env_file(isolated_environment / "settings.env")["DATABASE_URL"]
    ).password
    statements = rows(fresh_database, "SELECT query FROM pg_stat_activity")
    assert all(password not in (row.query or "") for row in statements)
    (verifier,) = rows(
        fresh_database,
        "SELECT rolpassword FROM pg_authid WHERE rolname = :r",
        r=workstation_of(fresh_database),
    )
    assert password not in verifier.rolpassword


def test_an_admin_who_is_no_superuser_but_may_create_roles_and_bypass_rls_installs(
    isolated_environment, postgres
):
    """Managed servers rarely give a superuser: CREATEROLE + BYPASSRLS, owning the
    database, is enough."""
    name = f"epic_managed_{uuid.uuid4().hex[:8]}"
    admin = f"{name}_admin"
    engine = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE ROLE {admin} LOGIN CREATEROLE BYPASSRLS"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {admin}"))
    engine.dispose()
    url = postgres.url_for(name)
    try:
        changes, _ = install(isolated_environment, with_credentials(url, admin))
        assert changes > 0
        program_url = read_env_file(isolated_environment / "settings.env")["DATABASE_URL"]
        assert make_url(program_url).username == workstation_role(name, this_machine())
        quick = QuickDatabase(program_url)
        try:
            check_schema(quick)  # the program accepts its role and finds the schema current
        finally:
            quick.close()
    finally:
        postgres.drop_database(url)
        engine = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {admin}"))
        engine.dispose()
