"""Keystroke budgets: each day-to-day task, counted from the main menu in entries (a key or a
line; the text typed into a field counts once), through the real program in a terminal."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.e2e.conftest import log_in, menu_number, picker
from tests.e2e.test_beyond_the_brief import HELPER, SELLER, Seed

pytestmark = pytest.mark.e2e


class Entries:
    """Types into the program and counts what a person would have typed."""

    def __init__(self, child):
        self.child = child
        self.count = 0

    def menu(self, label: str, expect: str = "Choice") -> None:
        """Choose the entry `label` of the menu on screen: one entry."""
        self.line(menu_number(self.child, label), expect)

    def line(self, typed: str, expect: str | None = None) -> None:
        """A field's text and Enter (or Enter alone): one entry."""
        self.count += 1
        self.child.sendline(typed)
        if expect is not None:
            self.child.expect(expect)


@pytest.fixture
def seed(program):
    seed = Seed(program.env["DATABASE_ADMIN_URL"])
    yield seed
    seed.db.dispose()


def scalar(seed: Seed, query: str, **values):
    with seed.db.engine.connect() as conn:
        return conn.execute(text(query), values).scalar_one()


def start(program, who: tuple[str, str, str]) -> Entries:
    child = program.spawn()
    log_in(child, who[1], who[2])
    return Entries(child)


