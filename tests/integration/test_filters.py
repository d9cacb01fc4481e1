"""The SPEC's filters, paging, search and sorting, against real PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil

import pytest
from sqlalchemy import text

from epic_events.controllers import clients, collaborators, contracts, events
from epic_events.controllers.auth import CurrentUser
from epic_events.errors import PermissionDenied
from epic_events.paging import ListQuery
from tests.integration.conftest import DEPARTMENTS, tag
from tests.integration.helpers import snapshot

NOW = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)


@dataclass
class World:
    """Two commercials, two support contacts, their clients, contracts and events."""

    gestion: CurrentUser
    seller_a: CurrentUser
    seller_b: CurrentUser
    support_1: CurrentUser
    support_2: CurrentUser
    users: dict[str, CurrentUser]
    clients: dict[str, int]
    contracts: dict[str, int]
    events: dict[str, int]


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def ids_of(mapping: dict[str, int], *names: str) -> set[int]:
    return {mapping[name] for name in names}


@pytest.fixture
def world(uow_factory, gestion, commerce, support, user_of) -> World:
    """Built through the controllers, as the staff would build it."""
    seller_b = user_of("commerce")
    support_2 = user_of("support")
    sellers = {"a": commerce, "b": seller_b}

    def client(owner: str, name: str) -> int:
        return clients.create_client(
            uow_factory(),
            sellers[owner],
            full_name=name,
            email=f"{name.split()[0].lower()}-{tag()}@example.com",
            phone="+33 1 23 45 67 89",
            company_name=f"{name.split()[1]} SAS",
        ).id

    def contract(client_id: int, total: str, due: str, *, signed: bool) -> int:
        created = contracts.create_contract(
            uow_factory(), gestion, client_id=client_id, total_amount=total, amount_due=due
        )
        if signed:
            contracts.sign_contract(uow_factory(), gestion, created.id)
        return created.id

    def event(owner: str, contract_id: int, name: str, start: datetime, helper=None) -> int:
        created = events.create_event(
            uow_factory(),
            sellers[owner],
            contract_id=contract_id,
            name=name,
            start_at=start,
            end_at=start + timedelta(hours=5),
            location="Paris",
            attendees=50,
        )
        if helper is not None:
            events.assign_support(uow_factory(), gestion, created.id, helper.id)
        return created.id

    client_ids = {
        "a1": client("a", "Alice Martin"),
        "a2": client("a", "Bruno Petit"),
        "b1": client("b", "Chloe Durand"),
    }
    contract_ids = {
        "a1_paid_signed": contract(client_ids["a1"], "1000", "0", signed=True),
        "a1_unpaid_signed": contract(client_ids["a1"], "2000", "500", signed=True),
        "a2_unpaid_unsigned": contract(client_ids["a2"], "300", "300", signed=False),
        "a2_paid_unsigned": contract(client_ids["a2"], "0", "0", signed=False),
        "b1_unpaid_unsigned": contract(client_ids["b1"], "5000", "5000", signed=False),
        "b1_paid_signed": contract(client_ids["b1"], "800", "0", signed=True),
    }
    event_ids = {
        "now_s1": event("a", contract_ids["a1_paid_signed"], "Launch", at(0), support),
        "later_none": event("a", contract_ids["a1_unpaid_signed"], "Gala", at(50)),
        "past_s2": event("b", contract_ids["b1_paid_signed"], "Retreat", at(-40), support_2),
        "soon_s1": event("a", contract_ids["a1_paid_signed"], "Workshop", at(22), support),
        "latest_none": event("b", contract_ids["b1_paid_signed"], "Wedding", at(111)),
        "past_none": event("a", contract_ids["a1_unpaid_signed"], "Brunch", at(-1)),
    }
    return World(
        gestion=gestion,
        seller_a=commerce,
        seller_b=seller_b,
        support_1=support,
        support_2=support_2,
        users={"gestion": gestion, "commerce": commerce, "support": support},
        clients=client_ids,
        contracts=contract_ids,
        events=event_ids,
    )


def all_pages(list_page, size: int = 7) -> list[int]:
    """Every id, page after page, following `has_next` from the first page."""
    seen, number = [], 1
    while True:
        page = list_page(ListQuery(page=number, size=size))
        seen.extend(ids(page))
        if not page.has_next:
            return seen
        number += 1


# -- gestion: events without support ------------------------------------------------------


def test_gestion_sees_exactly_the_events_without_support(uow_factory, world, connection):
    page = events.list_events(uow_factory(), world.gestion, ListQuery(), without_support=True)
    expected = ids_of(world.events, "later_none", "latest_none", "past_none")
    in_database = {
        row.id
        for row in connection.execute(
            text("SELECT id FROM events WHERE support_contact_id IS NULL")
        )
    }
    assert set(ids(page)) == expected == in_database
    assert page.total == 3


@pytest.mark.parametrize("department", ["commerce", "support"])
def test_only_gestion_filters_events_without_support(department, uow_factory, world, connection):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only gestion may filter events without support"):
        events.list_events(
            uow_factory(), world.users[department], ListQuery(), without_support=True
        )
    assert snapshot(connection) == before


def test_a_deleted_support_contacts_events_become_events_without_support(
    uow_factory, world, connection, fetch
):
    collaborators.delete_collaborator(uow_factory(), world.gestion, world.support_1.id)
    for name in ("now_s1", "soon_s1"):
        row = fetch("events", world.events[name])
        assert row is not None  # the events are kept
        assert row.support_contact_id is None
    page = events.list_events(uow_factory(), world.gestion, ListQuery(), without_support=True)
    assert set(ids(page)) == ids_of(
        world.events, "now_s1", "soon_s1", "later_none", "latest_none", "past_none"
    )
    count = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    assert count == len(world.events)


# -- commerce: my clients, unsigned contracts, contracts not fully paid -------------------


def test_commerce_sees_exactly_its_own_clients(uow_factory, world):
    mine_a = clients.list_clients(uow_factory(), world.seller_a, ListQuery(), mine=True)
    mine_b = clients.list_clients(uow_factory(), world.seller_b, ListQuery(), mine=True)
    assert set(ids(mine_a)) == ids_of(world.clients, "a1", "a2")
    assert set(ids(mine_b)) == ids_of(world.clients, "b1")
    everyone = clients.list_clients(uow_factory(), world.seller_a, ListQuery())
    assert set(ids(everyone)) == set(world.clients.values())


def test_commerce_sees_exactly_the_unsigned_contracts_of_its_own_clients(uow_factory, world):
    page_a = contracts.list_contracts(uow_factory(), world.seller_a, ListQuery(), unsigned=True)
    page_b = contracts.list_contracts(uow_factory(), world.seller_b, ListQuery(), unsigned=True)
    assert set(ids(page_a)) == ids_of(world.contracts, "a2_unpaid_unsigned", "a2_paid_unsigned")
    assert set(ids(page_b)) == ids_of(world.contracts, "b1_unpaid_unsigned")


def test_commerce_sees_exactly_the_contracts_of_its_own_clients_not_fully_paid(uow_factory, world):
    page_a = contracts.list_contracts(uow_factory(), world.seller_a, ListQuery(), unpaid=True)
    page_b = contracts.list_contracts(uow_factory(), world.seller_b, ListQuery(), unpaid=True)
    assert set(ids(page_a)) == ids_of(world.contracts, "a1_unpaid_signed", "a2_unpaid_unsigned")
    assert set(ids(page_b)) == ids_of(world.contracts, "b1_unpaid_unsigned")


def test_the_two_commerce_filters_combine(uow_factory, world):
    page = contracts.list_contracts(
        uow_factory(), world.seller_a, ListQuery(), unsigned=True, unpaid=True
    )
    assert ids(page) == [world.contracts["a2_unpaid_unsigned"]]


def test_paying_and_signing_take_a_contract_out_of_the_commerce_filters(uow_factory, world):
    contract_id = world.contracts["a2_unpaid_unsigned"]
    contracts.update_contract(uow_factory(), world.seller_a, contract_id, amount_due="0")
    contracts.sign_contract(uow_factory(), world.seller_a, contract_id)
    unsigned = contracts.list_contracts(uow_factory(), world.seller_a, ListQuery(), unsigned=True)
    unpaid = contracts.list_contracts(uow_factory(), world.seller_a, ListQuery(), unpaid=True)
    assert contract_id not in ids(unsigned)
    assert contract_id not in ids(unpaid)


def test_a_reassigned_client_moves_to_the_new_commercials_filters(uow_factory, world):
    clients.reassign_client(uow_factory(), world.gestion, world.clients["a2"], world.seller_b.id)
    mine_b = clients.list_clients(uow_factory(), world.seller_b, ListQuery(), mine=True)
    unsigned_a = contracts.list_contracts(uow_factory(), world.seller_a, ListQuery(), unsigned=True)
    unsigned_b = contracts.list_contracts(uow_factory(), world.seller_b, ListQuery(), unsigned=True)
    assert set(ids(mine_b)) == ids_of(world.clients, "a2", "b1")
    assert ids(unsigned_a) == []
    assert set(ids(unsigned_b)) == ids_of(
        world.contracts, "a2_unpaid_unsigned", "a2_paid_unsigned", "b1_unpaid_unsigned"
    )


@pytest.mark.parametrize("department", ["gestion", "support"])
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda uow, user: clients.list_clients(uow, user, ListQuery(), mine=True), "my clients"),
        (
            lambda uow, user: contracts.list_contracts(uow, user, ListQuery(), unsigned=True),
            "unsigned contracts",
        ),
        (
            lambda uow, user: contracts.list_contracts(uow, user, ListQuery(), unpaid=True),
            "contracts not fully paid",
        ),
    ],
    ids=["my clients", "unsigned", "unpaid"],
)
def test_only_commerce_has_the_commerce_filters(
    department, call, message, uow_factory, world, connection
):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match=f"Only commerce may filter {message}"):
        call(uow_factory(), world.users[department])
    assert snapshot(connection) == before


# -- support: my events -------------------------------------------------------------------


def test_support_sees_exactly_the_events_assigned_to_them(uow_factory, world):
    mine_1 = events.list_events(uow_factory(), world.support_1, ListQuery(), mine=True)
    mine_2 = events.list_events(uow_factory(), world.support_2, ListQuery(), mine=True)
    assert set(ids(mine_1)) == ids_of(world.events, "now_s1", "soon_s1")
    assert set(ids(mine_2)) == ids_of(world.events, "past_s2")


@pytest.mark.parametrize("department", ["gestion", "commerce"])
def test_only_support_filters_my_events(department, uow_factory, world, connection):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match="Only support may filter my events"):
        events.list_events(uow_factory(), world.users[department], ListQuery(), mine=True)
    assert snapshot(connection) == before


# -- everyone: upcoming events ------------------------------------------------------------


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_everyone_sees_the_upcoming_events_soonest_first(department, uow_factory, world):
    page = events.list_events(
        uow_factory(), world.users[department], ListQuery(), upcoming=True, now=NOW
    )
    assert ids(page) == [
        world.events[name] for name in ("now_s1", "soon_s1", "later_none", "latest_none")
    ]


def test_upcoming_combines_with_the_department_filters(uow_factory, world):
    unassigned = events.list_events(
        uow_factory(), world.gestion, ListQuery(), without_support=True, upcoming=True, now=NOW
    )
    mine = events.list_events(
        uow_factory(), world.support_1, ListQuery(), mine=True, upcoming=True, now=at(1)
    )
    assert ids(unassigned) == [world.events["later_none"], world.events["latest_none"]]
    assert ids(mine) == [world.events["soon_s1"]]


def test_upcoming_can_be_sorted_another_way(uow_factory, world):
    page = events.list_events(
        uow_factory(),
        world.gestion,
        ListQuery(sort="start", descending=True),
        upcoming=True,
        now=NOW,
    )
    assert ids(page) == [
        world.events[name] for name in ("latest_none", "later_none", "soon_s1", "now_s1")
    ]


# -- paging: every row exactly once -------------------------------------------------------


@pytest.fixture
def many(commerce, make_client, make_contract, make_event, support):
    """23 clients of one company, 23 contracts and 23 events, many sort keys alike."""
    created = {"clients": [], "contracts": [], "events": []}
    for number in range(23):
        client = make_client(commerce, company_name="Same Company")
        contract = make_contract(client, total="100", signed=True)
        event = make_event(
            contract, support=support if number % 2 else None, start=at(number % 3), attendees=10
        )
        created["clients"].append(client.id)
        created["contracts"].append(contract.id)
        created["events"].append(event.id)
    return created


@pytest.mark.parametrize("department", DEPARTMENTS)
@pytest.mark.parametrize(
    ("kind", "sort"),
    [
        ("clients", None),
        ("clients", "company"),
        ("contracts", "total"),
        ("contracts", "client"),
        ("events", "start"),
        ("events", "support"),
        ("events", "attendees"),
    ],
)
def test_paging_returns_every_row_exactly_once(department, kind, sort, uow_factory, user_of, many):
    reader = user_of(department)
    lister = {
        "clients": clients.list_clients,
        "contracts": contracts.list_contracts,
        "events": events.list_events,
    }[kind]

    def list_page(query: ListQuery):
        return lister(uow_factory(), reader, ListQuery(page=query.page, size=7, sort=sort))

    seen = all_pages(list_page)
    assert len(seen) == 23
    assert sorted(seen) == sorted(many[kind])
    last = list_page(ListQuery(page=4))
    assert (last.number, last.pages, last.total, len(last.items)) == (4, ceil(23 / 7), 23, 2)


def test_a_page_past_the_end_shows_the_last_page(uow_factory, commerce, many):
    page = clients.list_clients(uow_factory(), commerce, ListQuery(page=99, size=7))
    assert (page.number, len(page.items)) == (4, 2)
    first = clients.list_clients(uow_factory(), commerce, ListQuery(page=0, size=7))
    assert (first.number, first.has_previous, first.has_next) == (1, False, True)


# -- search: case-insensitive substring, wildcards literal -------------------------------


@pytest.fixture
def searchable(commerce, make_client, make_contract, make_event):
    """Clients whose names, emails and companies hold the odd characters searched for."""
    rows = {
        "percent": make_client(
            commerce,
            full_name="Zoé 100% Sure",
            email=f"zoe-{tag()}@example.com",
            company_name="Sure Things",
        ),
        "underscore": make_client(
            commerce,
            full_name="Yann Smith",
            email=f"yann_smith-{tag()}@example.com",
            company_name="Smith & Co",
        ),
        "company": make_client(
            commerce, full_name="Xavier Lebon", company_name="Back\\Slash Events"
        ),
        "plain": make_client(commerce, full_name="Walter White", company_name="Walter Labs"),
    }
    for name, client in rows.items():
        make_event(make_contract(client, signed=True), name=f"{name} party")
    return {name: client.id for name, client in rows.items()}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("zoÉ", {"percent"}),
        ("WHITE", {"plain"}),
        ("%", {"percent"}),
        ("100%", {"percent"}),
        ("_", {"underscore"}),
        ("yann_", {"underscore"}),
        ("\\", {"company"}),
        ("back\\slash", {"company"}),
        ("LABS", {"plain"}),
        ("YANN_SMITH-", {"underscore"}),  # in the email
        ("@EXAMPLE.com", {"percent", "underscore", "company", "plain"}),
        ("nobody here", set()),
    ],
)
def test_clients_and_contracts_search_names_emails_and_companies(
    search, expected, uow_factory, gestion, searchable
):
    wanted = {searchable[name] for name in expected}
    found = clients.list_clients(uow_factory(), gestion, ListQuery(search=search))
    contracts_found = contracts.list_contracts(uow_factory(), gestion, ListQuery(search=search))
    assert set(ids(found)) == wanted
    assert {c.client_id for c in contracts_found.items} == wanted
    assert found.total == contracts_found.total == len(wanted)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("PERCENT PARTY", {"percent"}),  # the event's name
        ("100%", {"percent"}),  # the client's name
        ("_", set()),
        ("back\\SLASH", {"company"}),  # the client's company
        ("party", {"percent", "underscore", "company", "plain"}),
    ],
)
def test_events_search_their_name_and_their_clients_name_and_company(
    search, expected, uow_factory, support, searchable
):
    page = events.list_events(uow_factory(), support, ListQuery(search=search))
    assert {e.client_id for e in page.items} == {searchable[n] for n in expected}


def test_search_is_combined_with_a_filter(uow_factory, commerce, user_of, make_client):
    mine = make_client(commerce, full_name="Alpha Mine")
    make_client(user_of("commerce"), full_name="Alpha Theirs")
    page = clients.list_clients(uow_factory(), commerce, ListQuery(search="alpha"), mine=True)
    assert ids(page) == [mine.id]


# -- sorting: every key, both ways --------------------------------------------------------


def expected_order(rows: list[dict], key: str, descending: bool) -> list[int]:
    """Sorted by `key` then id, nulls last both ways (what the managers promise)."""
    present = sorted((r for r in rows if r[key] is not None), key=lambda r: (r[key], r["id"]))
    missing = sorted((r for r in rows if r[key] is None), key=lambda r: r["id"])
    if descending:
        present.reverse()
        missing.reverse()
    return [r["id"] for r in present + missing]


@pytest.fixture
def sortable_clients(commerce, make_client):
    specs = [  # name, email letter, company letter, created day, updated day
        ("dd Client", "e", "C", 3, 2),
        ("Bb Client", "d", "A", 1, 5),
        ("ee Client", "c", "E", 5, 1),
        ("Aa Client", "b", "b", 2, 4),
        ("cc Client", "a", "d", 4, 3),
    ]
    rows = []
    for name, email, company, created, updated in specs:
        client = make_client(
            commerce,
            full_name=name,
            email=f"{email}-{tag()}@example.com",
            company_name=f"{company} company",
            created_at=datetime(2021, 1, created, tzinfo=UTC),
            updated_at=datetime(2023, 1, updated, tzinfo=UTC),
        )
        rows.append(
            {
                "id": client.id,
                "name": name.lower(),
                "company": client.company_name.lower(),
                "email": client.email,
                "created": client.created_at,
                "updated": client.updated_at,
            }
        )
    return rows


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", ["name", "company", "email", "created", "updated"])
def test_clients_sort_by_each_key_both_ways(
    key, descending, uow_factory, gestion, sortable_clients
):
    page = clients.list_clients(uow_factory(), gestion, ListQuery(sort=key, descending=descending))
    assert ids(page) == expected_order(sortable_clients, key, descending)


def test_clients_sort_by_name_unless_asked_otherwise(uow_factory, gestion, sortable_clients):
    for sort in (None, "no such key"):
        page = clients.list_clients(uow_factory(), gestion, ListQuery(sort=sort))
        assert ids(page) == expected_order(sortable_clients, "name", False)


@pytest.fixture
def sortable_contracts(commerce, make_client, make_contract):
    clients_by_letter = {
        letter: make_client(commerce, full_name=f"{letter} Person") for letter in "cAb"
    }
    specs = [  # client, total, due, signed, created day
        ("c", "1500.50", "0", True, 3),
        ("A", "200", "200", False, 1),
        ("b", "99.99", "50", True, 5),
        ("A", "10000", "1", False, 2),
        ("c", "1500.5", "1500.5", False, 4),  # same total as the first: the id decides
    ]
    rows = []
    for letter, total, due, signed, day in specs:
        contract = make_contract(
            clients_by_letter[letter],
            total,
            due,
            signed=signed,
            created_at=datetime(2024, 3, day, tzinfo=UTC),
        )
        rows.append(
            {
                "id": contract.id,
                "client": letter.lower(),
                "total": contract.total_amount,
                "due": contract.amount_due,
                "created": contract.created_at,
                "signed": signed,
            }
        )
    return rows


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", ["id", "total", "due", "created", "signed"])
def test_contracts_sort_by_each_key_both_ways(
    key, descending, uow_factory, gestion, sortable_contracts
):
    page = contracts.list_contracts(
        uow_factory(), gestion, ListQuery(sort=key, descending=descending)
    )
    assert ids(page) == expected_order(sortable_contracts, key, descending)


@pytest.fixture
def sortable_events(commerce, user_of, make_client, make_contract, make_event):
    helpers = {
        "zed": user_of("support", name="zed Helper"),
        "Amy": user_of("support", name="Amy Helper"),
    }
    contract_of = {
        letter: make_contract(make_client(commerce, full_name=f"{letter} Client"), signed=True)
        for letter in "bCa"
    }
    specs = [  # event name, client letter, start day, support, attendees
        ("delta", "b", 3, "zed", 10),
        ("Alpha", "C", 1, None, 500),
        ("charlie", "a", 4, "Amy", 0),
        ("Bravo", "b", 2, None, 75),
        ("echo", "a", 5, "zed", 75),
    ]
    rows = []
    for name, letter, day, helper, attendees in specs:
        support = helpers[helper] if helper else None
        event = make_event(
            contract_of[letter], support=support, start=at(day), name=name, attendees=attendees
        )
        rows.append(
            {
                "id": event.id,
                "start": event.start_at,
                "name": name.lower(),
                "client": letter.lower(),
                "support": support.name.lower() if support else None,
                "attendees": attendees,
            }
        )
    return rows


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", ["start", "name", "attendees", "id"])
def test_events_sort_by_each_key_both_ways_events_without_support_last(
    key, descending, uow_factory, gestion, sortable_events
):
    page = events.list_events(uow_factory(), gestion, ListQuery(sort=key, descending=descending))
    assert ids(page) == expected_order(sortable_events, key, descending)
