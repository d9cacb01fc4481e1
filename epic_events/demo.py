"""Demo data at scale: a realistic company loaded with COPY, for trying and benchmarking.

Demo collaborators have emails at DEMO_DOMAIN; every demo client, contract and event hangs
off them. A second run finds them and does nothing: demo data is never duplicated, and data
that is not demo data is never read or changed.
"""

from __future__ import annotations

import io
import random
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.engine import Engine

from epic_events.auth import passwords

DEMO_DOMAIN = "demo.epicevents.example"
FIRST = (
    "Alice Bruno Chloé David Emma Farid Gaël Hugo Inès Jules Karim Léa Manon Nina Omar Paul "
    "Quentin Rose Sami Théo Ugo Victor Wendy Xavier Yasmine Zoé Kevin John Kate Bill Anna Louis"
).split()
LAST = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier "
    "Casey Ouick Boquet Hastroff Blanc Guerin Faure Rousseau Henry Perrin Morin Mathieu"
).split()
ADJECTIVES = "Cool Bright Blue Green Quantum Rapid Smart Happy Bold Agile Solar Urban".split()
NOUNS = "Startup Labs Works Foods Motion Cloud Data Studio Events Health Energy Games".split()
SUFFIXES = ("LLC", "SAS", "SARL", "Inc", "Ltd", "GmbH")
EVENT_KINDS = "Wedding Launch Party Seminar Gala Offsite Conference Birthday Hackathon".split()
CITIES = (
    "Paris Lyon Marseille Bordeaux Lille Nantes Toulouse Nice Candé-sur-Beuvron Annecy Rennes"
).split()
STREETS = (
    "Rue du Château",
    "Avenue des Fleurs",
    "Quai de la Loire",
    "Place du Marché",
    "Rue Victor Hugo",
)


STAFF_COLUMNS = "id, name, email, phone, department_id, password_hash, token_version"
CLIENT_COLUMNS = (
    "id, full_name, email, phone, company_name, commercial_contact_id, created_at, updated_at"
)
CONTRACT_COLUMNS = (
    "id, client_id, commercial_contact_id, total_amount, amount_due, signed, created_at, "
    "updated_at, signed_at"
)
EVENT_COLUMNS = (
    "id, name, contract_id, support_contact_id, start_at, end_at, location, attendees, notes, "
    "created_at, updated_at"
)


@dataclass(frozen=True)
class DemoSize:
    commerce: int = 20
    support: int = 10
    clients: int = 100_000
    contracts: int = 300_000
    events: int = 1_000_000


@dataclass(frozen=True)
class DemoReport:
    created: bool
    size: DemoSize
    password: str | None = None
    seconds: float = 0.0


Progress = Callable[[str, int, int], None]  # (table, rows done, rows in all)


