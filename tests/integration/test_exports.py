"""CSV exports against real PostgreSQL: the rows the lists show, safe cells, rights, memory."""

from __future__ import annotations

import csv
import dataclasses
import os
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from epic_events.controllers import clients, collaborators, contracts, events, exports
from epic_events.controllers.auth import CurrentUser
from epic_events.errors import PermissionDenied, SessionExpired, ValidationError
from epic_events.exporting import timestamp
from epic_events.managers.events import EventManager
from epic_events.paging import ListQuery
from tests.integration.helpers import snapshot

NOW = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
NAMES = ["Alice Martin", "Bruno Petit", "Chloé Durand", "alice Martin", "Zoé Alibert"]
COMPANIES = ["Cool Startup LLC", "Acme SAS", "Château Events"]


@dataclass
class World:
    """Two commercials and two support contacts, with clients, contracts and events."""

    gestion: CurrentUser
    seller_a: CurrentUser
    seller_b: CurrentUser
    support_1: CurrentUser
    support_2: CurrentUser

    def user(self, who: str) -> CurrentUser:
        return getattr(self, who)


@pytest.fixture
def world(gestion, commerce, support, user_of, make_client, make_contract, make_event) -> World:
    """23 clients (names repeat, so ties need the id), 46 contracts, 30 events."""
    seller_b, support_2 = user_of("commerce"), user_of("support")
    helpers = [support, support_2, None]
    for n in range(23):
        client = make_client(
            commerce if n % 3 else seller_b,
            full_name=NAMES[n % len(NAMES)],
            company_name=COMPANIES[n % len(COMPANIES)],
        )
        paid = make_contract(client, total=f"{(n % 4) * 750}.50", due="0.00", signed=True)
        make_contract(client, total="1500.50", due=f"{n % 2 * 100}.00", signed=bool(n % 5))
        if n % 4 != 3:
            for k in range(2 if n % 2 else 1):
                make_event(
                    paid,
                    support=helpers[(n + k) % 3],
                    start=NOW + timedelta(days=(n - 11) * 3 + k),
                    name=f"{NAMES[(n + k) % len(NAMES)].split()[0]} party",
                    attendees=(n * 7) % 40,
                )
    return World(gestion, commerce, seller_b, support, support_2)


def listed_ids(list_page: Callable[[ListQuery], object], query: ListQuery) -> list[int]:
    """Every id the list shows for `query`, page after page (7 rows a page)."""
    seen, number = [], 1
    while True:
        page = list_page(dataclasses.replace(query, page=number, size=7))
        seen.extend(item.id for item in page.items)
        if not page.has_next:
            return seen
        number += 1


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def exported_ids(path: Path) -> list[int]:
    return [int(row["ID"]) for row in read_csv(path)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


# -- the same rows as the list, in the same order ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "query", "filters"),
    [
        ("gestion", ListQuery(), {}),
        ("gestion", ListQuery(sort="name"), {}),
        ("gestion", ListQuery(sort="company", descending=True), {}),
        ("seller_b", ListQuery(search="ali", sort="name", descending=True), {}),
        ("seller_a", ListQuery(sort="name"), {"mine": True}),
        ("seller_a", ListQuery(search="château", sort="created"), {"mine": True}),
        ("support_1", ListQuery(search="no such client"), {}),
    ],
)
def test_exported_clients_are_the_rows_every_page_of_the_list_shows_in_order(
    uow_factory, world, folder, who, query, filters
):
    user = world.user(who)
    path = folder / "clients.csv"
    listed = listed_ids(lambda q: clients.list_clients(uow_factory(), user, q, **filters), query)
    written = exports.export_clients(uow_factory(), user, query, path, **filters)
    assert exported_ids(path) == listed
    assert written == len(listed)
    assert written > 0 or query.search == "no such client"


@pytest.mark.parametrize(
    ("who", "query", "filters"),
    [
        ("gestion", ListQuery(), {}),
        ("gestion", ListQuery(sort="total", descending=True), {}),
        ("support_2", ListQuery(sort="total", search="martin"), {}),
        ("seller_a", ListQuery(sort="due"), {"unsigned": True}),
        ("seller_b", ListQuery(), {"unpaid": True}),
        ("seller_a", ListQuery(sort="signed", descending=True), {"unsigned": True, "unpaid": True}),
    ],
)
def test_exported_contracts_are_the_rows_every_page_of_the_list_shows_in_order(
    uow_factory, world, folder, who, query, filters
):
    user = world.user(who)
    path = folder / "contracts.csv"
    listed = listed_ids(
        lambda q: contracts.list_contracts(uow_factory(), user, q, **filters), query
    )
    assert exports.export_contracts(uow_factory(), user, query, path, **filters) == len(listed)
    assert exported_ids(path) == listed
    assert listed


