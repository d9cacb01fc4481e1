"""The schema: migrations match the models, and the database enforces the SPEC's rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from epic_events.migrations import current_revision, head_revision
from epic_events.models import Base, Client, Contract, Event


def test_the_migrated_schema_matches_the_models(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def test_the_database_is_at_the_head_revision(connection):
    assert current_revision(connection) == head_revision()


@pytest.fixture
def client(session, make_collaborator):
    seller = make_collaborator("commerce")
    client = Client(
        full_name="Kevin Casey",
        email="kevin@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
        commercial_contact=seller,
    )
    session.add(client)
    session.flush()
    return client


def _contract(session, client, total, due):
    contract = Contract(
        client=client,
        commercial_contact_id=client.commercial_contact_id,
        total_amount=total,
        amount_due=due,
    )
    session.add(contract)
    session.flush()
    return contract


@pytest.mark.parametrize(
    ("total", "due"),
    [
        (Decimal("-1"), Decimal("0")),
        (Decimal("100"), Decimal("100.01")),
        (Decimal("100"), Decimal("-0.01")),
        (Decimal("NaN"), Decimal("0")),
        (Decimal("100"), Decimal("NaN")),
    ],
)
def test_the_database_refuses_impossible_amounts(session, client, total, due):
    with pytest.raises(IntegrityError), session.begin_nested():
        _contract(session, client, total, due)


def test_money_is_stored_exactly(session, client):
    contract = _contract(session, client, Decimal("1500.50"), Decimal("0.10"))
    session.expire_all()
    stored = session.get(Contract, contract.id)
    assert stored.total_amount == Decimal("1500.50")
    assert stored.amount_due == Decimal("0.10")


def test_the_database_refuses_an_event_that_ends_before_it_starts(session, client):
    contract = _contract(session, client, Decimal("10"), Decimal("0"))
    start = datetime(2026, 6, 4, 13, tzinfo=UTC)
    event = Event(
        name="John Ouick Wedding",
        contract=contract,
        start_at=start,
        end_at=start - timedelta(hours=1),
        location="Candé-sur-Beuvron",
        attendees=75,
    )
    session.add(event)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_the_database_refuses_a_duplicate_email_whatever_its_case(session, make_collaborator):
    make_collaborator(email="same@example.com")
    with pytest.raises(IntegrityError), session.begin_nested():
        make_collaborator(email="same@example.com")
    with pytest.raises(IntegrityError), session.begin_nested():
        make_collaborator(email="Same@Example.com")  # upper case is refused outright


def test_updated_at_is_maintained_by_the_database(connection, client):
    # Even a statement that tries to set updated_at gets the trigger's now() instead.
    connection.execute(
        text(
            "UPDATE clients SET phone = '+33 1 00 00 00 00', updated_at = '2000-01-01' "
            "WHERE id = :id"
        ),
        {"id": client.id},
    )
    row = connection.execute(
        text("SELECT updated_at, now() AS now FROM clients WHERE id = :id"), {"id": client.id}
    ).one()
    assert row.updated_at == row.now


def test_deleting_a_support_contact_leaves_their_events_without_support(
    session, connection, client, make_collaborator
):
    helper = make_collaborator("support")
    contract = _contract(session, client, Decimal("10"), Decimal("0"))
    start = datetime(2026, 6, 4, 13, tzinfo=UTC)
    event = Event(
        name="Party",
        contract=contract,
        support_contact=helper,
        start_at=start,
        end_at=start + timedelta(hours=5),
        location="Paris",
        attendees=10,
    )
    session.add(event)
    session.flush()
    connection.execute(text("DELETE FROM collaborators WHERE id = :id"), {"id": helper.id})
    support = connection.execute(
        text("SELECT support_contact_id FROM events WHERE id = :id"), {"id": event.id}
    ).scalar_one()
    assert support is None


def test_the_quick_head_revision_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    from epic_events.migrations import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
