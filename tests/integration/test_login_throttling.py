"""Failed logins are counted per email in the database: five free tries, then waits that double.

Waiting is simulated, never slept: the test moves `last_failed_at` back as the admin.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from epic_events.auth import passwords
from epic_events.auth.token_store import TokenStore
from epic_events.controllers.auth import Authenticator
from epic_events.errors import (
    InvalidCredentials,
    NotAuthenticated,
    TooManyAttempts,
    ValidationError,
)
from epic_events.views import login
from epic_events.views.context import AppContext
from tests.conftest import PASSWORD, TEST_SECRET
from tests.scripted_console import ScriptedConsole

WRONG = "not the password"
FREE_TRIES = 5
DIGEST = "sha256(convert_to(lower(btrim(:email)), 'UTF8'))"


def make_authenticator(uow_factory, folder) -> Authenticator:
    """One program: its own token store, the shared database."""
    folder.mkdir(exist_ok=True)
    store = TokenStore(folder / "tokens.csv", folder / "jwt.key")
    store.ensure_files()
    return Authenticator(uow_factory, store, TEST_SECRET, timedelta(hours=8))


@pytest.fixture
def authenticator(uow_factory, tmp_path):
    return make_authenticator(uow_factory, tmp_path / "program")


@pytest.fixture
def person(make_collaborator):
    return make_collaborator("commerce", email=f"boss-{uuid.uuid4().hex[:8]}@example.com")


def unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:8]}@example.com"


def failures(connection, email: str) -> int | None:
    """The stored count of failed logins for `email` (None: no row)."""
    return connection.scalar(
        text(f"SELECT failures FROM login_failures WHERE email_digest = {DIGEST}"),
        {"email": email},
    )


def let_time_pass(connection, email: str, seconds: float) -> None:
    """As if the last failure of `email` happened `seconds` earlier."""
    connection.execute(
        text(
            "UPDATE login_failures SET last_failed_at = last_failed_at - make_interval(secs => :s)"
            f" WHERE email_digest = {DIGEST}"
        ),
        {"s": seconds, "email": email},
    )


def outcome(authenticator: Authenticator, email: str, password: str) -> tuple[str, str]:
    """What a login attempt answers: the error's class and message, or "ok"."""
    try:
        authenticator.login(email, password)
    except NotAuthenticated as error:
        return type(error).__name__, error.message
    return "ok", ""