def test_commerce_finds_a_client_by_part_of_a_name_and_signs_their_contract(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    jane = seed.client(seller, "Jane Doucet", "jane@doucet.example", "Doucet Weddings")
    other = seed.client(seller, "Paul Martin", "paul@martin.example", "Martin & Sons")
    contract_id = seed.contract(jane, "1500", "1500")
    seed.contract(other, "900", "900")

    entries = start(program, SELLER)
    entries.menu("Contracts")
    entries.menu("Sign a contract", picker("Contract to sign"))
    entries.line("douc", r"Sign contract #\d+ of Jane Doucet")
    entries.line("y", f"Contract #{contract_id} is signed")
    assert entries.count <= 5
    assert scalar(seed, "SELECT signed FROM contracts WHERE id = :id", id=contract_id)


def test_gestion_gives_the_next_event_without_support_a_support_contact(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    helper = seed.collaborator(*HELPER, "support")
    client_id = seed.client(seller, "Jane Doucet", "jane@doucet.example", "Doucet Weddings")
    contract_id = seed.contract(client_id, "1500", "0", signed=True)
    later = seed.event(seller, contract_id, "Doucet Gala", days_ahead=10)
    next_one = seed.event(seller, contract_id, "Doucet Wedding", days_ahead=3)

    entries = start(program, ("", "admin@epicevents.example", "super user password"))
    entries.menu("Events")
    entries.menu("Assign a support contact", picker("Event"))
    entries.line("", picker("Support contact"))  # Enter: the first offered, the next one
    entries.line("hastr", f"Event #{next_one} is now supported by Kate Hastroff")
    assert entries.count <= 5
    supported = "SELECT support_contact_id FROM events WHERE id = :id"
    assert scalar(seed, supported, id=next_one) == helper.id
    assert scalar(seed, supported, id=later) is None


def test_support_opens_their_next_event_and_adds_a_note(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    helper = seed.collaborator(*HELPER, "support")
    client_id = seed.client(seller, "Jane Doucet", "jane@doucet.example", "Doucet Weddings")
    contract_id = seed.contract(client_id, "1500", "0", signed=True)
    next_one = seed.event(seller, contract_id, "Doucet Wedding", days_ahead=3)
    later = seed.event(seller, contract_id, "Doucet Gala", days_ahead=10)
    for event_id in (next_one, later):
        with seed.db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE events SET support_contact_id = :helper, notes = 'Bring chairs.'"
                    " WHERE id = :id"
                ),
                {"helper": helper.id, "id": event_id},
            )

    entries = start(program, HELPER)
    entries.menu("Events")
    entries.menu("Add a note to one of my events", picker("Event"))
    entries.line("", "Note to add")  # Enter: the next of my events
    entries.line("The DJ arrives at 18:00.", f"Added the note to event #{next_one}")
    assert entries.count <= 4  # + the note
    notes = "SELECT notes FROM events WHERE id = :id"
    assert scalar(seed, notes, id=next_one) == "Bring chairs.\nThe DJ arrives at 18:00."
    assert scalar(seed, notes, id=later) == "Bring chairs."


def test_commerce_creates_an_event_on_a_clients_signed_contract_found_by_name(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    jane = seed.client(seller, "Jane Doucet", "jane@doucet.example", "Doucet Weddings")
    other = seed.client(seller, "Paul Martin", "paul@martin.example", "Martin & Sons")
    signed = seed.contract(jane, "1500", "0", signed=True)
    seed.contract(jane, "700", "700")  # unsigned: not offered
    seed.contract(other, "900", "0", signed=True)

    entries = start(program, SELLER)
    entries.menu("Events")
    entries.menu("Create an event", picker("Signed contract"))
    entries.line("jane", "Event name")
    fields = [
        ("Doucet Wedding", "Start"),
        ("04/06/2031 15:00", "End"),
        ("05/06/2031 01:00", "Location"),
        ("Château de Candé", "Attendees"),
        ("120", "Notes"),
        ("", r"Created event #(\d+) Doucet Wedding"),
    ]
    for typed, expect in fields:
        entries.line(typed, expect)
    event_id = int(entries.child.match.group(1))
    assert entries.count <= 4 + len(fields)
    query = "SELECT contract_id FROM events WHERE id = :id"
    assert scalar(seed, query, id=event_id) == signed


def test_gestion_creates_a_contract_for_a_client_found_by_name(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    jane = seed.client(seller, "Jane Doucet", "jane@doucet.example", "Doucet Weddings")
    seed.client(seller, "Paul Martin", "paul@martin.example", "Martin & Sons")

    entries = start(program, ("", "admin@epicevents.example", "super user password"))
    entries.menu("Contracts")
    entries.menu("Create a contract", picker("Client"))
    entries.line("doucet w", "Total amount")  # the company's name finds her too
    fields = [("12 000,00 €", "Amount due"), ("", r"Created contract #(\d+) for Jane Doucet")]
    for typed, expect in fields:
        entries.line(typed, expect)
    contract_id = int(entries.child.match.group(1))
    assert entries.count <= 4 + len(fields)
    query = "SELECT client_id FROM contracts WHERE id = :id"
    assert scalar(seed, query, id=contract_id) == jane


def test_anyone_searches_events_for_a_word_and_opens_the_third_result(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    seed.collaborator(*HELPER, "support")
    client_id = seed.client(seller, "Jane Doucet", "jane@doucet.example", "Doucet Weddings")
    contract_id = seed.contract(client_id, "1500", "0", signed=True)
    for days, name in [(5, "Garden Gala"), (1, "Harbour Gala"), (9, "Winter Gala"), (3, "Quiz")]:
        seed.event(seller, contract_id, name, days_ahead=days)

    entries = start(program, HELPER)
    entries.menu("Events")
    entries.menu("List and search events", "List")
    entries.line("s gala", "List")  # soonest first: Harbour, Garden, Winter
    entries.line("3", "Action")
    assert entries.count <= 4
    assert "Winter Gala" in entries.child.before  # the third: its record, with its keys


def test_several_matches_are_chosen_from_a_selection_list(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    first = seed.client(seller, "Anna Doucet", "anna@doucet.example", "Doucet Weddings")
    second = seed.client(seller, "Bruno Doucet", "bruno@doucet.example", "Doucet Galas")
    seed.contract(first, "1500", "1500")
    second_contract = seed.contract(second, "900", "900")

    entries = start(program, SELLER)
    entries.menu("Contracts")
    entries.menu("Sign a contract", picker("Contract to sign"))
    entries.line("doucet", "Which one")  # two match: prompt_toolkit's selection list
    entries.child.send_unread("\x1b[B")  # Down: the second (newest first: Anna's)
    entries.child.send_unread("\r")  # Enter, as a terminal sends it
    entries.child.expect(r"Sign contract #\d+ of Anna Doucet")
    entries.line("y", "is signed")
    signed = "SELECT signed FROM contracts WHERE id = :id"
    assert not scalar(seed, signed, id=second_contract)  # the one chosen, not the first
