"""The permission matrix once more, through the commands: every department x every menu
action as a command. Allowed: done (status 0). Refused: status 4, one line saying why, and
not a row changed in any table. The oracle is written by hand from the SPEC's table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from epic_events.exit_status import ExitStatus
from epic_events.models import Client, Contract, Event
from tests.integration.conftest import tag
from tests.integration.helpers import snapshot

G, C, S = "gestion", "commerce", "support"
EVERYONE = {G, C, S}
NEW_PASSWORD = "a new password 123\n"


@dataclass
class World:
    """One of each: the acting collaborator of each department owns what its department
    may own (commerce the client, support the event), so a refusal is the department's."""

    actors: dict
    commercial_2: object
    support_2: object
    leaver: object
    deactivated: object
    client: Client
    unsigned: Contract
    signed: Contract
    event: Event
    archived_client: Client
    archived_contract: Contract
    archived_event: Event


@pytest.fixture
def world(installed, staff) -> World:
    actors = {department: staff(department) for department in (G, C, S)}
    seller, helper = actors[C], actors[S]
    commercial_2, support_2, leaver = staff(C), staff(S), staff(S)
    deactivated = staff(S, active=False)
    start = datetime.now(UTC) + timedelta(days=40)
    with Session(installed.engine, expire_on_commit=False) as session:

        def client(**fields) -> Client:
            row = Client(
                full_name=f"Client {tag()}",
                email=f"client-{tag()}@example.com",
                phone="+33 1 23 45 67 89",
                company_name="Cool Startup LLC",
                commercial_contact_id=seller.id,
                **fields,
            )
            session.add(row)
            session.flush()
            return row

        def contract(of: Client, signed: bool, **fields) -> Contract:
            row = Contract(
                client_id=of.id,
                commercial_contact_id=seller.id,
                total_amount=Decimal("1000.00"),
                amount_due=Decimal("400.00"),
                signed=signed,
                **fields,
            )
            session.add(row)
            session.flush()
            return row

        def event(on: Contract, **fields) -> Event:
            row = Event(
                contract_id=on.id,
                name=f"Party {tag()}",
                start_at=start,
                end_at=start + timedelta(hours=4),
                location="Candé-sur-Beuvron",
                attendees=75,
                notes="",
                support_contact_id=helper.id,
                **fields,
            )
            session.add(row)
            session.flush()
            return row

        now = datetime.now(UTC)
        owned = client()
        unsigned, signed = contract(owned, False), contract(owned, True)
        planned = event(signed)
        archived_client = client(archived_at=now)
        archived_contract = contract(owned, True, archived_at=now)
        archived_event = event(signed, archived_at=now)
        session.commit()
    return World(
        actors, commercial_2, support_2, leaver, deactivated, owned, unsigned, signed,
        planned, archived_client, archived_contract, archived_event,
    )  # fmt: skip


def _new_client(w):
    return ["clients", "create", "--name", f"Kevin {tag()}", "--email", f"k-{tag()}@startup.io",
            "--phone", "+678 123 456 78", "--company", "Cool Startup LLC"]  # fmt: skip


def _new_event(w):
    return ["events", "create", "--contract", str(w.signed.id), "--name", "Wedding",
            "--start", "04/06/2031 13:00", "--end", "05/06/2031 02:00",
            "--location", "Candé", "--attendees", "75"]  # fmt: skip


def _new_collaborator(w):
    return ["collaborators", "create", "--name", "New Hire", "--email", f"n-{tag()}@example.com",
            "--phone", "+33 6 00 00 00 00", "--department", "support",
            "--password-stdin"]  # fmt: skip


