"""The dashboard after login: each department's figures, scoped, exact, and in bounded queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from epic_events.controllers.auth import CurrentUser
from epic_events.controllers.dashboard import Dashboard, get_dashboard
from epic_events.departments import DepartmentName
from epic_events.errors import NotAuthenticated
from epic_events.managers.dashboard import DashboardManager, Tally
from epic_events.models import Client, Collaborator, Contract, Event
from tests.integration.helpers import Statements

# Far from the dates other tests use, so the global (gestion) figures see only this test's rows.
NOW = datetime(2041, 3, 15, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def collaborator(session, user: CurrentUser) -> Collaborator:
    return session.get(Collaborator, user.id)


def ids(figure) -> list[int]:
    return [item.id for item in figure.items]


# commerce


@pytest.fixture
def sales_floor(
    session, commerce, user_of, support, make_client, make_contract, make_event
) -> dict:
    """Two clients of `commerce`, one of another commercial; contracts and events of each."""
    other = user_of("commerce")
    helper = collaborator(session, support)
    mine_a, mine_b, theirs = make_client(commerce), make_client(commerce), make_client(other)
    rows = {
        "a1": make_contract(mine_a, "1000.00", created_at=NOW - 10 * DAY),
        "a2": make_contract(mine_a, "250.50", "100.25", created_at=NOW - 20 * DAY),
        "b1": make_contract(mine_b, "5000.00", "0.00", signed=True),
        "b2": make_contract(mine_b, "800.10", "300.30", signed=True),
        "c1": make_contract(theirs, "999.00", created_at=NOW - 30 * DAY),
        "c2": make_contract(theirs, "120.00", "60.00", signed=True),
    }
    rows["tomorrow"] = make_event(rows["b1"], support=helper, start=NOW + DAY)
    rows["soon"] = make_event(rows["b2"], start=NOW + 2 * HOUR)
    rows["yesterday"] = make_event(rows["b1"], start=NOW - DAY)
    rows["theirs"] = make_event(rows["c2"], start=NOW + HOUR)
    rows["helper"] = helper
    rows["client_b"] = mine_b
    return rows


def test_commerce_sees_their_unsigned_contracts_oldest_first_and_not_another_commercials(
    session, uow_factory, commerce, sales_floor
):
    dashboard = get_dashboard(uow_factory(), commerce, now=NOW)
    assert dashboard.department == DepartmentName.COMMERCE
    assert dashboard.unsigned.count == 2
    assert ids(dashboard.unsigned) == [sales_floor["a2"].id, sales_floor["a1"].id]
    oldest = dashboard.unsigned.items[0]
    assert oldest.client_name == session.get(Client, sales_floor["a2"].client_id).full_name
    assert oldest.total_amount == Decimal("250.50")


def test_commerce_unpaid_amount_is_the_sum_due_over_their_contracts_with_something_due(
    uow_factory, commerce, sales_floor
):
    dashboard = get_dashboard(uow_factory(), commerce, now=NOW)
    # a1 1000.00 + a2 100.25 + b2 300.30; b1 is paid, c1 and c2 are another commercial's
    assert dashboard.unpaid == Tally(3, Decimal("1400.55"))


def test_commerce_sees_upcoming_events_of_their_clients_soonest_first_without_past_ones(
    uow_factory, commerce, sales_floor
):
    dashboard = get_dashboard(uow_factory(), commerce, now=NOW)
    events = dashboard.client_events
    assert events.count == 2
    assert ids(events) == [sales_floor["soon"].id, sales_floor["tomorrow"].id]
    soon, tomorrow = events.items
    assert soon.support_name is None
    assert tomorrow.support_name == sales_floor["helper"].name
    assert tomorrow.client_name == sales_floor["client_b"].full_name
    assert tomorrow.start_at == NOW + DAY


def test_commerce_sees_only_commerce_figures(uow_factory, commerce, sales_floor):
    dashboard = get_dashboard(uow_factory(), commerce, now=NOW)
    assert dashboard.assigned_events is None
    assert dashboard.without_support is None
    assert dashboard.signed_this_month is None


def test_only_five_contracts_are_listed_but_all_are_counted(
    uow_factory, commerce, make_client, make_contract
):
    client = make_client(commerce)
    made = [make_contract(client, created_at=NOW - i * DAY) for i in range(7)]
    unsigned = get_dashboard(uow_factory(), commerce, now=NOW).unsigned
    assert unsigned.count == 7
    assert unsigned.more == 2
    assert ids(unsigned) == [contract.id for contract in reversed(made)][:5]


def test_the_unpaid_sum_is_an_exact_decimal_where_floats_would_drift(
    uow_factory, commerce, make_client, make_contract
):
    client = make_client(commerce)
    for due in ("0.10", "0.20", "9999999999.99", "9999999999.99", "9999999999.99"):
        make_contract(client, "9999999999.99", due)
    unpaid = get_dashboard(uow_factory(), commerce, now=NOW).unpaid
    assert isinstance(unpaid.amount, Decimal)
    assert unpaid.amount == Decimal("30000000000.27")
    assert str(unpaid.amount) == "30000000000.27"
    assert 0.10 + 0.20 != 0.30  # what a float sum would have got wrong


def test_a_commercial_without_contracts_sees_zeros_not_nothing(uow_factory, commerce):
    dashboard = get_dashboard(uow_factory(), commerce, now=NOW)
    assert dashboard.unsigned.count == 0
    assert dashboard.unsigned.items == ()
    assert dashboard.unpaid == Tally(0, Decimal("0"))
    assert isinstance(dashboard.unpaid.amount, Decimal)
    assert dashboard.client_events.count == 0


# support


def test_support_sees_their_upcoming_events_soonest_first_and_no_one_elses(
    session, uow_factory, support, user_of, commerce, make_client, make_contract, make_event
):
    me = collaborator(session, support)
    other = collaborator(session, user_of("support"))
    contract = make_contract(make_client(commerce), signed=True)
    later = make_event(contract, support=me, start=NOW + 3 * DAY, location="Candé-sur-Beuvron")
    sooner = make_event(contract, support=me, start=NOW + HOUR)
    make_event(contract, support=me, start=NOW - 2 * HOUR)  # past
    make_event(contract, support=other, start=NOW + DAY)  # another support's
    make_event(contract, start=NOW + 2 * DAY)  # nobody's yet

    dashboard = get_dashboard(uow_factory(), support, now=NOW)

    assert dashboard.department == DepartmentName.SUPPORT
    assert dashboard.assigned_events.count == 2
    assert ids(dashboard.assigned_events) == [sooner.id, later.id]
    assert dashboard.assigned_events.items[1].location == "Candé-sur-Beuvron"
    client = session.get(Client, contract.client_id)
    assert dashboard.assigned_events.items[1].client_name == client.full_name
    assert dashboard.unsigned is None
    assert dashboard.without_support is None


def test_without_an_explicit_now_the_dashboard_counts_from_the_current_time(
    session, uow_factory, support, commerce, make_client, make_contract, make_event
):
    me = collaborator(session, support)
    contract = make_contract(make_client(commerce), signed=True)
    soon = make_event(contract, support=me, start=datetime.now(UTC) + HOUR)
    make_event(contract, support=me, start=datetime.now(UTC) - HOUR)
    assert ids(get_dashboard(uow_factory(), support).assigned_events) == [soon.id]


# gestion


def test_gestion_sees_events_without_support_in_the_next_thirty_days_only(
    session, uow_factory, gestion, support, commerce, make_client, make_contract, make_event
):
    contract = make_contract(make_client(commerce), signed=True)
    last = make_event(contract, start=NOW + 29 * DAY)
    first = make_event(contract, start=NOW + HOUR)
    make_event(contract, start=NOW + 31 * DAY)  # beyond 30 days
    make_event(contract, start=NOW - DAY)  # past
    make_event(contract, support=collaborator(session, support), start=NOW + 2 * DAY)

    dashboard = get_dashboard(uow_factory(), gestion, now=NOW)

    assert dashboard.department == DepartmentName.GESTION
    assert dashboard.without_support.count == 2
    assert ids(dashboard.without_support) == [first.id, last.id]
    assert all(item.support_name is None for item in dashboard.without_support.items)
    assert dashboard.unsigned is None
    assert dashboard.assigned_events is None


def test_gestion_counts_contracts_signed_this_calendar_month(
    uow_factory, gestion, commerce, make_client, make_contract
):
    client = make_client(commerce)
    make_contract(client, "1000.00", signed=True, signed_at=NOW - 2 * DAY)
    make_contract(client, "234.56", "0", signed=True, signed_at=datetime(2041, 3, 1, tzinfo=UTC))
    make_contract(
        client, "5000.00", signed=True, signed_at=datetime(2041, 2, 28, 23, 59, tzinfo=UTC)
    )
    make_contract(client, "700.00", signed=False, updated_at=NOW - DAY)  # not signed
    make_contract(client, "800.00", signed=True, signed_at=datetime(2041, 4, 1, tzinfo=UTC))

    dashboard = get_dashboard(uow_factory(), gestion, now=NOW)

    assert dashboard.signed_this_month == Tally(2, Decimal("1234.56"))


def test_december_runs_to_the_first_of_january(
    session, gestion, commerce, make_client, make_contract
):
    client = make_client(commerce)
    make_contract(client, "10.00", signed=True, signed_at=datetime(2041, 12, 31, 23, tzinfo=UTC))
    make_contract(client, "20.00", signed=True, signed_at=datetime(2042, 1, 1, tzinfo=UTC))
    december = datetime(2041, 12, 5, tzinfo=UTC)
    assert DashboardManager(session).signed_this_month(december) == Tally(1, Decimal("10.00"))


# everyone


def test_the_figures_follow_the_department_in_the_database_not_the_one_in_the_session(
    uow_factory, commerce
):
    stale = replace(commerce, department=DepartmentName.SUPPORT)
    dashboard = get_dashboard(uow_factory(), stale, now=NOW)
    assert dashboard.department == DepartmentName.COMMERCE
    assert dashboard.unsigned is not None
    assert dashboard.assigned_events is None


def test_a_deleted_account_gets_no_dashboard(uow_factory):
    ghost = CurrentUser(
        id=2_000_000_000, email="ghost@example.com", name="Ghost", department=DepartmentName.GESTION
    )
    with pytest.raises(NotAuthenticated):
        get_dashboard(uow_factory(), ghost, now=NOW)


def grow(session, seller: Collaborator, helper: Collaborator, size: int) -> None:
    """`size` clients of `seller`, each with an unsigned contract, a signed one changed this
    month, and two upcoming events: one run by `helper`, one without support."""
    client_ids = session.scalars(
        insert(Client).returning(Client.id),
        [
            {
                "full_name": f"Grown {seller.id}-{i}",
                "email": f"grown-{seller.id}-{size}-{i}@example.com",
                "phone": "+33 1 23 45 67 89",
                "company_name": "Growth LLC",
                "commercial_contact_id": seller.id,
            }
            for i in range(size)
        ],
    ).all()
    contracts = [
        {
            "client_id": client_id,
            "commercial_contact_id": seller.id,
            "total_amount": Decimal("100.00"),
            "amount_due": Decimal("40.00"),
            "signed": signed,
            "signed_at": NOW - DAY if signed else None,
        }
        for client_id in client_ids
        for signed in (False, True)
    ]
    contract_ids = session.scalars(insert(Contract).returning(Contract.id), contracts).all()
    session.execute(
        insert(Event),
        [
            {
                "name": f"Grown party {i}",
                "contract_id": contract_id,
                "support_contact_id": support_id,
                "start_at": NOW + (i % 600 + 1) * HOUR,
                "end_at": NOW + (i % 600 + 5) * HOUR,
                "location": "Paris",
            }
            for i, contract_id in enumerate(contract_ids[1::2])
            for support_id in (helper.id, None)
        ],
    )


def test_each_dashboard_costs_the_same_few_queries_at_ten_and_at_five_hundred_rows(
    connection, session, uow_factory, gestion, commerce, support
):
    seller, helper = collaborator(session, commerce), collaborator(session, support)
    users = {"gestion": gestion, "commerce": commerce, "support": support}
    statements = Statements(connection)

    def measure() -> dict[str, int]:
        return {
            name: statements.count(lambda user=user: get_dashboard(uow_factory(), user, now=NOW))
            for name, user in users.items()
        }

    grow(session, seller, helper, 10)
    small = measure()
    grow(session, seller, helper, 490)
    large = measure()

    # one statement names the actor for row-level security, one loads them, one per figure
    # (commerce's unsigned contracts and what it is owed share one)
    assert small == large == {"gestion": 4, "commerce": 4, "support": 3}
    dashboards: dict[str, Dashboard] = {
        name: get_dashboard(uow_factory(), user, now=NOW) for name, user in users.items()
    }
    assert dashboards["commerce"].unsigned.count == 500
    assert dashboards["commerce"].unpaid == Tally(1000, Decimal("40000.00"))
    assert dashboards["commerce"].client_events.count == 1000
    assert dashboards["support"].assigned_events.count == 500
    assert dashboards["gestion"].signed_this_month == Tally(500, Decimal("50000.00"))
    # starts run from 1 to 500 hours ahead: those within 30 days (720 hours) are all counted
    assert dashboards["gestion"].without_support.count == 500
    assert len(dashboards["gestion"].without_support.items) == 5


def test_show_dashboard_prints_the_logged_in_users_dashboard(uow_factory, support):
    import io
    from types import SimpleNamespace

    from rich.console import Console

    from epic_events.views.dashboard import show_dashboard

    console = Console(record=True, width=120, file=io.StringIO())
    ctx = SimpleNamespace(console=console, uow=uow_factory, user=support)
    dashboard = show_dashboard(ctx)
    assert dashboard.department == DepartmentName.SUPPORT
    text = console.export_text()
    assert "Dashboard · support" in text
    assert "No upcoming events assigned to you." in text


def test_commerce_with_nothing_unsigned_still_sees_what_it_is_owed(session, uow_factory, commerce):
    """The two contract figures share a statement: no unsigned contract leaves one row of
    figures, not none."""
    seller = collaborator(session, commerce)
    client = Client(
        full_name="Owing Client",
        email="owing@client.example",
        phone="+33 1 00 00 00 00",
        company_name="Owing SARL",
        commercial_contact=seller,
    )
    session.add(client)
    session.add(
        Contract(
            client=client,
            commercial_contact=seller,
            total_amount=Decimal("100.00"),
            amount_due=Decimal("40.50"),
            signed=True,
        )
    )
    session.flush()
    dashboard = get_dashboard(uow_factory(), commerce, now=NOW)
    assert (dashboard.unsigned.count, dashboard.unsigned.items) == (0, ())
    assert dashboard.unpaid == Tally(1, Decimal("40.50"))
