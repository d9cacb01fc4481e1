"""Features beyond the brief, through the real program: dashboard, archive, history, export,
duplicate guard and deactivation."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta

import pexpect
import pytest
from sqlalchemy import text

from epic_events.controllers import clients, collaborators, contracts, events
from epic_events.controllers.auth import CurrentUser
from epic_events.controllers.exports import CLIENT_HEADER
from epic_events.db import Database
from epic_events.managers.collaborators import CollaboratorManager
from tests.e2e.conftest import CLEAR, SUPER_EMAIL, SUPER_PASSWORD, log_in, menu_number, pick, picker

pytestmark = pytest.mark.e2e

SELLER = ("Bill Boquet", "bill@epicevents.example", "bill password 1")
OTHER_SELLER = ("Sara Lee", "sara@epicevents.example", "sara password 1")
HELPER = ("Kate Hastroff", "kate@epicevents.example", "kate password 1")
COLOUR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Seed:
    """Data written straight through the controllers, as the super user or a commercial."""

    def __init__(self, url: str):
        self.db = Database(url)
        with self.db.unit_of_work() as uow:
            self.admin = CurrentUser.of(CollaboratorManager(uow.session).get_by_email(SUPER_EMAIL))

    def collaborator(self, name: str, email: str, password: str, department: str) -> CurrentUser:
        created = collaborators.create_collaborator(
            self.db.unit_of_work(),
            self.admin,
            name=name,
            email=email,
            phone="+33 6 12 34 56 78",
            department=department,
            password=password,
        )
        return CurrentUser.of(created)

    def client(self, seller: CurrentUser, name: str, email: str, company: str) -> int:
        return clients.create_client(
            self.db.unit_of_work(),
            seller,
            full_name=name,
            email=email,
            phone="06 12 34 56 78",
            company_name=company,
        ).id

    def contract(self, client_id: int, total: str, due: str, signed: bool = False) -> int:
        contract = contracts.create_contract(
            self.db.unit_of_work(),
            self.admin,
            client_id=client_id,
            total_amount=total,
            amount_due=due,
        )
        if signed:
            contracts.sign_contract(self.db.unit_of_work(), self.admin, contract.id)
        return contract.id

    def event(self, seller: CurrentUser, contract_id: int, name: str, days_ahead: int) -> int:
        start = (datetime.now() + timedelta(days=days_ahead)).replace(microsecond=0)
        return events.create_event(
            self.db.unit_of_work(),
            seller,
            contract_id=contract_id,
            name=name,
            start_at=start.astimezone(),
            end_at=(start + timedelta(hours=5)).astimezone(),
            location="Candé-sur-Beuvron",
            attendees=40,
        ).id

    def count(self, table: str) -> int:
        with self.db.engine.connect() as conn:
            return conn.scalar(text(f"SELECT count(*) FROM {table}"))


@pytest.fixture
def seed(program):
    seed = Seed(program.env["DATABASE_ADMIN_URL"])
    yield seed
    seed.db.dispose()


def plain(screen: str) -> str:
    return COLOUR.sub("", screen).replace("\r", "")


def answer(child, *pairs):
    """Answer prompts in order: (expected prompt, typed text)."""
    for prompt, typed in pairs:
        child.expect(prompt)
        child.sendline(typed)


def log_in_screen(child, email: str, password: str) -> str:
    """Log in by typing; return what was shown between the greeting and the menu's prompt."""
    answer(child, ("Email", email), ("Password", password))
    child.expect("Logged in as")
    child.expect("Choice")
    return plain(child.before)


def open_list(child, label: str) -> str:
    """Open the list `label` of the current menu; leave it at its `List:` prompt."""
    child.sendline(menu_number(child, label))
    child.expect(r"List\S*:")
    return plain(child.before)


def list_command(child, command: str) -> str:
    """Type a command at a list's prompt; return the screen up to the next `List:` prompt."""
    child.sendline(command)
    child.expect(r"List\S*:")
    return plain(child.before)


def leave_list(child) -> None:
    child.sendline("0")
    child.expect("Choice")


def back(child) -> None:
    child.sendline("0")
    child.expect("Choice")


def log_out(child) -> None:
    child.sendline(menu_number(child, "Log out"))
    child.expect("Logged out")


def quit_cleanly(child) -> None:
    child.sendline("0")
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def leave_login_form(child) -> None:
    child.sendeof()  # at the Email prompt already shown (a Ctrl-D typed before it is lost)
    child.expect(pexpect.EOF)
    child.close()