# command -> (its arguments in a world, who may run it): by hand, from the SPEC.
EXPECTED = {
    "clients list": (lambda w: ["clients", "list"], EVERYONE),
    "clients show": (lambda w: ["clients", "show", str(w.client.id)], EVERYONE),
    "clients history": (lambda w: ["clients", "history", str(w.client.id)], EVERYONE),
    "clients list --filter mine": (lambda w: ["clients", "list", "--filter", "mine"], {C}),
    "clients create": (_new_client, {C}),
    "clients update": (
        lambda w: ["clients", "update", str(w.client.id), "--phone", "+33 9 87 65 43 21"],
        {C},
    ),
    "clients reassign": (
        lambda w: ["clients", "reassign", str(w.client.id), "--commercial", str(w.commercial_2.id)],
        {G},
    ),
    "clients archive": (lambda w: ["clients", "archive", str(w.client.id), "--yes"], {G}),
    "clients restore": (lambda w: ["clients", "restore", str(w.archived_client.id)], {G}),
    "contracts list": (lambda w: ["contracts", "list"], EVERYONE),
    "contracts show": (lambda w: ["contracts", "show", str(w.signed.id)], EVERYONE),
    "contracts history": (lambda w: ["contracts", "history", str(w.signed.id)], EVERYONE),
    "contracts list --filter unsigned": (
        lambda w: ["contracts", "list", "--filter", "unsigned"],
        {C},
    ),
    "contracts list --filter unpaid": (lambda w: ["contracts", "list", "--filter", "unpaid"], {C}),
    "contracts create": (
        lambda w: ["contracts", "create", "--client", str(w.client.id), "--total", "1500"],
        {G},
    ),
    "contracts update": (
        lambda w: ["contracts", "update", str(w.signed.id), "--due", "100"],
        {G, C},
    ),
    "contracts sign": (lambda w: ["contracts", "sign", str(w.unsigned.id), "--yes"], {G, C}),
    "contracts archive": (lambda w: ["contracts", "archive", str(w.signed.id), "--yes"], {G}),
    "contracts restore": (lambda w: ["contracts", "restore", str(w.archived_contract.id)], {G}),
    "events list": (lambda w: ["events", "list"], EVERYONE),
    "events show": (lambda w: ["events", "show", str(w.event.id)], EVERYONE),
    "events history": (lambda w: ["events", "history", str(w.event.id)], EVERYONE),
    "events list --filter upcoming": (
        lambda w: ["events", "list", "--filter", "upcoming"],
        EVERYONE,
    ),
    "events list --filter without-support": (
        lambda w: ["events", "list", "--filter", "without-support"],
        {G},
    ),
    "events list --filter mine": (lambda w: ["events", "list", "--filter", "mine"], {S}),
    "events create": (_new_event, {C}),
    "events update": (lambda w: ["events", "update", str(w.event.id), "--attendees", "80"], {S}),
    "events assign": (
        lambda w: ["events", "assign", str(w.event.id), "--support", str(w.support_2.id)],
        {G},
    ),
    "events archive": (lambda w: ["events", "archive", str(w.event.id), "--yes"], {G}),
    "events restore": (lambda w: ["events", "restore", str(w.archived_event.id)], {G}),
    "collaborators list": (lambda w: ["collaborators", "list"], {G}),
    "collaborators show": (lambda w: ["collaborators", "show", str(w.leaver.id)], {G}),
    "collaborators history": (lambda w: ["collaborators", "history", str(w.leaver.id)], {G}),
    "collaborators create": (_new_collaborator, {G}),
    "collaborators update": (
        lambda w: ["collaborators", "update", str(w.leaver.id), "--phone", "+33 1 11 11 11 11"],
        {G},
    ),
    "collaborators deactivate": (
        lambda w: ["collaborators", "deactivate", str(w.leaver.id), "--yes"],
        {G},
    ),
    "collaborators reactivate": (
        lambda w: ["collaborators", "reactivate", str(w.deactivated.id)],
        {G},
    ),
    "collaborators delete": (lambda w: ["collaborators", "delete", str(w.leaver.id), "--yes"], {G}),
    "activity": (lambda w: ["activity"], {G}),
    "dashboard": (lambda w: ["dashboard"], EVERYONE),
    "profile show": (lambda w: ["profile", "show"], EVERYONE),
    "profile update": (lambda w: ["profile", "update", "--phone", "+33 7 77 77 77 77"], EVERYONE),
}

CASES = [
    pytest.param(name, department, department in allowed, id=f"{name}-{department}")
    for name, (_, allowed) in EXPECTED.items()
    for department in (G, C, S)
]


@pytest.mark.parametrize(("name", "department", "allowed"), CASES)
def test_every_department_and_command(cli, world, logged_in, installed, name, department, allowed):
    logged_in(world.actors[department])
    argv = EXPECTED[name][0](world)
    with installed.engine.connect() as connection:
        before = snapshot(connection)
    result = cli(*argv, stdin=NEW_PASSWORD)
    if allowed:
        assert result.status == ExitStatus.OK, result
        return
    assert result.status == ExitStatus.REFUSED, result
    assert result.out == ""
    [line] = result.err.splitlines()
    assert line.startswith("epic_events: ")
    with installed.engine.connect() as connection:
        assert snapshot(connection) == before