class CopyStream(io.TextIOBase):
    """A file-like reader over generated CSV lines, so COPY streams with flat memory."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buffer) < size:
            chunk = "".join(line for _, line in zip(range(2000), self._lines, strict=False))
            if not chunk:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, ""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    readline = read


def csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def demo_present(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(
                text("SELECT 1 FROM collaborators WHERE email LIKE :pattern LIMIT 1"),
                {"pattern": f"%@{DEMO_DOMAIN}"},
            )
        )


def seed_demo(
    engine: Engine,
    size: DemoSize = DemoSize(),
    progress: Progress | None = None,
    seed: int = 20261123,
) -> DemoReport:
    """Load the demo company in one transaction (all or nothing)."""
    started = datetime.now(UTC)
    if demo_present(engine):
        return DemoReport(created=False, size=size)
    progress = progress or (lambda table, done, total: None)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    password = secrets.token_urlsafe(12)
    password_hash = passwords.hash_password(password)
    now = datetime.now(UTC).replace(microsecond=0)

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _fast_session(cursor)
        cursor.execute(
            "LOCK TABLE collaborators, clients, contracts, events IN SHARE ROW EXCLUSIVE MODE"
        )
        ids = {
            table: _next_id(cursor, table)
            for table in ("collaborators", "clients", "contracts", "events")
        }
        departments = dict(_rows(cursor, "SELECT name, id FROM departments"))
        # Maintaining 13 indexes row by row costs far more than building them once after.
        rebuild = _drop_secondary_indexes(
            cursor, ("clients", "contracts", "events", "client_search", "event_search")
        )
        sellers, helpers = _copy_staff(cursor, ids, size, departments, password_hash, progress)
        _copy(
            cursor,
            "clients",
            size.clients,
            progress,
            CLIENT_COLUMNS,
            _clients(rng, ids["clients"], size.clients, sellers, now),
        )
        signed: list[int] = []
        _copy(
            cursor,
            "contracts",
            size.contracts,
            progress,
            CONTRACT_COLUMNS,
            _contracts(rng, ids["contracts"], ids["clients"], size, sellers, now, signed),
        )
        _copy(
            cursor,
            "events",
            size.events,
            progress,
            EVENT_COLUMNS,
            _events(rng, ids["events"], size.events, signed, helpers, now),
        )
        # COPY ran without triggers when the admin may skip them: the search documents of the
        # new events are written in one statement (none is written twice).
        cursor.execute(
            "SELECT fill_client_search(%s), fill_event_search(%s)",
            (ids["clients"], ids["events"]),
        )
        for number, definition in enumerate(rebuild, start=1):
            progress("indexes", number, len(rebuild))
            cursor.execute(definition)
        for table in ("collaborators", "clients", "contracts", "events"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - constant
                f"(SELECT max(id) FROM {table}))"
            )
        raw.commit()
        # What autovacuum would do within minutes of such a load, done at once: statistics
        # for the planner and the visibility map, without which an index-only scan (the
        # commerce dashboard's count of its clients' upcoming events) reads the rows too.
        raw.driver_connection.autocommit = True  # VACUUM runs outside a transaction
        try:
            cursor.execute(
                "VACUUM (ANALYZE) clients, contracts, events, client_search, event_search, "
                "collaborators"
            )
        finally:
            raw.driver_connection.autocommit = False
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    seconds = (datetime.now(UTC) - started).total_seconds()
    return DemoReport(created=True, size=size, password=password, seconds=seconds)


def _fast_session(cursor) -> None:
    """Bulk-load settings for this transaction only; skip FK triggers when allowed to.

    The ids are generated consistent, and the database still checks NOT NULL and CHECK.
    """
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


def _drop_secondary_indexes(cursor, tables: tuple[str, ...]) -> list[str]:
    """Drop the indexes that back no constraint; return the statements that rebuild them."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        (list(tables),),
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _rows(cursor, sql: str) -> list[tuple]:
    cursor.execute(sql)
    return cursor.fetchall()


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - constant
    return cursor.fetchone()[0]


def _copy(cursor, table, total, progress, columns, lines) -> None:
    done = [0]

    def counted():
        for line in lines:
            done[0] += 1
            if done[0] % 50_000 == 0:
                progress(table, done[0], total)
            yield line

    cursor.copy_expert(
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", CopyStream(counted())
    )
    progress(table, total, total)


def _copy_staff(cursor, ids, size, departments, password_hash, progress):
    first_id = ids["collaborators"]
    lines = list(_staff(first_id, size, departments, password_hash))
    _copy(cursor, "collaborators", len(lines), progress, STAFF_COLUMNS, iter(lines))
    sellers = list(range(first_id, first_id + size.commerce))
    helpers = list(range(first_id + size.commerce, first_id + len(lines)))
    return sellers, helpers


def _staff(first_id, size, departments, password_hash) -> Iterator[str]:
    """The demo collaborators as CSV lines: commerce first, then support."""
    staff = [("commerce", n) for n in range(size.commerce)] + [
        ("support", n) for n in range(size.support)
    ]
    for offset, (department, number) in enumerate(staff):
        name = f"{FIRST[offset % len(FIRST)]} {LAST[(offset * 7) % len(LAST)]}"
        email = f"{department}{number + 1}@{DEMO_DOMAIN}"
        yield (
            f"{first_id + offset},{csv_field(name)},{email},+33 6 00 00 {offset // 100:02d} "
            f"{offset % 100:02d},{departments[department]},{csv_field(password_hash)},0\n"
        )


