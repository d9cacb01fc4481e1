"""Factories for clients, contracts and events, added through the test's session and flushed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from epic_events.models import Client, Collaborator, Contract, Department, Event
from tests.conftest import open_test_session

DEPARTMENTS = ["gestion", "commerce", "support"]
START = datetime(2030, 6, 4, 13, 0, tzinfo=UTC)


def tag() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def user_of(make_collaborator, as_user):
    """Factory: the CurrentUser of a new collaborator of `department`."""
    return lambda department, **fields: as_user(make_collaborator(department, **fields))


@pytest.fixture
def make_client(session):
    """Factory: a client of the commercial `owner` (a CurrentUser or a Collaborator)."""

    def make(owner, **fields) -> Client:
        unique = tag()
        client = Client(
            full_name=fields.pop("full_name", f"Client {unique}"),
            email=fields.pop("email", f"client-{unique}@example.com"),
            phone=fields.pop("phone", "+33 1 23 45 67 89"),
            company_name=fields.pop("company_name", "Cool Startup LLC"),
            commercial_contact_id=owner.id,
            **fields,
        )
        session.add(client)
        session.flush()
        return client

    return make


@pytest.fixture
def make_contract(session):
    """Factory: a contract of `client`, in the charge of the client's commercial."""

    def make(client: Client, total="1000.00", due=None, *, signed=False, **fields) -> Contract:
        contract = Contract(
            client_id=client.id,
            commercial_contact_id=client.commercial_contact_id,
            total_amount=Decimal(total),
            amount_due=Decimal(total if due is None else due),
            signed=signed,
            **fields,
        )
        session.add(contract)
        session.flush()
        return contract

    return make


@pytest.fixture
def make_event(session):
    """Factory: an event on `contract`, four hours long, with an optional support contact."""

    def make(contract: Contract, support=None, start: datetime = START, **fields) -> Event:
        event = Event(
            contract_id=contract.id,
            name=fields.pop("name", f"Party {tag()}"),
            start_at=start,
            end_at=fields.pop("end_at", start + timedelta(hours=4)),
            location=fields.pop("location", "53 Rue du Château, Candé-sur-Beuvron"),
            attendees=fields.pop("attendees", 75),
            notes=fields.pop("notes", ""),
            support_contact_id=None if support is None else support.id,
            **fields,
        )
        session.add(event)
        session.flush()
        return event

    return make


@pytest.fixture
def fetch(connection):
    """The row `table` has for `row_id`, read straight from the database (None when gone)."""

    def read(table: str, row_id: int):
        return connection.execute(
            text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}
        ).one_or_none()

    return read


# -- commands: the real program, in-process, on a database installed once -----------------------


def program_role(installed) -> str:
    """The workstation role the installed home's program logs in as."""
    from sqlalchemy.engine import make_url

    from epic_events.config import read_env_file

    return make_url(read_env_file(installed.home / "settings.env")["DATABASE_URL"]).username


class Installed:
    """A project home set up by the real installer, on a database of its own."""

    def __init__(self, home, admin_url: str):
        from sqlalchemy import create_engine

        self.home = home
        self.admin_url = admin_url
        self.engine = create_engine(admin_url)


@pytest.fixture(scope="session")
def installed(postgres, tmp_path_factory):
    from epic_events.install.installer import Installer

    url = postgres.create_database("epic_cmd")
    home = tmp_path_factory.mktemp("commands-home")
    environ = {
        "EPIC_EVENTS_HOME": str(home),
        "USER_1_PW": "super user password",
        "DATABASE_ADMIN_URL": url,
    }
    Installer(home, lambda line: None, environ=environ).run()
    installed = Installed(home, url)
    yield installed
    installed.engine.dispose()
    postgres.drop_database(url)


class Result:
    def __init__(self, status: int, out: str, err: str):
        self.status, self.out, self.err = status, out, err

    def json(self):
        import json

        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Result({self.status}, out={self.out[:300]!r}, err={self.err!r})"


@pytest.fixture
def cli(installed, isolated_environment, monkeypatch, capsys):
    """Run the program's `main(argv)` in-process, without a terminal, in a copy of the
    installed home (its own token store): returns a Result."""
    import io
    import logging
    import shutil
    import sys

    from epic_events.cli import main

    shutil.copytree(installed.home, isolated_environment, dirs_exist_ok=True)
    handlers = logging.getLogger().handlers[:]

    def run(*argv: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            status = main(list(argv))
        finally:
            logging.getLogger().handlers[:] = handlers
        captured = capsys.readouterr()
        return Result(int(status), captured.out, captured.err)

    return run


@pytest.fixture
def staff(installed, password_hash):
    """Factory: a collaborator committed to the installed database (PASSWORD logs in)."""
    from sqlalchemy.orm import Session

    def make(department: str, **fields) -> Collaborator:
        unique = tag()
        with Session(installed.engine, expire_on_commit=False) as session:
            dept = session.query(Department).filter_by(name=department).one()
            collaborator = Collaborator(
                name=fields.pop("name", f"{department.capitalize()} {unique}"),
                email=fields.pop("email", f"{department}-{unique}@example.com"),
                phone="+33 6 12 34 56 78",
                department=dept,
                password_hash=password_hash,
                **fields,
            )
            session.add(collaborator)
            session.commit()
            _ = collaborator.department_name  # loaded while the session is open
            return collaborator

    return make


@pytest.fixture
def logged_in(cli, installed, settings_of_home):
    """Factory: save a session for `collaborator` as `login` does, without argon2's wait."""
    from epic_events.auth import tokens
    from epic_events.auth.token_store import TokenStore

    def log_in(collaborator) -> None:
        settings = settings_of_home()
        with installed.engine.begin() as connection:  # as open_session() would, on this home
            session = open_test_session(connection, collaborator.id)
            connection.execute(
                text("UPDATE sessions SET workstation = :ws WHERE id = :id"),
                {"ws": program_role(installed), "id": int(session.split(".")[0])},
            )
        token = tokens.issue_token(
            collaborator_id=collaborator.id,
            email=collaborator.email,
            token_version=collaborator.token_version,
            session=session,
            secret=settings.require_jwt_secret(),
            ttl=settings.token_ttl,
            now=datetime.now(UTC),
        )
        TokenStore(settings.token_path, settings.jwt_key_path).save(collaborator.email, token)

    return log_in


@pytest.fixture
def settings_of_home(isolated_environment):
    from epic_events.config import load_settings

    return lambda: load_settings(None, isolated_environment)