def row_with(screen: str, *parts: str) -> int:
    """The index of the first line of `screen` holding every one of `parts`, or -1."""
    for index, line in enumerate(screen.splitlines()):
        if all(part in line for part in parts):
            return index
    return -1


# 1. Dashboard on login ------------------------------------------------------------------


def test_gestion_sees_its_dashboard_after_a_typed_login_then_the_main_menu(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    client_id = seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    signed_id = seed.contract(client_id, "750", "750", signed=True)
    seed.contract(client_id, "300", "300")
    seed.event(seller, signed_id, "Riverside Wedding", days_ahead=3)

    child = program.spawn()
    screen = log_in_screen(child, SUPER_EMAIL, SUPER_PASSWORD)
    dashboard_at = screen.index("Dashboard")
    assert dashboard_at < screen.index("My dashboard")  # the dashboard, then the menu
    assert re.search(r"Events without support, next 30 days\s+1\b", screen)
    assert re.search(r"Contracts signed this month\s+1 contract · 750,00\xa0€", screen)
    assert "Soonest events without support" in screen
    assert row_with(screen, "Riverside Wedding", "Kevin Casey") > 0
    assert "Still due by my clients" not in screen  # commerce's figures are not gestion's
    quit_cleanly(child)


def test_a_commercial_sees_unsigned_contracts_and_what_is_due_and_again_from_the_menu(
    program, seed
):
    seller = seed.collaborator(*SELLER, "commerce")
    client_id = seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    unsigned_id = seed.contract(client_id, "900", "400")
    seed.contract(client_id, "500", "250", signed=True)

    child = program.spawn()
    screen = log_in_screen(child, SELLER[1], SELLER[2])
    assert screen.index("Dashboard") < screen.index("My dashboard")
    assert re.search(r"Unsigned contracts\s+1\b", screen)
    assert re.search(r"Still due by my clients\s+2 contracts · 650,00\xa0€", screen)
    assert "Oldest unsigned contracts" in screen
    assert row_with(screen, f" {unsigned_id} ", "Kevin Casey", "900,00\u00a0€") > 0
    assert "Contracts signed this month" not in screen

    child.sendline(menu_number(child, "My dashboard"))
    child.expect("Enter: back to the menu")  # it stays until read
    again = plain(child.before)
    child.sendline("")
    child.expect("Choice")
    assert re.search(r"Unsigned contracts\s+1\b", again)
    assert re.search(r"Still due by my clients\s+2 contracts · 650,00\xa0€", again)
    quit_cleanly(child)


# 2. Archive and restore -----------------------------------------------------------------


def test_gestion_archives_a_client_with_its_contracts_and_restores_them(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    kept_id = seed.client(seller, "Ada Keeper", "ada@kept.io", "Kept Ltd")
    gone_id = seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    seed.contract(kept_id, "100", "100")
    seed.contract(gone_id, "200", "200")

    child = program.spawn()
    log_in(child)
    pick(child, "Clients")
    pick(child, "Archive a client", picker("Client"))
    child.sendline(str(gone_id))
    child.expect(rf"Client #{gone_id}")
    child.expect(rf"Archive client #{gone_id}\?")
    child.sendline("y")
    child.expect(rf"Archived client #{gone_id}, with 1 contract")
    child.expect("Choice")

    screen = open_list(child, "List and search clients")
    assert "Ada Keeper" in screen
    assert "Kevin Casey" not in screen
    shown = list_command(child, "a")
    assert "archived rows shown" in shown
    assert "Kevin Casey" in shown
    assert "Ada Keeper" in shown
    hidden = list_command(child, "a")
    assert "archived rows shown" not in hidden
    assert "Kevin Casey" not in hidden
    leave_list(child)
    back(child)

    pick(child, "Contracts")
    screen = open_list(child, "List and search contracts")
    assert "Ada Keeper" in screen
    assert "Kevin Casey" not in screen  # its contract went with it
    assert "Kevin Casey" in list_command(child, "a")
    leave_list(child)
    back(child)

    pick(child, "Clients")
    pick(child, "Restore an archived client", picker("Archived client"))
    child.sendline(str(gone_id))
    child.expect(rf"Restored client #{gone_id}, with 1 contract")
    child.expect("Choice")
    screen = open_list(child, "List and search clients")
    assert "Kevin Casey" in screen
    assert "Ada Keeper" in screen
    leave_list(child)
    back(child)

    pick(child, "Contracts")
    screen = open_list(child, "List and search contracts")
    assert row_with(screen, "Kevin Casey", "200,00\u00a0€", "unsigned") > 0
    leave_list(child)
    back(child)
    quit_cleanly(child)


def test_archiving_a_client_with_one_contract_says_one_contract_in_the_singular(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    client_id = seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    seed.contract(client_id, "200", "200")

    child = program.spawn()
    log_in(child)
    pick(child, "Clients")
    pick(child, "Archive a client", picker("Client"))
    child.sendline(str(client_id))
    answer(child, (rf"Archive client #{client_id}\?", "y"))
    child.expect("Choice")
    said = plain(child.before)
    back(child)
    quit_cleanly(child)
    assert f"Archived client #{client_id}, with 1 contract." in said, said


# 3. History -----------------------------------------------------------------------------


def test_the_history_of_a_client_and_recent_activity_show_each_change_latest_first(program, seed):
    seed.collaborator(*SELLER, "commerce")

    child = program.spawn()
    log_in(child, SELLER[1], SELLER[2])
    pick(child, "Clients")
    pick(child, "Create a client", "Full name")
    child.sendline("Kevin Casey")
    answer(
        child,
        ("Email", "kevin@startup.io"),
        ("Phone", "+33 6 11 11 11 11"),
        ("Company name", "Old Startup"),
    )
    child.expect(r"Created client #(\d+) Kevin Casey")
    client_id = child.match.group(1)
    child.expect("Choice")

    pick(child, "Update one of my clients", picker("Client"))
    child.sendline(client_id)
    answer(
        child,
        ("Full name", ""),
        ("Email", ""),
        ("Phone", ""),
        ("Company name", CLEAR + "New Startup"),
    )
    child.expect(f"Updated client #{client_id}")
    child.expect("Choice")

    child.sendline(menu_number(child, "History of a client"))
    child.expect(picker("Client"))
    child.sendline(client_id)
    child.expect(r"List\S*:")
    history = plain(child.before)
    assert f"History of client #{client_id}" in history
    updated = row_with(history, "update", f"client #{client_id}")
    created = row_with(history, "create", f"client #{client_id}")
    assert 0 < updated < created  # latest first
    assert "Company: Old Startup → New Startup" in history
    assert "Name: Kevin Casey" in history.splitlines()[created]
    assert "Bill Boquet" in history.splitlines()[updated]
    leave_list(child)
    back(child)
    assert "Recent activity" not in plain(child.before)  # gestion's only
    log_out(child)

    log_in(child)
    activity = open_list(child, "Recent activity")
    assert "Recent activity" in activity
    updated = row_with(activity, "update", f"client #{client_id}")
    created = row_with(activity, "create", f"client #{client_id}")
    hired = row_with(activity, "create", "collaborator #")
    assert 0 < updated < created < hired
    assert "Company: Old Startup → New Startup" in activity
    leave_list(child)
    quit_cleanly(child)


def changes_column(screen: str) -> str:
    """The text of the last column of a table, its wrapped lines joined again."""
    cells = [line.split("│")[-2] for line in screen.splitlines() if line.count("│") >= 3]
    return " ".join(" ".join(cells).split())


def test_the_history_shows_every_change_of_an_update_in_full(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    client_id = seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    clients.update_client(
        seed.db.unit_of_work(),
        seller,
        client_id,
        phone="+33 6 22 22 22 22",
        company_name="Cool Startup International",
    )

    child = program.spawn()
    log_in(child, SELLER[1], SELLER[2])
    pick(child, "Clients")
    child.sendline(menu_number(child, "History of a client"))
    answer(child, (picker("Client"), str(client_id)))
    child.expect(r"List\S*:")
    changes = changes_column(plain(child.before))
    leave_list(child)
    back(child)
    quit_cleanly(child)
    assert "Phone: 06 12 34 56 78 → +33 6 22 22 22 22" in changes
    assert "Company: Cool Startup LLC → Cool Startup International" in changes, changes


# 4. Export ------------------------------------------------------------------------------


def test_a_list_exports_to_csv_with_formulas_made_inert(program, seed, tmp_path):
    seller = seed.collaborator(*SELLER, "commerce")
    seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")
    evil_id = seed.client(seller, '=HYPERLINK("http://evil")', "evil@example.com", "Evil Corp")
    target = tmp_path / "clients.csv"

    child = program.spawn()
    log_in(child)
    pick(child, "Clients")
    open_list(child, "List and search clients")
    screen = list_command(child, f"x {target}")
    assert re.search(r"Exported 2 row\(s\) to", screen), screen
    assert str(target) in screen.replace("\n", "")
    leave_list(child)
    back(child)
    quit_cleanly(child)

    assert target.stat().st_mode & 0o777 == 0o600  # it holds clients' emails and phones
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CLIENT_HEADER
    assert len(rows) == 3
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(evil_id)][1] == '\'=HYPERLINK("http://evil")'
    assert any(row[1] == "Kevin Casey" and row[3] == "kevin@startup.io" for row in rows[1:])
    assert all(row[5] == "Bill Boquet" for row in rows[1:])


# 5. Duplicate guard ---------------------------------------------------------------------


def test_a_duplicate_client_is_shown_and_asked_about_and_an_existing_email_is_refused(
    program, seed
):
    seller = seed.collaborator(*SELLER, "commerce")
    seed.client(seller, "Kevin Casey", "kevin@startup.io", "Cool Startup LLC")

    child = program.spawn()
    log_in(child, SELLER[1], SELLER[2])
    pick(child, "Clients")
    pick(child, "Create a client", "Full name")
    child.sendline("kevin casey")
    answer(
        child,
        ("Email", "k.casey@elsewhere.io"),
        ("Phone", "+33 6 11 22 33 44"),
        ("Company name", "Cool Startup LLC"),
    )
    child.expect("Already known")
    child.expect("create anyway\\?")
    assert "kevin@startup.io" in plain(child.before)
    child.sendline("n")
    child.expect("No client was created")
    child.expect("Choice")
    assert seed.count("clients") == 1

    pick(child, "Create a client", "Full name")
    child.sendline("Someone Else")
    answer(child, ("Email", "KEVIN@startup.io"))  # checked at once, before the other fields
    child.expect("Already known")
    child.expect(r"Client #\d+ has this email: update it instead, or type another")
    child.expect("Email")  # asked again in place: the name typed is kept
    assert "Phone" not in plain(child.before)
    child.sendline("someone@else.io")
    answer(child, ("Phone", "+33 6 11 22 33 44"), ("Company name", "Other Company"))
    child.expect("Created client")
    child.expect("Choice")
    assert "create anyway" not in child.before
    assert seed.count("clients") == 2
    back(child)
    quit_cleanly(child)


# 6. Deactivation ------------------------------------------------------------------------


def toggle_activation(child, collaborator_id: int, question: str, outcome: str) -> None:
    pick(child, "Deactivate or reactivate a collaborator", picker("Collaborator"))
    child.sendline(str(collaborator_id))
    child.expect(question)
    child.sendline("y")
    child.expect(outcome)
    child.expect("Choice")


def test_a_deactivated_collaborator_cannot_log_in_until_reactivated(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")

    admin = program.spawn()
    log_in(admin)
    pick(admin, "Collaborators")
    toggle_activation(
        admin, seller.id, r"Deactivate Bill Boquet\?", rf"Collaborator #{seller.id} is deactivated"
    )
    back(admin)
    log_out(admin)  # the next program shows the login form, not a saved session

    refused = program.spawn()
    answer(refused, ("Email", SELLER[1]), ("Password", SELLER[2]))
    refused.expect("deactivated")
    refused.expect("Email")  # asked again
    assert "Logged in as" not in refused.before
    leave_login_form(refused)

    log_in(admin)
    pick(admin, "Collaborators")
    toggle_activation(
        admin, seller.id, r"Reactivate Bill Boquet\?", rf"Collaborator #{seller.id} is active again"
    )
    back(admin)
    log_out(admin)
    admin.expect("Email")
    leave_login_form(admin)

    welcome = program.spawn()
    log_in(welcome, SELLER[1], SELLER[2])
    assert "Bill Boquet" in welcome.before or "Bill Boquet" in welcome.after
    quit_cleanly(welcome)


def test_a_deactivated_collaborator_already_logged_in_is_stopped_at_the_next_action(program, seed):
    seller = seed.collaborator(*SELLER, "commerce")
    other = program.spawn()
    log_in(other, SELLER[1], SELLER[2])

    collaborators.set_active(seed.db.unit_of_work(), seed.admin, seller.id, active=False)

    pick(other, "Clients", "Choice")
    other.sendline(menu_number(other, "My clients"))
    other.expect("deactivated")
    other.expect("Email")  # back to the login form
    leave_login_form(other)
