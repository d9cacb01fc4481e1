"""The real program driven through a pseudo-terminal, as a member of staff would."""

import io

import pexpect
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import (
    SUPER_EMAIL,
    SUPER_PASSWORD,
    Program,
    base_env,
    choose,
    log_in,
    menu_number,
    pick,
    quit_program,
)

pytestmark = pytest.mark.e2e


def collaborator_emails(program: Program) -> list[str]:
    engine = create_engine(program.env["DATABASE_ADMIN_URL"])
    with engine.connect() as conn:
        emails = conn.scalars(text("SELECT email FROM collaborators ORDER BY id")).all()
    engine.dispose()
    return list(emails)


def test_setup_login_create_a_collaborator_and_logout(program):
    child = program.spawn()
    log_in(child)
    pick(child, "Collaborators")
    child.sendline(menu_number(child, "Create a collaborator"))
    child.expect("Full name")
    child.sendline("Kate Hastroff")
    child.expect("Email")
    child.sendline("not an email")
    child.expect("is not an email address")
    child.sendline("kate@epicevents.example")
    child.expect("Phone")
    child.sendline("+33 6 11 22 33 44")
    child.expect("Department")
    child.sendline("3")
    child.expect("Initial password")
    child.sendline("kate password 1")
    child.expect("again")
    child.sendline("kate password 1")
    child.expect(r"Created collaborator #\d+ Kate Hastroff \(support\)")
    child.expect("Choice")
    choose(child, "0")  # back to the main menu
    child.sendline(menu_number(child, "Log out"))
    child.expect("Logged out")
    child.expect("Email")  # the login form, for the next person
    child.sendeof()
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "kate@epicevents.example" in collaborator_emails(program)
    assert program.token_store.get(SUPER_EMAIL) is None


def test_relaunching_resumes_the_session_without_a_password(program):
    child = program.spawn()
    log_in(child)
    assert quit_program(child) == 0
    again = program.spawn()
    again.expect("Welcome back Admin Epic")
    again.expect("Choice")
    assert quit_program(again) == 0


def test_ctrl_c_in_a_form_cancels_it_and_returns_to_the_menu(program):
    child = program.spawn()
    log_in(child)
    pick(child, "Collaborators")
    child.sendline(menu_number(child, "Create a collaborator"))
    child.expect("Full name")
    child.sendline("Half Typed")
    child.expect("Email")
    child.sendintr()
    child.expect("Cancelled: nothing was changed")
    child.expect("Create a collaborator")  # the collaborators menu again
    choose(child, "0")  # back to the main menu
    assert quit_program(child) == 0
    assert collaborator_emails(program) == [SUPER_EMAIL]


def test_a_wrong_password_is_refused_and_the_form_asks_again(program):
    child = program.spawn()
    child.expect("Email")
    child.sendline(SUPER_EMAIL)
    child.expect("Password")
    child.sendline("not the password")
    child.expect("Wrong email or password")
    child.expect("Email")
    child.sendline("")  # Enter keeps the email offered
    child.expect("Password")
    child.sendline(SUPER_PASSWORD)
    child.expect("Logged in as")
    child.expect("Choice")
    assert quit_program(child) == 0


def test_an_empty_password_is_asked_again_and_a_wrong_one_is_refused_without_waiting(program):
    child = program.spawn()
    child.logfile_read = shown = io.StringIO()
    child.expect("Email")
    child.sendline(SUPER_EMAIL)
    child.expect("Password")
    child.sendline("")
    child.expect("Password is required")
    child.expect("Password")  # asked again, the email kept
    for _ in range(4):  # more than the form's old free tries: no pause of its own any more
        child.sendline("not the password")
        child.expect("Wrong email or password", timeout=5)
        child.expect("Email")
        child.sendline("")
        child.expect("Password")
    assert "wait" not in shown.getvalue().lower()
    child.sendline(SUPER_PASSWORD)
    child.expect("Logged in as")
    child.expect("Choice")
    assert quit_program(child) == 0


def test_the_password_is_never_echoed(program):
    child = program.spawn()
    child.expect("Email")
    child.sendline(SUPER_EMAIL)
    child.expect("Password")
    child.sendline(SUPER_PASSWORD)
    child.expect("Choice")
    assert SUPER_PASSWORD not in child.before
    quit_program(child)