@pytest.mark.parametrize(
    ("who", "query", "filters"),
    [
        ("gestion", ListQuery(), {}),
        ("gestion", ListQuery(sort="name"), {}),
        ("gestion", ListQuery(sort="start", descending=True), {}),
        ("gestion", ListQuery(sort="attendees"), {"without_support": True}),
        ("support_1", ListQuery(sort="name", search="party"), {"mine": True}),
        ("seller_a", ListQuery(), {"upcoming": True, "now": NOW}),
        (
            "support_2",
            ListQuery(sort="attendees", descending=True),
            {"mine": True, "upcoming": True},
        ),
    ],
)
def test_exported_events_are_the_rows_every_page_of_the_list_shows_in_order(
    uow_factory, world, folder, who, query, filters
):
    user = world.user(who)
    filters = {"now": NOW, **filters}
    path = folder / "events.csv"
    listed = listed_ids(lambda q: events.list_events(uow_factory(), user, q, **filters), query)
    assert exports.export_events(uow_factory(), user, query, path, **filters) == len(listed)
    assert exported_ids(path) == listed
    assert listed


@pytest.mark.parametrize(
    ("search", "department"),
    [(None, None), ("support", None), (None, "commerce"), ("  SUPPORT ", "support")],
)
def test_exported_collaborators_are_the_rows_every_page_of_the_list_shows_in_order(
    uow_factory, world, folder, search, department
):
    path = folder / "collaborators.csv"

    def list_page(query: ListQuery):
        return collaborators.list_collaborators(
            uow_factory(), world.gestion, query, department=department
        )

    listed = listed_ids(list_page, ListQuery(search=search))
    query = ListQuery(search=search)
    written = exports.export_collaborators(
        uow_factory(), world.gestion, query, path, department=department
    )
    assert exported_ids(path) == listed
    assert written == len(listed) > 0


# -- what the cells hold ---------------------------------------------------------------------


def test_a_contract_row_has_plain_amounts_the_client_details_and_local_dates(
    uow_factory, gestion, commerce, make_client, make_contract, session, folder
):
    client = make_client(commerce, full_name="Kevin Casey", phone="+678 123 456 78")
    contract = make_contract(client, total="1234567.5", due="0.05", signed=True)
    session.refresh(contract)
    path = folder / "contracts.csv"
    exports.export_contracts(uow_factory(), gestion, ListQuery(search="Kevin Casey"), path)
    [row] = read_csv(path)
    assert row["ID"] == str(contract.id)
    assert row["Client"] == "Kevin Casey"
    assert row["Client email"] == client.email
    assert row["Client phone"] == "'+678 123 456 78"  # a leading + could start a formula
    assert (row["Total"], row["Due"], row["Status"]) == ("1234567.50", "0.05", "signed")
    assert row["Created"] == timestamp(contract.created_at)


def test_an_event_row_has_its_end_notes_and_an_empty_cell_for_no_support(
    uow_factory, gestion, commerce, make_client, make_contract, make_event, folder
):
    client = make_client(commerce, full_name="John Ouick", company_name="Ouick & Co")
    contract = make_contract(client, signed=True)
    notes = "Wedding starts at 3PM, by the river.\nKate needs to organize the DJ."
    start = datetime(2030, 6, 4, 13, 0, tzinfo=UTC)
    event = make_event(
        contract, start=start, end_at=start + timedelta(hours=13), notes=notes, attendees=75
    )
    path = folder / "events.csv"
    exports.export_events(uow_factory(), gestion, ListQuery(search="John Ouick"), path)
    [row] = read_csv(path)
    assert row["ID"] == str(event.id)
    assert row["Contract"] == str(contract.id)
    assert row["Company"] == "Ouick & Co"
    assert row["Start"] == timestamp(start)
    assert row["End"] == timestamp(start + timedelta(hours=13))
    assert row["Support"] == ""
    assert row["Notes"] == notes
    assert row["Attendees"] == "75"


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil")', "@SUM(A1)", "+1", "-1", "\t=cmd|' /C calc'!A0"]
)
def test_a_client_name_that_looks_like_a_formula_is_exported_as_inert_text(
    uow_factory, gestion, commerce, make_client, make_contract, make_event, folder, name
):
    client = make_client(commerce, full_name=name, company_name="=1+1")
    make_event(make_contract(client, signed=True), location="@evil")
    for export, file_name in [
        (exports.export_clients, "clients.csv"),
        (exports.export_contracts, "contracts.csv"),
        (exports.export_events, "events.csv"),
    ]:
        path = folder / file_name
        assert export(uow_factory(), gestion, ListQuery(), path) == 1
        [row] = read_csv(path)
        assert row.get("Name", row.get("Client")) == "'" + name
        assert row["Company"] == "'=1+1"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells = [cell for line in csv.reader(handle) for cell in line]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert read_csv(folder / "events.csv")[0]["Location"] == "'@evil"


# -- rights ----------------------------------------------------------------------------------


