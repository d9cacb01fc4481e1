"""Every change a user can make, run as the program runs it (the controller call a form
ends with), on records the benchmark creates for the purpose. They carry reads.RARE, so
searches have a rare word to find; and the history the demo data lacks is written first."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from benchmarks.reads import Op, Staff, render
from epic_events.controllers import archive, clients, collaborators, contracts, events
from epic_events.paging import Page
from epic_events.views.renderers import render_clients

PHONES = ("+33 6 22 22 22 22", "+33 6 11 11 11 11")  # a change, then back
TOTAL, DUE = "1000.00", ("400.00", "1000.00")
ATTENDEES = (40, 30)

# Demo data has no history: each record gets the row its creation would have written (and
# each signed contract its signature's), as the program writes them, so that the history
# screens are read at scale. Contracts are created by gestion (the super user), signed by
# their commercial; clients and events are created by the client's commercial.
HISTORY = [
    """
    INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, changes)
    SELECT c.created_at, u.id, u.name, 'create', 'client', c.id, json_build_object(
        'full_name', json_build_array(NULL, c.full_name),
        'email', json_build_array(NULL, c.email),
        'phone', json_build_array(NULL, c.phone),
        'company_name', json_build_array(NULL, c.company_name))
    FROM clients c JOIN collaborators u ON u.id = c.commercial_contact_id
    """,
    """
    INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, changes)
    SELECT k.created_at, a.id, a.name, 'create', 'contract', k.id, json_build_object(
        'total_amount', json_build_array(NULL, k.total_amount::text),
        'amount_due', json_build_array(NULL, k.total_amount::text),
        'signed', json_build_array(NULL, 'False'))
    FROM contracts k, (SELECT id, name FROM collaborators ORDER BY id LIMIT 1) a
    """,
    """
    INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, changes)
    SELECT k.signed_at, u.id, u.name, 'sign', 'contract', k.id,
           json_build_object('signed', json_build_array('False', 'True'))
    FROM contracts k JOIN collaborators u ON u.id = k.commercial_contact_id
    WHERE k.signed
    """,
    """
    INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, changes)
    SELECT e.created_at, u.id, u.name, 'create', 'event', e.id, json_build_object(
        'name', json_build_array(NULL, e.name),
        'start_at', json_build_array(NULL, e.start_at::text),
        'end_at', json_build_array(NULL, e.end_at::text),
        'location', json_build_array(NULL, e.location),
        'attendees', json_build_array(NULL, e.attendees::text),
        'notes', json_build_array(NULL, e.notes))
    FROM events e JOIN contracts k ON k.id = e.contract_id
    JOIN collaborators u ON u.id = k.commercial_contact_id
    """,
]


def seed_history(admin_url: str) -> int:
    """Write the demo records' history (as the database's administrator); return its rows.

    Its indexes are built once after, as demo.py does, rather than row by row."""
    engine = create_engine(admin_url)
    with engine.begin() as conn:
        if conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        indexes = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = 'audit_log' AND indexname <> 'pk_audit_log'"
            )
        ).all()
        for name, _ in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        for statement in HISTORY:
            conn.execute(text(statement))
        conn.execute(text("SELECT fill_audit_kinds()"))  # what the triggers would have noted
        for _, definition in indexes:
            conn.execute(text(definition))
    with engine.connect() as conn:
        # as autovacuum leaves a table a million rows were added to: analysed, and its
        # visibility map set (index-only scans)
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM (ANALYZE) audit_log")
        )
        rows = conn.scalar(text("SELECT count(*) FROM audit_log"))
    engine.dispose()
    return rows


def new_client(tag: str) -> dict:
    return {
        "full_name": "Zéphyrin Quaglio",
        "email": f"zephyrin.quaglio.{tag}@zanzibar-kites.example",
        "phone": PHONES[1],
        "company_name": "Zanzibar Kites SARL",
    }


def new_event(contract_id: int) -> dict:
    start = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    return {
        "contract_id": contract_id,
        "name": "Zanzibar Kite Festival",
        "start_at": start,
        "end_at": start + timedelta(hours=6),
        "location": "Plage de l'Écluse, Dinard",
        "attendees": ATTENDEES[1],
        "notes": "Kites at noon.",
    }


@dataclass(frozen=True)
class Pool:
    """What the changes act on: clients of the seller, each with a signed and an unsigned
    contract and an event (on the signed one) supported by the helper."""

    clients: list[int]
    signed: list[int]
    unsigned: list[int]
    events: list[int]


def prepare(uow, staff: Staff, size: int) -> Pool:
    pool = Pool([], [], [], [])
    for n in range(size):
        client = clients.create_client(uow(), staff.seller, **new_client(f"pool{n}"))
        signed = contracts.create_contract(
            uow(), staff.boss, client_id=client.id, total_amount=TOTAL
        )
        contracts.sign_contract(uow(), staff.boss, signed.id)
        unsigned = contracts.create_contract(
            uow(), staff.boss, client_id=client.id, total_amount=TOTAL
        )
        event = events.create_event(uow(), staff.seller, **new_event(signed.id))
        events.assign_support(uow(), staff.boss, event.id, staff.helper.id)
        pool.clients.append(client.id)
        pool.signed.append(signed.id)
        pool.unsigned.append(unsigned.id)
        pool.events.append(event.id)
    return pool


def turns(change: Callable[[int], object]) -> Op:
    """An operation that is another change each time it runs: `change(0)`, `change(1)`…"""
    counter = itertools.count()
    return lambda: change(next(counter))


def duplicate_check(uow, staff: Staff) -> None:
    """What the new-client form asks before creating: is this client already known?"""
    same = clients.find_duplicates(
        uow(),
        staff.seller,
        email="alice.martin@cool-startup-sas.example",
        full_name="Alice Martin",
        company_name="Cool Startup SAS",
    )
    if same:
        render(render_clients(Page(items=same, number=1, size=len(same), total=len(same))))


def write_ops(uow, staff: Staff, pool: Pool, authenticator, password: str) -> dict[str, Op]:
    """In the order they run: each leaves the pool as the next one expects it, whatever the
    number of runs (toggles go back and forth, archiving is undone after)."""
    boss, seller, helper = staff.boss, staff.seller, staff.helper
    sellers, helpers = (staff.seller2, staff.seller), (staff.helper2, staff.helper)
    return {
        "client_create_duplicate_check": lambda: duplicate_check(uow, staff),
        "client_create": turns(
            lambda n: clients.create_client(uow(), seller, **new_client(f"new{n}"))
        ),
        "client_update": turns(
            lambda n: clients.update_client(uow(), seller, pool.clients[0], phone=PHONES[n % 2])
        ),
        "client_reassign": turns(
            lambda n: clients.reassign_client(uow(), boss, pool.clients[1], sellers[n % 2].id)
        ),
        "contract_create": turns(
            lambda n: contracts.create_contract(
                uow(), boss, client_id=pool.clients[0], total_amount=TOTAL
            )
        ),
        "contract_update": turns(
            lambda n: contracts.update_contract(
                uow(), seller, pool.signed[0], amount_due=DUE[n % 2]
            )
        ),
        "contract_sign": turns(lambda n: contracts.sign_contract(uow(), boss, pool.unsigned[n])),
        "event_create": turns(
            lambda n: events.create_event(uow(), seller, **new_event(pool.signed[0]))
        ),
        "event_assign_support": turns(
            lambda n: events.assign_support(uow(), boss, pool.events[0], helpers[n % 2].id)
        ),
        "event_update": turns(
            lambda n: events.update_event(uow(), helper, pool.events[1], attendees=ATTENDEES[n % 2])
        ),
        "collaborator_create": turns(
            lambda n: collaborators.create_collaborator(
                uow(),
                boss,
                name=f"Zanzibar Temp {n}",
                email=f"zanzibar.temp{n}@epicevents.example",
                phone=PHONES[0],
                department="support",
                password=password,
            )
        ),
        "collaborator_update": turns(
            lambda n: collaborators.update_collaborator(
                uow(), boss, staff.helper2.id, phone=PHONES[n % 2]
            )
        ),
        "client_archive": turns(lambda n: archive.archive_client(uow(), boss, pool.clients[n])),
        "client_restore": turns(lambda n: archive.restore_client(uow(), boss, pool.clients[n])),
        "contract_archive": turns(lambda n: archive.archive_contract(uow(), boss, pool.signed[n])),
        "contract_restore": turns(lambda n: archive.restore_contract(uow(), boss, pool.signed[n])),
        "event_archive": turns(lambda n: archive.archive_event(uow(), boss, pool.events[n])),
        "event_restore": turns(lambda n: archive.restore_event(uow(), boss, pool.events[n])),
        "login_password": lambda: authenticator.login(boss.email, password),
        "session_resume": authenticator.resume,
    }