def test_ctrl_d_at_the_main_menu_quits_cleanly(program):
    child = program.spawn()
    log_in(child)
    child.sendeof()
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_invalid_menu_input_reprompts_with_a_reason(program):
    child = program.spawn()
    log_in(child)
    child.sendline("42")
    child.expect(r"Please type one of the numbers shown \(1, 2, 3, 4, 5, 6, 7, 8, or 0\)")
    child.sendline("abc")
    child.expect("Please type one of the numbers shown")
    child.sendline("²")  # a digit to isdigit(), not to int(): no crash
    child.expect("Please type one of the numbers shown")
    child.sendline("?")
    child.expect("keeps its number")
    child.expect("Choice")  # the prompt reads the keys: Ctrl-C is a key to it
    child.sendcontrol("c")
    child.expect("Ctrl-C cancels a form. To quit: 0 or Ctrl-D.")
    child.expect("Choice")
    assert quit_program(child) == 0


def test_dev_auto_login_is_refused_in_production(program):
    child = program.spawn("--dev")
    child.expect("Dev auto-login refused")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_dev_auto_login_in_development_warns_loudly(program):
    child = program.spawn("--dev", env={"EPIC_EVENTS_ENV": "development"})
    child.expect("DEVELOPMENT MODE")
    child.expect("Logged in as Admin Epic")
    child.expect("Choice")
    assert quit_program(child) == 0


def test_a_tampered_token_store_gives_one_line_and_a_fresh_login(program):
    child = program.spawn()
    log_in(child)
    quit_program(child)
    store = program.token_store.path
    blob = bytearray(store.read_bytes())
    blob[50] ^= 1
    store.write_bytes(bytes(blob))
    again = program.spawn()
    again.expect("could not be decrypted")
    again.expect("Email")
    assert "Traceback" not in again.before
    again.sendline(SUPER_EMAIL)
    again.expect("Password")
    again.sendline(SUPER_PASSWORD)
    again.expect("Logged in as")
    again.expect("Choice")
    assert quit_program(again) == 0


def test_a_fresh_machine_needs_no_database_url(isolated_environment):
    """setup.py then the program, on the embedded PostgreSQL of the project's data folder."""
    program = Program(isolated_environment, base_env(isolated_environment))
    result = program.setup()
    assert result.returncode == 0, result.stdout + result.stderr
    assert (isolated_environment / "data" / "pgdata" / "PG_VERSION").exists()
    child = program.spawn()
    log_in(child)
    assert quit_program(child) == 0


def test_after_a_logout_the_next_person_logs_in_even_if_another_session_was_saved(program):
    child = program.spawn()
    log_in(child)
    pick(child, "Collaborators")
    child.sendline(menu_number(child, "Create a collaborator"))
    for prompt, typed in (
        ("Full name", "Bob Other"),
        ("Email", "bob@epicevents.example"),
        ("Phone", "+33 6 11 22 33 44"),
        ("Department", "2"),
        ("Initial password", "bob password 1"),
        ("again", "bob password 1"),
    ):
        child.expect(prompt)
        child.sendline(typed)
    child.expect("Created collaborator")
    child.expect("Choice")
    choose(child, "0")
    child.sendline(menu_number(child, "Log out"))
    child.expect("Email")
    log_in_as = ("bob@epicevents.example", "bob password 1")
    child.sendline(log_in_as[0])
    child.expect("Password")
    child.sendline(log_in_as[1])
    child.expect("Logged in as Bob Other")
    child.expect("Choice")
    child.sendline(menu_number(child, "Log out"))  # Bob leaves; the admin's token remains
    child.expect("Logged out")
    child.expect("Email")
    assert "Welcome back" not in child.before
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    again = program.spawn()
    again.expect("Email")  # no one is resumed
    assert "Welcome back" not in again.before
    again.sendeof()
    again.expect(pexpect.EOF)


def test_keys_typed_while_a_login_is_checked_are_neither_shown_nor_kept(program):
    child = program.spawn()
    shown = io.StringIO()
    child.logfile_read = shown  # everything the terminal showed
    child.expect("Email")
    child.sendline(SUPER_EMAIL)
    child.expect("Password")
    child.sendline("a wrong password")  # argon2 and the database take a moment…
    child.send_unread("secret typed ahead")  # …during which this is typed
    child.expect("Wrong email or password")
    child.expect("Email")
    child.expect_exact("\x1b[?25h")  # the Email prompt drawn, with whatever it holds
    child.send_unread("\x04")  # Ctrl-D: leave
    child.expect(pexpect.EOF)
    assert "secret" not in shown.getvalue()  # not echoed, not in the next prompt