def fail(authenticator: Authenticator, email: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            authenticator.login(email, WRONG)


def staff_member_sequence(authenticator, connection, email: str) -> list[tuple[str, str]]:
    """Five wrong passwords, a pause of a few seconds, a sixth, then the right one at once."""
    answers = [outcome(authenticator, email, WRONG) for _ in range(FREE_TRIES)]
    let_time_pass(connection, email, 3)
    answers.append(outcome(authenticator, email, WRONG))
    answers.append(outcome(authenticator, email, PASSWORD))
    return answers


def test_five_wrong_passwords_are_each_refused_as_wrong_credentials(
    authenticator, person, connection
):
    answers = [outcome(authenticator, person.email, WRONG) for _ in range(FREE_TRIES)]
    assert answers == [("InvalidCredentials", "Wrong email or password.")] * FREE_TRIES
    assert failures(connection, person.email) == FREE_TRIES


def test_after_five_failures_even_the_right_password_waits_and_is_not_checked(
    authenticator, person, connection, monkeypatch
):
    fail(authenticator, person.email, FREE_TRIES)
    checked = []
    monkeypatch.setattr(passwords, "proof", lambda *args: checked.append(args))
    with pytest.raises(TooManyAttempts) as refused:
        authenticator.login(person.email, PASSWORD)
    assert refused.value.message == ("Too many failed logins with this email: try again in 1 s.")
    assert checked == []
    assert failures(connection, person.email) == FREE_TRIES  # a refused try is not counted
    assert authenticator.token_store.latest() is None


def test_a_sixth_wrong_password_after_the_wait_is_wrong_credentials_and_doubles_the_wait(
    authenticator, person, connection
):
    answers = staff_member_sequence(authenticator, connection, person.email)
    assert answers[FREE_TRIES] == ("InvalidCredentials", "Wrong email or password.")
    assert answers[-1] == (
        "TooManyAttempts",
        "Too many failed logins with this email: try again in 2 s.",
    )
    let_time_pass(connection, person.email, 3)
    fail(authenticator, person.email, 1)
    assert outcome(authenticator, person.email, PASSWORD)[1].endswith("try again in 4 s.")


def test_the_wait_never_exceeds_fifteen_minutes(authenticator, person, connection):
    fail(authenticator, person.email, FREE_TRIES)
    connection.execute(
        text(f"UPDATE login_failures SET failures = 40 WHERE email_digest = {DIGEST}"),
        {"email": person.email},
    )
    assert outcome(authenticator, person.email, PASSWORD)[1].endswith("try again in 900 s.")


def test_an_unknown_email_goes_through_exactly_the_same_sequence_and_messages(
    authenticator, person, connection
):
    known = staff_member_sequence(authenticator, connection, person.email)
    unknown = staff_member_sequence(authenticator, connection, unknown_email())
    assert unknown == known
    assert {kind for kind, _ in known} == {"InvalidCredentials", "TooManyAttempts"}


def test_another_email_is_not_slowed(authenticator, person, make_collaborator, connection):
    fail(authenticator, person.email, FREE_TRIES)
    with pytest.raises(TooManyAttempts):
        authenticator.login(person.email, PASSWORD)
    colleague = make_collaborator("support")
    assert authenticator.login(colleague.email, PASSWORD).id == colleague.id
    assert failures(connection, colleague.email) is None


def test_a_successful_login_clears_the_counter(authenticator, person, connection):
    fail(authenticator, person.email, FREE_TRIES - 1)
    authenticator.login(person.email, PASSWORD)
    assert failures(connection, person.email) is None
    fail(authenticator, person.email, FREE_TRIES)  # five free tries again
    with pytest.raises(TooManyAttempts):
        authenticator.login(person.email, PASSWORD)


def test_two_programs_on_the_same_database_share_the_counter(
    uow_factory, tmp_path, person, connection
):
    laptop = make_authenticator(uow_factory, tmp_path / "laptop")
    desktop = make_authenticator(uow_factory, tmp_path / "desktop")
    fail(laptop, person.email, 3)
    fail(desktop, person.email, 2)
    with pytest.raises(TooManyAttempts):
        laptop.login(person.email, PASSWORD)
    with pytest.raises(TooManyAttempts):
        desktop.login(person.email, PASSWORD)
    assert failures(connection, person.email) == FREE_TRIES


def test_once_the_wait_has_passed_the_right_password_logs_in(authenticator, person, connection):
    fail(authenticator, person.email, FREE_TRIES)
    connection.execute(
        text("UPDATE login_failures SET last_failed_at = last_failed_at - interval '1 hour'")
    )
    user = authenticator.login(person.email, PASSWORD)
    assert user.id == person.id
    assert authenticator.token_store.latest()[0] == person.email
    assert failures(connection, person.email) is None


def test_an_hour_after_the_last_failure_the_count_starts_again(authenticator, person, connection):
    fail(authenticator, person.email, FREE_TRIES)
    let_time_pass(connection, person.email, 3600)
    fail(authenticator, person.email, 1)
    assert failures(connection, person.email) == 1


def test_the_counter_ignores_case_and_surrounding_spaces_of_the_email(
    authenticator, person, connection
):
    local, domain = person.email.split("@")
    spellings = [
        f" {local.capitalize()}@{domain.capitalize()} ",
        person.email.upper(),
        f"\t{person.email}",
        f"{local}@{domain.upper()}  ",
        person.email.title(),
    ]
    for spelling in spellings:
        fail(authenticator, spelling, 1)
    assert failures(connection, person.email) == FREE_TRIES
    with pytest.raises(TooManyAttempts):
        authenticator.login(person.email, PASSWORD)


def test_parallel_attempts_on_one_email_cannot_outrun_the_count(database_url, tmp_path):
    """Twelve programs try the same email at once: only the five free tries reach a password
    check; the others are told to wait (one attempt per email at a time, in the database)."""
    import threading

    from epic_events.db import Database

    email = unknown_email()
    answers: list[str] = []

    def one_program(number: int) -> None:
        database = Database(database_url)
        try:
            program = make_authenticator(database.unit_of_work, tmp_path / f"p{number}")
            answers.append(outcome(program, email, WRONG)[0])
        finally:
            database.dispose()

    threads = [threading.Thread(target=one_program, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert answers.count("InvalidCredentials") == FREE_TRIES
        assert answers.count("TooManyAttempts") == 12 - FREE_TRIES
    finally:
        database = Database(database_url)
        with database.engine.begin() as conn:  # committed for real: clean up
            conn.execute(
                text(f"DELETE FROM login_failures WHERE email_digest = {DIGEST}"), {"email": email}
            )
        database.dispose()


def test_counts_older_than_a_day_are_forgotten_so_the_table_cannot_grow_for_ever(
    authenticator, connection
):
    old, new = unknown_email(), unknown_email()
    fail(authenticator, old, 1)
    let_time_pass(connection, old, 25 * 3600)
    fail(authenticator, new, 1)
    assert failures(connection, old) is None
    assert failures(connection, new) == 1


def test_a_login_stuck_on_an_email_holds_others_on_it_five_seconds_at_most(database_url, tmp_path):
    """A transaction holding an email's login lock (a program frozen mid-login) makes the
    next login with that email give up after a few seconds, with a message, not hang."""
    import time

    from epic_events.db import Database

    email = unknown_email()
    holder = Database(database_url)
    waiting = Database(database_url)
    try:
        with holder.engine.begin() as conn:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:e, 0))"), {"e": email}
            )
            started = time.monotonic()
            program = make_authenticator(waiting.unit_of_work, tmp_path / "waiting")
            kind, message = outcome(program, email, WRONG)
            waited = time.monotonic() - started
        assert kind == "TooManyAttempts"
        assert "in progress" in message
        assert 4 <= waited < 10
    finally:
        holder.dispose()
        waiting.dispose()


