"""Screens cost the same number of queries whatever the data size; the demo seed is safe."""

import pytest
from sqlalchemy import text

from epic_events.controllers import clients, contracts, events
from epic_events.demo import DEMO_DOMAIN, DemoSize, demo_present, seed_demo
from epic_events.paging import ListQuery
from tests.integration.helpers import Statements


def grow(session, make_client, make_contract, make_event, seller, helper, size):
    """`size` clients, each with a signed contract and an event; every other one also with
    an unsigned contract and an event without support: no screen is empty (an empty list
    reads no page, one statement fewer)."""
    for number in range(size):
        client = make_client(seller)
        contract = make_contract(client, signed=True)
        make_event(contract, support=helper)
        if number % 2 == 0:
            make_contract(client, signed=False)
            make_event(contract)


@pytest.fixture
def screens(uow_factory, gestion, commerce, support):
    """Every list, filter, search and detail screen, as (name, action)."""

    def detail():
        clients.get_client(uow_factory(), gestion, detail.client_id)

    return {
        "clients": lambda: clients.list_clients(uow_factory(), gestion, ListQuery()),
        "my clients": lambda: clients.list_clients(uow_factory(), commerce, ListQuery(), mine=True),
        "search": lambda: clients.list_clients(uow_factory(), gestion, ListQuery(search="a")),
        "contracts": lambda: contracts.list_contracts(uow_factory(), gestion, ListQuery()),
        "unsigned": lambda: contracts.list_contracts(
            uow_factory(), commerce, ListQuery(), unsigned=True
        ),
        "unpaid": lambda: contracts.list_contracts(
            uow_factory(), commerce, ListQuery(), unpaid=True
        ),
        "events": lambda: events.list_events(uow_factory(), gestion, ListQuery(sort="name")),
        "without support": lambda: events.list_events(
            uow_factory(), gestion, ListQuery(), without_support=True
        ),
        "my events": lambda: events.list_events(uow_factory(), support, ListQuery(), mine=True),
        "upcoming": lambda: events.list_events(uow_factory(), support, ListQuery(), upcoming=True),
        "client detail": detail,
    }


def test_no_screen_runs_more_queries_at_a_thousand_rows_than_at_ten(
    connection, session, screens, commerce, support, make_client, make_contract, make_event
):
    from epic_events.models import Collaborator

    seller = session.get(Collaborator, commerce.id)
    helper = session.get(Collaborator, support.id)
    statements = Statements(connection)
    grow(session, make_client, make_contract, make_event, seller, helper, 10)
    screens["client detail"].client_id = make_client(seller).id
    small = {name: statements.count(action) for name, action in screens.items()}
    grow(session, make_client, make_contract, make_event, seller, helper, 990)
    client = make_client(seller)
    for _ in range(30):
        make_event(make_contract(client, signed=True))
    screens["client detail"].client_id = client.id
    large = {name: statements.count(action) for name, action in screens.items()}
    assert small == large
    # who acts (set_config, for row-level security), the actor's check, a capped count, the page
    assert max(large.values()) <= 4, large


def test_the_demo_seed_loads_once_and_leaves_other_data_alone(postgres, connection):
    from epic_events.db import make_engine
    from epic_events.migrations import upgrade

    url = postgres.create_database("epic_demo")
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            for name in ("gestion", "commerce", "support"):
                conn.execute(text("INSERT INTO departments (name) VALUES (:n)"), {"n": name})
        size = DemoSize(commerce=3, support=2, clients=50, contracts=120, events=300)
        assert not demo_present(engine)
        first = seed_demo(engine, size)
        assert first.created
        assert first.password
        with engine.connect() as conn:
            counts = [
                conn.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("collaborators", "clients", "contracts", "events")
            ]
            assert counts == [5, 50, 120, 300]
            demo = conn.scalar(
                text("SELECT count(*) FROM collaborators WHERE email LIKE :p"),
                {"p": f"%@{DEMO_DOMAIN}"},
            )
            assert demo == 5
            unsigned_with_events = conn.scalar(
                text(
                    "SELECT count(*) FROM events e JOIN contracts k ON k.id = e.contract_id "
                    "WHERE NOT k.signed"
                )
            )
            assert unsigned_with_events == 0  # events only on signed contracts
            mismatched = conn.scalar(
                text(
                    "SELECT count(*) FROM contracts k JOIN clients c ON c.id = k.client_id "
                    "WHERE k.commercial_contact_id <> c.commercial_contact_id"
                )
            )
            assert mismatched == 0
        again = seed_demo(engine, size)
        assert not again.created
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM events")) == 300
            indexes = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_indexes "
                    "WHERE indexname = 'ix_event_search_support_key_search_doc_trgm'"
                )
            )
            assert indexes == 1  # rebuilt after the load
            documents = conn.scalar(text("SELECT count(*) FROM event_search"))
            assert documents == 300  # every demo event can be found
            clients = conn.scalar(text("SELECT count(*) FROM client_search"))
            assert clients == conn.scalar(text("SELECT count(*) FROM clients"))
    finally:
        engine.dispose()
        postgres.drop_database(url)
