"""The forms pick records by part of a name (or an id), and a wrong entry asks again in place:
the real screens, controllers and PostgreSQL, answered from a script."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from epic_events.views import contracts as contract_screens
from epic_events.views import events as event_screens
from epic_events.views.context import AppContext
from epic_events.views.menu import run_action
from tests.conftest import PASSWORD
from tests.integration.conftest import tag
from tests.scripted_console import ScriptedConsole


def run_screen(screen, uow_factory, user, answers: list[str]) -> ScriptedConsole:
    console = ScriptedConsole(answers)
    ctx = AppContext(console, settings=None, uow=uow_factory, authenticator=None, user=user)
    run_action(ctx, screen)
    return console


def signed(connection, contract_id: int) -> bool:
    query = text("SELECT signed FROM contracts WHERE id = :id")
    return connection.execute(query, {"id": contract_id}).scalar_one()


@pytest.fixture
def word() -> str:
    return f"zq{tag()}"


def test_a_commercial_signs_by_typing_part_of_the_clients_name(
    connection, uow_factory, commerce, make_client, make_contract, word
):
    contract = make_contract(make_client(commerce, full_name=f"Jane {word}"))
    console = run_screen(contract_screens.sign_screen, uow_factory, commerce, [word[:6], "y"])
    screen = console.export_text()
    assert f"Contract #{contract.id} is signed" in screen, screen
    assert signed(connection, contract.id)


def test_a_wrong_entry_asks_again_in_place_and_the_form_goes_on(
    connection, uow_factory, commerce, user_of, make_client, make_contract, word
):
    contract = make_contract(make_client(commerce, full_name=f"Jane {word}"))
    theirs = make_contract(make_client(user_of("commerce")))
    answers = ["99999999", str(theirs.id), "²", f"nobody {word}", word, "y"]
    console = run_screen(contract_screens.sign_screen, uow_factory, commerce, answers)
    screen = console.export_text()
    assert "No unsigned contract of your clients has id #99999999." in screen
    assert f"No unsigned contract of your clients has id #{theirs.id}." in screen
    assert f"No unsigned contract of your clients matches “nobody {word}”." in screen
    assert f"Contract #{contract.id} is signed" in screen
    assert signed(connection, contract.id)
    assert not signed(connection, theirs.id)
    assert "unexpected" not in screen


def test_several_matches_are_numbered_and_one_is_chosen(
    connection, uow_factory, gestion, commerce, make_client, make_contract, word
):
    first = make_contract(make_client(commerce, full_name=f"Ann {word}"))
    second = make_contract(make_client(commerce, full_name=f"Bob {word}"))
    console = run_screen(contract_screens.sign_screen, uow_factory, gestion, [word, "2", "y"])
    screen = console.export_text()
    assert "Which one (1-2, Enter: 1)" in screen
    # newest first: the second contract is listed first, so 2 is the first one
    assert f"Contract #{first.id} is signed" in screen
    assert not signed(connection, second.id)


def test_enter_takes_the_next_event_without_support_and_a_name_picks_the_helper(
    connection, uow_factory, gestion, commerce, user_of, make_client, make_contract, make_event
):
    contract = make_contract(make_client(commerce), signed=True)
    event = make_event(contract)  # 2030: the next without support in this transaction's world
    helper = user_of("support", name=f"Kate zq{tag()}")  # never all digits: not an id
    console = run_screen(
        event_screens.assign_screen, uow_factory, gestion, ["", helper.name.split()[1]]
    )
    screen = console.export_text()
    offered = [prompt for prompt, _ in console.prompts]
    assert offered[0].startswith("Event (part of a name, or an id; Enter: the first)")
    assert "Support contact (part of a name, or an id; -: nobody)" in offered[1]
    supported = connection.execute(
        text("SELECT support_contact_id FROM events WHERE id = :id"), {"id": event.id}
    ).scalar_one()
    if f"Event #{event.id} is now supported by {helper.name}" in screen:
        assert supported == helper.id
    else:  # another event of the shared database comes sooner: it got the helper
        assert supported is None
        assert f"is now supported by {helper.name}" in screen


def test_a_dash_removes_the_support_contact(
    connection, uow_factory, gestion, support, commerce, make_client, make_contract, make_event
):
    contract = make_contract(make_client(commerce), signed=True)
    event = make_event(contract, support)
    console = run_screen(event_screens.assign_screen, uow_factory, gestion, [str(event.id), "-"])
    assert f"Event #{event.id} is now supported by nobody" in console.export_text()


def test_a_commercial_is_offered_no_unsigned_contract_for_an_event(
    uow_factory, commerce, make_client, make_contract, word
):
    client = make_client(commerce, full_name=f"Jane {word}")
    console = run_screen(event_screens.create_screen, uow_factory, commerce, [])
    assert "There is no signed contract of your clients to choose from." in console.export_text()
    assert console.prompts == []  # refused before any question

    unsigned = make_contract(client)
    make_contract(client, signed=True)
    console = run_screen(event_screens.create_screen, uow_factory, commerce, [str(unsigned.id)])
    screen = console.export_text()
    assert f"No signed contract of your clients has id #{unsigned.id}." in screen
    assert "Event name" not in screen  # asked again, never past the contract


def test_the_current_password_is_checked_before_the_new_one_is_asked(uow_factory, gestion):
    from epic_events.views import profile

    answers = ["not it", "still not it", PASSWORD, "a brand new password 1", "mistyped"]
    console = run_screen(profile.change_password, uow_factory, gestion, answers)
    prompts = [prompt for prompt, _ in console.prompts]
    assert prompts[:4] == [
        "Current password: ",
        "Current password: ",
        "Current password: ",
        "New password: ",
    ]
    assert console.export_text().count("The current password is wrong.") == 2


def test_three_wrong_current_passwords_end_the_form_before_a_new_one_is_typed(uow_factory, gestion):
    from epic_events.views import profile

    console = run_screen(profile.change_password, uow_factory, gestion, ["a", "b", "c", "d"])
    prompts = [prompt for prompt, _ in console.prompts]
    assert prompts == ["Current password: "] * 3
    assert "wrong three times: nothing was changed" in console.export_text()
