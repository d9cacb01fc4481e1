"""One full day at Epic Events, every department through the real menus."""

import re

import pexpect
import pytest

from tests.e2e.conftest import (
    SUPER_EMAIL,
    SUPER_PASSWORD,
    choose,
    log_in,
    menu_number,
    pick,
    picker,
)

pytestmark = pytest.mark.e2e

SELLER = ("Bill Boquet", "bill@epicevents.example", "bill password 1")
HELPER = ("Kate Hastroff", "kate@epicevents.example", "kate password 1")


def answer(child, *pairs):
    """Answer prompts in order: (expected prompt, typed text)."""
    for prompt, text in pairs:
        child.expect(prompt)
        child.sendline(text)


def create_collaborator(child, name, email, password, department):
    pick(child, "Create a collaborator", "Full name")
    child.sendline(name)
    answer(
        child,
        ("Email", email),
        ("Phone", "+33 6 12 34 56 78"),
        ("Department", department),
        ("Initial password", password),
        ("again", password),
    )
    child.expect(rf"Created collaborator #(\d+) {name}")
    number = child.match.group(1)
    child.expect("Choice")
    return number


def log_out(child):
    choose(child, "0") if "Back" in child.before else None
    child.sendline(menu_number(child, "Log out"))
    child.expect("Logged out")


def switch_user(child, email, password):
    log_out(child)
    log_in(child, email, password)


def back_to_main(child):
    child.sendline("0")
    child.expect("Choice")


def open_list(child, label, title):
    """Open a list from the current menu; return its screen without colour codes."""
    child.sendline(menu_number(child, label))
    child.expect(r"List\S*:")
    screen = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    assert title in screen
    child.sendline("0")
    child.expect("Choice")
    return screen


def test_one_full_day_through_every_department(program):
    child = program.spawn()
    log_in(child)

    # gestion creates a commercial and a support
    pick(child, "Collaborators")
    create_collaborator(child, *SELLER[:2], SELLER[2], "commerce")
    helper_id = create_collaborator(child, *HELPER[:2], HELPER[2], "support")
    back_to_main(child)

    # the commercial creates a client
    switch_user(child, SELLER[1], SELLER[2])
    pick(child, "Clients")
    pick(child, "Create a client", "Full name")
    child.sendline("Kevin Casey")
    answer(
        child,
        ("Email", "kevin@startup.io"),
        ("Phone", "+678 123 456 78"),
        ("Company name", "Cool Startup LLC"),
    )
    child.expect(r"Created client #(\d+) Kevin Casey")
    client_id = child.match.group(1)
    child.expect("Choice")
    screen = open_list(child, "My clients", "My clients")
    assert "Kevin Casey" in screen
    back_to_main(child)

    # gestion creates a contract
    switch_user(child, SUPER_EMAIL, SUPER_PASSWORD)
    pick(child, "Contracts")
    pick(child, "Create a contract", picker("Client"))
    child.sendline(client_id)
    answer(child, ("Total amount", "abc"))
    child.expect("must be a number")
    answer(child, ("Total amount", "1 500,50"), ("Amount due", "2000"))
    child.expect("cannot be more than the total")
    child.sendline("500")
    child.expect(r"Created contract #(\d+) for Kevin Casey \(unsigned\)")
    contract_id = child.match.group(1)
    child.expect("Choice")
    back_to_main(child)

    # the commercial sees it unsigned and unpaid, signs it and creates an event
    switch_user(child, SELLER[1], SELLER[2])
    pick(child, "Contracts")
    assert f"{contract_id} " in open_list(child, "Unsigned contracts of my clients", "Unsigned")
    unpaid = open_list(child, "Contracts of my clients not fully paid", "not fully paid")
    assert "500,00\u00a0€" in unpaid
    assert "1\u202f500,50\u00a0€" in unpaid  # the house style: 12 000,00 €
    pick(child, "Sign a contract", picker("Contract to sign"))
    child.sendline(contract_id)
    answer(child, (r"Sign contract #\d+", "y"))
    child.expect(f"Contract #{contract_id} is signed")
    child.expect("Choice")
    assert "No contract yet" in open_list(child, "Unsigned contracts of my clients", "Unsigned")
    back_to_main(child)
    pick(child, "Events")
    pick(child, "Create an event", picker("Signed contract"))
    child.sendline(contract_id)
    answer(
        child,
        ("Event name", "John Ouick Wedding"),
        ("Start", "04/06/2030 13:00"),
        ("End", "04/06/2030 12:00"),
    )
    child.expect("must end after it starts")
    answer(
        child,
        ("Start", "04/06/2030 13:00"),
        ("End", "05/06/2030 02:00"),
        ("Location", "53 Rue du Château, 41120 Candé-sur-Beuvron, France"),
        ("Attendees", "-5"),
    )
    child.expect("whole number")
    child.sendline("75")
    answer(child, ("Notes", "Wedding starts at 3PM, by the river."))
    child.expect(r"Created event #(\d+) John Ouick Wedding")
    event_id = child.match.group(1)
    child.expect("Choice")
    back_to_main(child)

    # gestion sees it without support and assigns the support
    switch_user(child, SUPER_EMAIL, SUPER_PASSWORD)
    pick(child, "Events")
    assert "John Ouick Wedding" in open_list(child, "Events without support", "without support")
    pick(child, "Assign a support contact", picker("Event"))
    child.sendline(event_id)
    answer(child, (picker("Support contact"), helper_id))
    child.expect(f"Event #{event_id} is now supported by Kate Hastroff")
    child.expect("Choice")
    assert "No event yet" in open_list(child, "Events without support", "without support")
    back_to_main(child)

    # the support updates the notes of their event
    switch_user(child, HELPER[1], HELPER[2])
    pick(child, "Events")
    assert "John Ouick Wedding" in open_list(child, "My events", "My events")
    assert "John Ouick Wedding" in open_list(child, "Upcoming events", "Upcoming")
    pick(child, "Update one of my events", picker("Event"))
    child.sendline(event_id)
    for prompt in ("Event name", "Start", "End", "Location", "Attendees"):
        answer(child, (prompt, ""))
    answer(child, ("Notes", "Kate needs to organize the DJ for after party."))
    child.expect(f"Updated event #{event_id}")
    child.expect("Choice")
    pick(child, "View an event", picker("Event"))
    child.sendline(event_id)
    child.expect("Kate needs to organize the DJ")
    child.expect("Action")
    keys = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    assert "t add a note · e edit · k contract · l client · h history · 0 back" in keys
    child.sendline("0")
    child.expect("Choice")
    back_to_main(child)
    child.sendline("0")
    child.expect("Bye")
    child.expect(pexpect.EOF)
