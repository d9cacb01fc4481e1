"""Factories for clients, contracts and events, added through the test's session and flushed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from epic_events.models import Client, Contract, Event

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
