"""The login form: empty fields are asked again, failures are shown, and nothing waits here.

Failed logins are counted and slowed by the database alone (see
tests/integration/test_login_throttling.py); the form only relays what the authenticator says.
"""

from __future__ import annotations

import time

import pytest

from epic_events.errors import InvalidCredentials, TooManyAttempts
from epic_events.views import login
from epic_events.views.context import AppContext
from tests.scripted_console import ScriptedConsole

EMAIL = "kate@example.com"
WRONG = "not the password"


class Authenticator:
    """Says no to every attempt, as the real one does to a wrong password; records each one."""

    def __init__(self, refusal=InvalidCredentials):
        self.attempts: list[tuple[str, str]] = []
        self.refusal = refusal
        self.warnings: list[str] = []

    def login(self, email: str, password: str):
        self.attempts.append((email, password))
        raise self.refusal()


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    """Any sleep while the form runs fails the test."""

    def refuse(seconds):
        raise AssertionError(f"the login form slept {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


@pytest.fixture
def discarded(monkeypatch) -> list[int]:
    """One entry each time a login is checked with the keys held back (not echoed, dropped);
    the real guard runs (without a terminal it has nothing to hold)."""
    calls: list[int] = []
    real = login.keys_held_back

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(login, "keys_held_back", counted)
    return calls


def run_form(answers: list[str], authenticator=None):
    console = ScriptedConsole(answers)
    authenticator = authenticator or Authenticator()
    ctx = AppContext(console, settings=None, uow=None, authenticator=authenticator)
    assert login.login_form(ctx) is None  # the script ends with EOF: the form quits
    return console.export_text(), authenticator, console


def test_an_empty_email_is_refused_with_a_message_and_never_sent(discarded):
    screen, authenticator, _ = run_form(["", "   "])
    assert screen.count("✗ Email is required.") == 2
    assert authenticator.attempts == []
    assert discarded == []


def test_an_empty_password_is_refused_with_a_message_and_asked_again_without_the_email(
    discarded,
):
    screen, authenticator, console = run_form([EMAIL, "", "", WRONG])
    assert screen.count("✗ Password is required.") == 2
    assert [prompt for prompt, _ in console.prompts] == [
        "Email: ",
        "Password: ",
        "Password: ",
        "Password: ",
        f"Email [{EMAIL}]: ",
    ]
    assert authenticator.attempts == [(EMAIL, WRONG)]  # only the typed password was an attempt
    assert len(discarded) == 1  # the one attempt


def test_the_password_is_asked_hidden_and_sent_exactly_as_typed():
    _, authenticator, console = run_form([EMAIL, "  spaces kept  "])
    assert ("Password: ", True) in console.prompts
    assert authenticator.attempts == [(EMAIL, "  spaces kept  ")]


def test_many_failed_logins_never_sleep_in_the_view_and_each_is_shown(discarded):
    tries = 8
    started = time.monotonic()
    screen, authenticator, _ = run_form([EMAIL, WRONG] + ["", WRONG] * (tries - 1))
    assert time.monotonic() - started < 1
    assert len(authenticator.attempts) == tries
    assert screen.count("✗ Wrong email or password.") == tries
    assert "wait" not in screen.lower()
    assert len(discarded) == tries  # keys typed during each check are dropped


def test_the_database_throttle_message_is_shown_and_the_form_asks_again_at_once():
    message = "Too many failed logins with this email: try again in 4 s."
    refused = Authenticator(refusal=lambda: TooManyAttempts(message))
    screen, authenticator, console = run_form([EMAIL, WRONG, "", WRONG], refused)
    assert screen.count(f"✗ {message}") == 2
    assert len(authenticator.attempts) == 2
    assert console.prompts[-1] == (f"Email [{EMAIL}]: ", False)