# Ownership: the right department, someone else's record.
NOT_THEIRS = {
    "commerce updates another's client": (
        C,
        lambda w: ["clients", "update", str(w.client.id), "--phone", "+33 9 87 65 43 21"],
    ),
    "commerce updates another's contract": (
        C,
        lambda w: ["contracts", "update", str(w.signed.id), "--due", "1"],
    ),
    "commerce signs another's contract": (
        C,
        lambda w: ["contracts", "sign", str(w.unsigned.id), "--yes"],
    ),
    "commerce creates an event for another's client": (C, _new_event),
    "support updates an event it does not support": (
        S,
        lambda w: ["events", "update", str(w.event.id), "--attendees", "80"],
    ),
}


@pytest.mark.parametrize("case", list(NOT_THEIRS))
def test_a_record_of_someone_else_is_refused_with_status_4(
    cli, world, staff, logged_in, installed, case
):
    department, argv = NOT_THEIRS[case]
    logged_in(staff(department))
    with installed.engine.connect() as connection:
        before = snapshot(connection)
    result = cli(*argv(world))
    assert result.status == ExitStatus.REFUSED, result
    with installed.engine.connect() as connection:
        assert snapshot(connection) == before


def test_creating_an_event_on_an_unsigned_contract_is_refused(cli, world, logged_in, installed):
    logged_in(world.actors[C])
    argv = _new_event(world)
    argv[argv.index("--contract") + 1] = str(world.unsigned.id)
    with installed.engine.connect() as connection:
        before = snapshot(connection)
    result = cli(*argv)
    assert result.status == ExitStatus.REFUSED, result
    assert "not signed" in result.err
    with installed.engine.connect() as connection:
        assert snapshot(connection) == before


def _duplicate_client(w):
    """A client like one that exists: the duplicate guard would refuse it (status 6)."""
    return ["clients", "create", "--name", w.client.full_name, "--email", w.client.email,
            "--phone", "+678 123 456 78", "--company", w.client.company_name]  # fmt: skip


# Commands that would ask (a confirmation, a password, whether to duplicate) before acting.
ASKING = {
    "clients archive": lambda w: ["clients", "archive", str(w.client.id)],
    "contracts archive": lambda w: ["contracts", "archive", str(w.signed.id)],
    "events archive": lambda w: ["events", "archive", str(w.event.id)],
    "contracts sign": lambda w: ["contracts", "sign", str(w.unsigned.id)],
    "collaborators deactivate": lambda w: ["collaborators", "deactivate", str(w.leaver.id)],
    "collaborators delete": lambda w: ["collaborators", "delete", str(w.leaver.id)],
    "clients create (a duplicate)": _duplicate_client,
    "collaborators create": _new_collaborator,
}
ASKING_ALLOWED = {
    "clients create (a duplicate)": {C},
    "collaborators create": {G},
    "contracts sign": {G, C},
}
ASKING_CASES = [
    pytest.param(name, department, id=f"{name}-{department}")
    for name in ASKING
    for department in (G, C, S)
    if department not in ASKING_ALLOWED.get(name, {G})
]


@pytest.mark.parametrize(("name", "department"), ASKING_CASES)
def test_a_refusal_comes_before_any_question(cli, world, logged_in, installed, name, department):
    """Without --yes, a password or a terminal, a department lacking the right is refused
    (4), not told to confirm (2) nor warned of a duplicate (6): the rights come first."""
    logged_in(world.actors[department])
    with installed.engine.connect() as connection:
        before = snapshot(connection)
    result = cli(*ASKING[name](world))
    assert result.status == ExitStatus.REFUSED, result
    with installed.engine.connect() as connection:
        assert snapshot(connection) == before


@pytest.mark.parametrize("entity", ["clients", "contracts", "events"])
def test_archiving_a_missing_record_is_not_found_before_any_question(cli, world, logged_in, entity):
    logged_in(world.actors[G])
    result = cli(entity, "archive", "999999999")
    assert result.status == ExitStatus.NOT_FOUND, result
    assert "999999999" in result.err
