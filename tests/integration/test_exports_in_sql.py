"""Exports written by PostgreSQL (COPY … CSV) are byte for byte the files Python writes from
the ORM rows, on data made to break them, in zones with daylight saving time."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Integer, Text, column, func, literal, select, text, values

from epic_events.controllers import clients, collaborators, contracts, events, exports
from epic_events.controllers.auth import CurrentUser
from epic_events.errors import EpicEventsError, PermissionDenied
from epic_events.exporting import local_zone_samples, neutralise
from epic_events.managers.events import EventManager
from epic_events.managers.exports import ExportColumns, ExportManager, csv_cell
from epic_events.models import Event
from epic_events.paging import ListQuery

FORMULAS = ['=HYPERLINK("http://evil")', "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"]
# Each column of text, in turn, holds each formula start, quotes, separators and breaks.
HOSTILE = [
    *FORMULAS,
    'Chloé "Zoé" Durand, Jr.',
    "Line one\nline two",
    "Carriage\r\nreturn",
    "100% _real_ Corp",
    "O'Brien \\ Ltd; DROP TABLE clients; --",
    "Château-sur-Loire",
    "'already quoted",
    " leading space",
]
# Either side of both 2030 clock changes in Paris (31 March and 27 October, at 01:00 UTC).
DST_EDGES = [
    datetime(2030, 3, 31, 0, 59, tzinfo=UTC),
    datetime(2030, 3, 31, 1, 0, tzinfo=UTC),
    datetime(2030, 10, 27, 0, 30, tzinfo=UTC),
    datetime(2030, 10, 27, 1, 30, tzinfo=UTC),
    datetime(2031, 1, 15, 23, 45, 59, 999999, tzinfo=UTC),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of its own (tmp_path also holds the test's home folder)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@dataclass
class Cast:
    gestion: CurrentUser
    seller: CurrentUser
    helper: CurrentUser


@pytest.fixture
def local_zone(monkeypatch):
    """Set the process's local time zone (TZ) for the test, as a user's machine has it."""

    def use(name: str | None) -> None:
        if name is not None:
            monkeypatch.setenv("TZ", name)
            time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def hostile(user_of, make_client, make_contract, make_event) -> Cast:
    """Clients, contracts and events whose every text column holds each hostile value."""
    gestion = user_of("gestion")
    seller = user_of("commerce", name='=Seller, "Bill"', phone="+33 6 12 34 56 78")
    helper = user_of("support", name="@Kate\nHastroff", phone="-")
    user_of("support", name="Zoé Château", email="-zoe@example.com")
    for n, value in enumerate(HOSTILE):
        client = make_client(
            seller,
            full_name=value,
            company_name=HOSTILE[(n + 1) % len(HOSTILE)],
            email=f"{value[:20].lower()}-{n}@example.com",
            phone=HOSTILE[(n + 2) % len(HOSTILE)][:32],
            archived_at=datetime(2030, 1, 1, tzinfo=UTC) if n % 5 == 4 else None,
        )
        contract = make_contract(
            client,
            total=["0.00", "1500.5", "1234567.05", "9999999999.99"][n % 4],
            due="0.00" if n % 3 else None,
            signed=bool(n % 2),
            archived_at=datetime(2030, 1, 2, tzinfo=UTC) if n % 7 == 6 else None,
        )
        start = DST_EDGES[n % len(DST_EDGES)] + timedelta(days=n // len(DST_EDGES) * 91)
        make_event(
            contract,
            support=helper if n % 3 else None,
            start=start,
            end_at=start + timedelta(minutes=1 + 97 * n),
            name=value,
            location=HOSTILE[(n + 3) % len(HOSTILE)],
            notes=["", value, f"{value}\n\n{HOSTILE[(n + 4) % len(HOSTILE)]}"][n % 3],
            attendees=n * 11,
            archived_at=datetime(2030, 1, 3, tzinfo=UTC) if n % 4 == 3 else None,
        )
    return Cast(gestion, seller, helper)


def both_ways(export, folder: Path, monkeypatch, *args, **kwargs) -> tuple[bytes, bytes]:
    """The file written through PostgreSQL, and the one Python writes from the ORM rows."""
    through_sql, through_python = folder / "sql.csv", folder / "python.csv"
    copies = []
    copy_csv = ExportManager.copy_csv

    def counted(manager, *copied):
        copies.append(copied)
        return copy_csv(manager, *copied)

    with monkeypatch.context() as patch:
        patch.setattr(ExportManager, "copy_csv", counted)
        export(*args, through_sql, **kwargs)
    assert len(copies) == 1  # PostgreSQL wrote it
    with monkeypatch.context() as patch:
        patch.setattr(exports, "local_zone_names", lambda: [])  # no zone: the Python way
        export(*args, through_python, **kwargs)
    return through_sql.read_bytes(), through_python.read_bytes()


QUERIES = [
    ListQuery(),
    ListQuery(include_archived=True, descending=True),
    ListQuery(search="% _"),
    ListQuery(search="_", include_archived=True),
    ListQuery(search="o'brien \\", include_archived=True),
    ListQuery(search="LINE", descending=True),
    ListQuery(search="zoé"),
]


@pytest.mark.parametrize("zone", [None, "Europe/Paris", "America/St_Johns", "Asia/Kathmandu"])
def test_every_list_exported_through_postgresql_is_the_file_python_writes(
    uow_factory, hostile, folder, monkeypatch, local_zone, zone
):
    local_zone(zone)
    cases = [
        (exports.export_clients, hostile.gestion, {}),
        (exports.export_clients, hostile.seller, {"mine": True}),
        (exports.export_contracts, hostile.seller, {"unsigned": True}),
        (exports.export_contracts, hostile.seller, {"unpaid": True}),
        (exports.export_contracts, hostile.helper, {}),
        (exports.export_events, hostile.gestion, {"without_support": True}),
        (exports.export_events, hostile.helper, {"mine": True}),
        (exports.export_events, hostile.seller, {}),
    ]
    sizes = []
    for export, user, filters in cases:
        for query in QUERIES:
            written, expected = both_ways(
                export, folder, monkeypatch, uow_factory(), user, query, **filters
            )
            assert written == expected, (export.__name__, filters, query)
            sizes.append(expected.count(b"\r\n"))
    assert min(sizes) == 1  # a search that matches nothing: the header alone
    assert max(sizes) > len(HOSTILE)  # archived rows too, notes over several lines


@pytest.mark.parametrize("sort", ["name", "company", "email", "created", "updated"])
def test_clients_in_every_order_are_the_file_python_writes(
    uow_factory, hostile, folder, monkeypatch, sort
):
    for descending in (False, True):
        query = ListQuery(sort=sort, descending=descending, include_archived=True)
        written, expected = both_ways(
            exports.export_clients, folder, monkeypatch, uow_factory(), hostile.gestion, query
        )
        assert written == expected


@pytest.mark.parametrize(
    ("export", "sorts"),
    [
        (exports.export_contracts, ["id", "total", "due", "created", "signed"]),
        (exports.export_events, ["start", "name", "attendees", "id"]),
    ],
)
def test_contracts_and_events_in_every_order_are_the_file_python_writes(
    uow_factory, hostile, folder, monkeypatch, local_zone, export, sorts
):
    local_zone("Europe/Paris")
    for sort in sorts:
        query = ListQuery(sort=sort, descending=sort != "id", search="o")
        written, expected = both_ways(
            export, folder, monkeypatch, uow_factory(), hostile.gestion, query
        )
        assert written == expected, sort


@pytest.mark.parametrize("department", [None, "support", "commerce"])
@pytest.mark.parametrize("search", [None, "=seller", "  zoé ", "% _"])
def test_collaborators_exported_through_postgresql_are_the_file_python_writes(
    uow_factory, hostile, folder, monkeypatch, department, search
):
    written, expected = both_ways(
        exports.export_collaborators,
        folder,
        monkeypatch,
        uow_factory(),
        hostile.gestion,
        ListQuery(search=search),
        department=department,
    )
    assert written == expected


def test_dates_either_side_of_a_clock_change_are_written_in_local_time(
    uow_factory, hostile, folder, local_zone
):
    local_zone("Europe/Paris")
    path = folder / "events.csv"
    exports.export_events(uow_factory(), hostile.gestion, ListQuery(include_archived=True), path)
    text = path.read_text(encoding="utf-8-sig")
    # 00:59 UTC is 01:59 in winter time; 01:00 UTC is 03:00 in summer time, the same night.
    for local in ["2030-03-31 01:59", "2030-03-31 03:00", "2030-10-27 02:30", "2031-01-16 00:45"]:
        assert f",{local}," in text
    # 00:30 and 01:30 UTC on 27 October are both 02:30 in Paris: summer, then winter time.
    assert text.count(",2030-10-27 02:30,") == 2


def test_a_search_with_wildcards_and_quotes_finds_only_what_it_says(uow_factory, hostile, folder):
    path = folder / "clients.csv"

    def names(search: str) -> set[str]:
        query = ListQuery(search=search, include_archived=True)
        exports.export_clients(uow_factory(), hostile.gestion, query, path)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {row["Name"] for row in csv.DictReader(handle)}

    # In a name or an email for one client, in the company for the other.
    assert names("% _") == {"100% _real_ Corp", "Carriage\r\nreturn"}
    assert names("o'brien \\") == {"O'Brien \\ Ltd; DROP TABLE clients; --", "100% _real_ Corp"}


@pytest.mark.parametrize("value", [*HOSTILE, "", "'", "=", "\t", "  =1", "é=1", "x\n=1", None])
def test_a_cell_read_or_computed_is_guarded_in_sql_as_python_guards_it(session, value):
    """A text column is guarded by one expression, a computed cell by another: both agree
    with exporting.neutralise, and an empty cell is NULL (COPY writes it unquoted)."""
    cells = values(column("cell", Text), name="cells").data([(value,)])
    read, computed = cells.c.cell, cells.c.cell + literal("", Text)
    expected = neutralise(value) if value else None
    assert session.execute(select(csv_cell(read), csv_cell(computed))).one() == (
        expected,
        expected,
    )


@pytest.mark.parametrize("number", [-1, 0, 42])
def test_a_number_is_guarded_too(session, number):
    assert session.scalar(select(csv_cell(literal(number, Integer)))) == neutralise(str(number))


# -- the zone PostgreSQL formats dates in ------------------------------------------------------


def test_the_first_zone_that_agrees_with_python_is_used_unknown_names_skipped(
    uow_factory, gestion, local_zone
):
    local_zone("Europe/Paris")
    with uow_factory() as uow:
        names = ["No/Such_Zone", "America/New_York", "Europe/Paris", "Europe/Berlin"]
        assert uow.exports.use_local_time_zone(names, local_zone_samples()) == "Europe/Paris"
        assert uow.session.scalar(func.current_setting("TimeZone").select()) == "Europe/Paris"


def test_no_zone_is_used_when_none_agrees_and_the_transaction_goes_on(
    uow_factory, gestion, local_zone
):
    local_zone("America/St_Johns")
    with uow_factory() as uow:
        before = uow.session.scalar(func.current_setting("TimeZone").select())
        names = ["UTC", "No/Such_Zone", "America/Halifax"]
        assert uow.exports.use_local_time_zone(names, local_zone_samples()) is None
        assert uow.session.scalar(func.current_setting("TimeZone").select()) == before


def test_without_a_zone_postgresql_knows_the_export_is_written_by_python_all_the_same(
    uow_factory, hostile, folder, monkeypatch, local_zone
):
    local_zone("Europe/Paris")
    monkeypatch.setattr(exports, "local_zone_names", lambda: ["America/New_York"])
    path = folder / "events.csv"
    exports.export_events(uow_factory(), hostile.gestion, ListQuery(), path)
    assert ",2030-03-31 03:00," in path.read_text(encoding="utf-8-sig")


# -- the same transaction, the same refusals -------------------------------------------------


def test_postgresql_reads_as_the_unit_of_works_actor_in_its_transaction(
    uow_factory, hostile, folder, monkeypatch
):
    def with_actor(manager) -> ExportColumns:
        return ExportColumns([func.current_collaborator_id()])

    monkeypatch.setattr(EventManager, "export_columns", with_actor)
    path = folder / "events.csv"
    written = exports.export_events(uow_factory(), hostile.helper, ListQuery(), path, mine=True)
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    assert written > 0
    assert set(rows[1:]) == {str(hostile.helper.id)}


LIST_AND_EXPORT = [
    ("helper", contracts.list_contracts, exports.export_contracts, {"unsigned": True}),
    ("gestion", contracts.list_contracts, exports.export_contracts, {"unpaid": True}),
    ("gestion", clients.list_clients, exports.export_clients, {"mine": True}),
    ("seller", events.list_events, exports.export_events, {"without_support": True}),
    ("helper", events.list_events, exports.export_events, {"without_support": True}),
    ("gestion", events.list_events, exports.export_events, {"mine": True}),
    ("seller", collaborators.list_collaborators, exports.export_collaborators, {}),
    ("helper", collaborators.list_collaborators, exports.export_collaborators, {}),
]


@pytest.mark.parametrize(("who", "list_rows", "export", "filters"), LIST_AND_EXPORT)
def test_an_export_refuses_what_its_list_refuses_with_the_same_words(
    uow_factory, hostile, folder, who, list_rows, export, filters
):
    user = getattr(hostile, who)
    with pytest.raises(PermissionDenied) as listed:
        list_rows(uow_factory(), user, ListQuery(), **filters)
    with pytest.raises(PermissionDenied) as exported:
        export(uow_factory(), user, ListQuery(), folder / "out.csv", **filters)
    assert str(exported.value) == str(listed.value)
    assert list(folder.iterdir()) == []


# -- failures midway -------------------------------------------------------------------------


def test_an_interrupted_export_leaves_no_file_and_the_connection_usable(
    uow_factory, gestion, commerce, folder, connection, make_client, make_contract
):
    contract = make_contract(make_client(commerce), signed=True)
    connection.execute(
        text(
            "INSERT INTO events (contract_id, name, start_at, end_at, location)"
            " SELECT :contract, 'Seminar ' || g, now(), now() + interval '1 hour', 'Blois'"
            " FROM generate_series(1, 1500) AS g"
        ),
        {"contract": contract.id},
    )

    def interrupt(done: int, total: int) -> None:
        if done == 1000:
            raise KeyboardInterrupt

    path = folder / "events.csv"
    with pytest.raises(KeyboardInterrupt):
        exports.export_events(uow_factory(), gestion, ListQuery(), path, progress=interrupt)
    assert list(folder.iterdir()) == []
    assert exports.export_events(uow_factory(), gestion, ListQuery(), path) == 1500


def test_a_database_error_during_the_copy_is_a_domain_error_and_writes_nothing(
    uow_factory, hostile, folder, monkeypatch
):
    def failing(manager) -> ExportColumns:
        return ExportColumns([func.sqrt(Event.attendees - 1_000_000)])

    monkeypatch.setattr(EventManager, "export_columns", failing)
    with pytest.raises(EpicEventsError):
        exports.export_events(uow_factory(), hostile.gestion, ListQuery(), folder / "e.csv")
    assert list(folder.iterdir()) == []