def ascii_fold(text: str) -> str:
    """`Chloé` -> `Chloe`: emails are plain ASCII, names keep their accents."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


class Clock:
    """Timestamps as text, cached by day: formatting a million datetimes is the slow part."""

    def __init__(self, now: datetime):
        self.midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self._days: dict[int, str] = {}

    def at(self, day: int, hour: int = 0, minute: int = 0) -> str:
        """`day` days from today (negative: past), at hour:minute, UTC."""
        day, hour = day + hour // 24, hour % 24
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = (self.midnight + timedelta(days=day)).strftime("%Y-%m-%d")
        return f"{text} {hour:02d}:{minute:02d}:00+00"


def _batches(count: int, size: int = 50_000) -> Iterator[tuple[int, int]]:
    for start in range(0, count, size):
        yield start, min(size, count - start)


def _clients(rng, first_id, count, sellers, now) -> Iterator[str]:
    clock = Clock(now)
    people = [
        csv_field(f"{first} {last}") + "," + ascii_fold(f"{first}.{last}").lower()
        for first in FIRST
        for last in LAST
    ]
    companies = [
        (csv_field(f"{a} {n} {s}"), f"{a}-{n}-{s}".lower())
        for a in ADJECTIVES
        for n in NOUNS
        for s in SUFFIXES
    ]
    for start, size in _batches(count):
        who = rng.choices(people, k=size)
        where = rng.choices(companies, k=size)
        age = rng.choices(range(1, 3 * 365), k=size)
        touched = rng.choices(range(0, 365), k=size)
        minutes = rng.choices(range(0, 24 * 60), k=size)
        phones = rng.choices(range(10_000_000, 99_999_999), k=size)
        for i in range(size):
            client_id = first_id + start + i
            name, local = who[i].rsplit(",", 1)
            company, domain = where[i]
            created = clock.at(-age[i], minutes[i] // 60, minutes[i] % 60)
            updated = clock.at(-age[i] + min(touched[i], age[i] - 1), minutes[i] // 60)
            yield (
                f"{client_id},{name},{local}.{client_id}@{domain}.example,"
                f"+33 6 {phones[i]},{company},{sellers[client_id % len(sellers)]},"
                f"{created},{updated}\n"
            )


def _contracts(rng, first_id, first_client, size, sellers, now, signed) -> Iterator[str]:
    """The demo contracts as CSV lines; the ids of the signed ones are appended to `signed`."""
    for offset in range(size.contracts):
        contract_id = first_id + offset
        client_id = first_client + offset % size.clients
        total = Decimal(rng.randint(500_00, 50_000_00)) / 100
        paid = rng.random() < 0.4
        due = (
            Decimal(0)
            if paid
            else (total * Decimal(rng.randint(1, 100)) / 100).quantize(Decimal("0.01"))
        )
        is_signed = paid or rng.random() < 0.6
        if is_signed:
            signed.append(contract_id)
        created = now - timedelta(days=rng.randint(0, 2 * 365))
        yield (
            f"{contract_id},{client_id},{sellers[client_id % len(sellers)]},{total},{due},"
            f"{'t' if is_signed else 'f'},{created.isoformat()},{created.isoformat()},"
            f"{created.isoformat() if is_signed else ''}\n"
        )


def _events(rng, first_id, count, signed, helpers, now) -> Iterator[str]:
    clock = Clock(now)
    names = [csv_field(f"{last} {kind}") for last in LAST for kind in EVENT_KINDS]
    places = [
        csv_field(f"{number} {street}, {city}")
        for number in range(1, 60)
        for street in STREETS
        for city in CITIES
    ]
    supports = ["", *[str(h) for h in helpers]]
    weights = [0.15 * len(helpers), *[0.85] * len(helpers)]  # 15% without support
    for start, size in _batches(count):
        day = rng.choices(range(-730, 366), k=size)
        hour = rng.choices(range(8, 21), k=size)
        length = rng.choices(range(2, 31), k=size)
        who = rng.choices(supports, weights=weights, k=size)
        what = rng.choices(names, k=size)
        where = rng.choices(places, k=size)
        attendees = rng.choices(range(0, 501), k=size)
        stamp = clock.at(0)
        for i in range(size):
            event_id = first_id + start + i
            yield (
                f"{event_id},{what[i]},{signed[(start + i) % len(signed)]},{who[i]},"
                f"{clock.at(day[i], hour[i])},{clock.at(day[i], hour[i] + length[i])},"
                f'{where[i]},{attendees[i]},"",{stamp},{stamp}\n'
            )