REFUSALS = [
    (
        "support_1",
        exports.export_contracts,
        {"unsigned": True},
        "Only commerce may filter unsigned",
    ),
    ("gestion", exports.export_contracts, {"unpaid": True}, "Only commerce may filter contracts"),
    ("gestion", exports.export_clients, {"mine": True}, "Only commerce may filter my clients"),
    ("seller_a", exports.export_events, {"without_support": True}, "Only gestion may filter"),
    ("support_2", exports.export_events, {"without_support": True}, "Only gestion may filter"),
    ("gestion", exports.export_events, {"mine": True}, "Only support may filter my events"),
    ("seller_a", exports.export_collaborators, {}, "Only gestion may list collaborators"),
    ("support_1", exports.export_collaborators, {}, "Only gestion may list collaborators"),
]


@pytest.mark.parametrize(("who", "export", "filters", "message"), REFUSALS)
def test_an_export_the_list_would_refuse_is_refused_and_writes_nothing(
    uow_factory, world, folder, connection, who, export, filters, message
):
    before = snapshot(connection)
    with pytest.raises(PermissionDenied, match=message):
        export(uow_factory(), world.user(who), ListQuery(), folder / "out.csv", **filters)
    assert os.listdir(folder) == []
    assert snapshot(connection) == before


def test_a_refused_export_leaves_an_existing_file_as_it_was(uow_factory, world, folder):
    path = folder / "contracts.csv"
    path.write_text("last week's export\n")
    with pytest.raises(PermissionDenied):
        exports.export_contracts(uow_factory(), world.support_1, ListQuery(), path, unsigned=True)
    assert path.read_text() == "last week's export\n"
    assert os.listdir(folder) == ["contracts.csv"]


def test_a_session_that_ended_cannot_export(uow_factory, world, folder):
    expired = dataclasses.replace(world.gestion, token_version=world.gestion.token_version + 1)
    with pytest.raises(SessionExpired):
        exports.export_clients(uow_factory(), expired, ListQuery(), folder / "clients.csv")
    assert os.listdir(folder) == []


def test_a_missing_folder_is_refused_before_anything_is_read(uow_factory, world, folder):
    seen = []
    with pytest.raises(ValidationError, match="does not exist"):
        exports.export_events(
            uow_factory(),
            world.gestion,
            ListQuery(),
            folder / "missing" / "events.csv",
            progress=lambda done, total: seen.append(done),
        )
    assert seen == []


def test_an_unknown_department_is_refused_for_collaborators(uow_factory, world, folder):
    with pytest.raises(ValidationError):
        exports.export_collaborators(
            uow_factory(), world.gestion, ListQuery(), folder / "c.csv", department="sales"
        )
    assert os.listdir(folder) == []


# -- progress and memory ---------------------------------------------------------------------


@pytest.fixture
def many_events(session, connection, commerce, support, make_client, make_contract):
    """5 000 events on one contract, a third without support, inserted in one statement."""

    def make(count: int = 5000) -> int:
        contract = make_contract(make_client(commerce, full_name="Big Corp"), signed=True)
        session.flush()
        connection.execute(
            text(
                "INSERT INTO events (contract_id, name, start_at, end_at, location, attendees,"
                " notes, support_contact_id)"
                " SELECT :contract, 'Seminar ' || g, :start + g * interval '1 hour',"
                " :start + g * interval '1 hour' + interval '3 hours',"
                " '53 Rue du Château, 41120 Candé-sur-Beuvron, France', g % 300,"
                " repeat('Catering, DJ and a long note. ', 8),"
                " CASE WHEN g % 3 = 0 THEN NULL ELSE :support END"
                " FROM generate_series(1, :count) AS g"
            ),
            {"contract": contract.id, "start": NOW, "support": support.id, "count": count},
        )
        return count

    return make


def test_progress_is_given_the_total_first_then_every_thousand_rows(
    uow_factory, gestion, folder, many_events
):
    total = many_events(2500)
    calls = []
    written = exports.export_events(
        uow_factory(),
        gestion,
        ListQuery(),
        folder / "events.csv",
        progress=lambda done, of: calls.append((done, of)),
    )
    assert written == total
    assert calls == [(0, total), (1000, total), (2000, total), (total, total)]


def test_exporting_5000_events_streams_them_in_flat_memory(
    uow_factory, gestion, folder, many_events, session
):
    total = many_events(5000)
    path = folder / "events.csv"
    query = ListQuery(sort="name")
    exports.export_events(uow_factory(), gestion, query, path)  # warm caches up, untraced
    tracemalloc.start()
    try:
        written = exports.export_events(uow_factory(), gestion, query, path)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        held = session.scalars(EventManager(session).listing().ordered(query)).all()
        _, held_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == len(held) == total
    assert len(read_csv(path)) == total
    assert path.stat().st_size > 2_000_000
    # One batch of 1 000 rows at a time (two at a batch's edge), whatever the total.
    assert streamed_peak < 8 * 1024 * 1024
    assert streamed_peak < held_peak / 2