def test_an_empty_field_is_refused_before_the_database_and_not_counted(
    authenticator, person, connection
):
    for email, password in [(person.email, ""), ("", PASSWORD), ("  ", PASSWORD), (None, None)]:
        with pytest.raises(ValidationError, match="both required"):
            authenticator.login(email, password)
    assert failures(connection, person.email) is None
    assert failures(connection, "") is None


def test_the_login_form_sends_no_empty_field_and_adds_no_count_or_wait_of_its_own(
    authenticator, person, connection, monkeypatch
):
    typed = ["", person.email, "", "", ""] + ["", WRONG] * 3 + ["", ""]
    console = ScriptedConsole(typed)
    ctx = AppContext(console, settings=None, uow=None, authenticator=authenticator)
    assert login.login_form(ctx) is None  # the script ends with EOF
    screen = console.export_text()
    assert screen.count("Email is required.") == 1
    assert screen.count("Password is required.") == 5
    assert screen.count("Wrong email or password.") == 3
    assert failures(connection, person.email) == 3  # the three wrong passwords, nothing else


def test_an_unknown_email_costs_one_argon2id_proof_with_todays_parameters_like_a_known_one(
    authenticator, person, monkeypatch
):
    """The same work for both from the very first try: one proof, today's parameters, a
    salt of the right length (the database makes up a stable one for an unknown email)."""
    made = []
    prove = passwords.proof

    def recorded(password: str, challenge: str) -> bytes:
        made.append(challenge)
        return prove(password, challenge)

    monkeypatch.setattr(passwords, "proof", recorded)
    for email in (person.email, unknown_email()):
        with pytest.raises(InvalidCredentials):
            authenticator.login(email, WRONG)
    known, unknown = made
    assert known.rpartition("$")[0] == unknown.rpartition("$")[0] == passwords.usual_parameters()
    assert len(known.rpartition("$")[2]) == len(unknown.rpartition("$")[2])
    assert known != unknown
