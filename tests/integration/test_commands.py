"""Commands through the real program (`main(argv)` in-process, no terminal): sessions,
lists in three formats, records, history, actions and their exit statuses."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from epic_events.exit_status import ExitStatus
from epic_events.models import Client, Contract, Event
from tests.conftest import PASSWORD
from tests.integration.conftest import tag


@pytest.fixture
def business(installed):
    """Factory: a client of `owner`, a contract (signed or not) and an event on it."""

    def make(owner, *, signed=True, support=None, start=None, notes="", **client_fields):
        with Session(installed.engine, expire_on_commit=False) as session:
            client = Client(
                full_name=client_fields.pop("full_name", f"Client {tag()}"),
                email=f"client-{tag()}@example.com",
                phone="+33 1 23 45 67 89",
                company_name=client_fields.pop("company_name", "Cool Startup LLC"),
                commercial_contact_id=owner.id,
            )
            session.add(client)
            session.flush()
            contract = Contract(
                client_id=client.id,
                commercial_contact_id=owner.id,
                total_amount=Decimal("1500.00"),
                amount_due=Decimal("500.00"),
                signed=signed,
            )
            session.add(contract)
            session.flush()
            start = start or datetime.now(UTC) + timedelta(days=30)
            event = Event(
                contract_id=contract.id,
                name=f"Party {tag()}",
                start_at=start,
                end_at=start + timedelta(hours=5),
                location="53 Rue du Château, Candé-sur-Beuvron",
                attendees=75,
                notes=notes,
                support_contact_id=None if support is None else support.id,
            )
            session.add(event)
            session.commit()
            return client, contract, event

    return make


def test_login_with_password_stdin_saves_a_session_that_commands_use(cli, staff):
    seller = staff("commerce")
    result = cli("login", "--email", seller.email, "--password-stdin", stdin=PASSWORD + "\n")
    assert result.status == ExitStatus.OK, result
    assert result.out == ""
    assert "Logged in as" in result.err
    me = cli("profile", "show", "--format", "json")
    assert me.status == 0, me
    assert me.json()["email"] == seller.email
    assert "password" not in me.out
    assert "token_version" not in me.out


def test_a_wrong_password_is_status_3_and_saves_nothing(cli, staff):
    seller = staff("commerce")
    result = cli("login", "--email", seller.email, "--password-stdin", stdin="wrong password\n")
    assert result.status == ExitStatus.NOT_LOGGED_IN
    assert result.err.strip() == "epic_events: Wrong email or password."
    assert cli("clients", "list").status == ExitStatus.NOT_LOGGED_IN


def test_without_a_session_a_command_says_to_log_in_with_status_3(cli):
    result = cli("events", "list")
    assert result.status == 3
    assert result.out == ""
    assert result.err.strip() == "epic_events: Not logged in: run `epic_events login` first."


def test_login_without_a_terminal_never_waits_for_a_password(cli, staff):
    seller = staff("commerce")
    result = cli("login", "--email", seller.email)
    assert result.status == ExitStatus.USAGE
    assert "--password-stdin" in result.err


def test_logout_removes_the_session(cli, staff, logged_in):
    seller = staff("commerce")
    logged_in(seller)
    assert cli("clients", "list").status == 0
    result = cli("logout")
    assert result.status == 0
    assert "Logged out" in result.err
    assert cli("clients", "list").status == 3


def test_a_list_as_json_has_stable_keys_money_as_text_and_dates_with_offsets(
    cli, staff, logged_in, business
):
    seller = staff("commerce")
    client, contract, _ = business(seller, signed=False)
    logged_in(seller)
    result = cli("contracts", "list", "--filter", "unsigned", "--format", "json")
    assert result.status == 0, result
    rows = result.json()
    assert [row["id"] for row in rows] == [contract.id]
    row = rows[0]
    assert row["total_amount"] == "1500.00"
    assert row["amount_due"] == "500.00"
    assert row["client_name"] == client.full_name
    assert datetime.fromisoformat(row["created_at"]).utcoffset() is not None
    assert list(row) == [
        "id", "client_id", "client_name", "client_company", "client_email", "client_phone",
        "commercial_contact_id", "commercial_name", "total_amount", "amount_due", "signed",
        "signed_at", "created_at", "updated_at", "archived_at", "version",
    ]  # fmt: skip


def test_a_page_as_csv_is_the_exports_format_and_equals_the_streamed_all(
    cli, staff, logged_in, business
):
    seller = staff("commerce")
    client, _, _ = business(seller, full_name='=HYPERLINK("http://evil")')
    logged_in(seller)
    page = cli("clients", "list", "--filter", "mine", "--format", "csv")
    every = cli("clients", "list", "--filter", "mine", "--all", "--format", "csv")
    assert page.status == every.status == 0, (page, every)
    assert page.out == every.out  # Python's cells and PostgreSQL's COPY agree
    assert page.out.startswith("\ufeffID,Name,Company,")
    rows = list(csv.reader(io.StringIO(page.out.removeprefix("\ufeff"))))
    assert rows[1][0] == str(client.id)
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'  # guarded, as in the export
    assert page.out.endswith("\r\n")


def test_all_as_json_streams_every_row_past_the_lists_count_cap(cli, staff, logged_in, business):
    seller = staff("commerce")
    made = [business(seller)[0].id for _ in range(3)]
    logged_in(seller)
    result = cli("clients", "list", "--filter", "mine", "--all", "--format", "json")
    assert result.status == 0, result
    assert sorted(row["id"] for row in result.json()) == sorted(made)
    empty = cli(
        "clients", "list", "--search", "no such client anywhere", "--all", "--format", "json"
    )
    assert empty.json() == []


def test_a_table_escapes_untrusted_text_and_is_plain_without_a_terminal(
    cli, staff, logged_in, business
):
    seller = staff("commerce")
    business(seller, full_name="[bold red]Mallory\x1b[2J")
    logged_in(seller)
    result = cli("clients", "list", "--filter", "mine")
    assert result.status == 0, result
    assert "[bold red]Mallory\\x1b[2J" in result.out
    assert "\x1b" not in result.out


def test_show_and_history_of_a_record(cli, staff, logged_in, business):
    seller = staff("commerce")
    client, _contract, event = business(seller)
    logged_in(seller)
    shown = cli("events", "show", str(event.id), "--format", "json")
    assert shown.status == 0, shown
    assert shown.json()["id"] == event.id
    assert shown.json()["support_name"] is None
    assert cli("clients", "show", str(client.id)).out.count(client.full_name) >= 1
    updated = cli("clients", "update", str(client.id), "--phone", "+33 9 99 99 99 99")
    assert updated.status == 0, updated
    history = cli("clients", "history", str(client.id), "--format", "json")
    assert history.status == 0, history
    [line] = history.json()
    assert line["action"] == "update"
    assert line["entity_id"] == client.id
    assert line["changes"]["phone"] == ["+33 1 23 45 67 89", "+33 9 99 99 99 99"]


def test_a_missing_record_is_status_5(cli, staff, logged_in):
    logged_in(staff("gestion"))
    result = cli("contracts", "show", "999999999")
    assert result.status == ExitStatus.NOT_FOUND
    assert result.err.strip() == "epic_events: There is no contract #999999999."


def test_invalid_values_give_the_forms_messages_with_status_2(cli, staff, logged_in, business):
    seller = staff("commerce")
    _, contract, _ = business(seller)
    logged_in(seller)
    result = cli(
        "events", "create", "--contract", str(contract.id), "--name", "Party",
        "--start", "31/02/2026 13:00", "--end", "01/03/2026 13:00",
        "--location", "Paris", "--attendees", "75",
    )  # fmt: skip
    assert result.status == ExitStatus.USAGE
    assert result.err.strip() == (
        "epic_events: Start must be a date and time like DD/MM/YYYY HH:MM, e.g. 04/06/2026 13:00."
    )
    bad_email = cli(
        "clients", "create", "--name", "Kevin", "--email", "kevin", "--phone", "+678 123 456 78",
        "--company", "Cool Startup LLC",
    )  # fmt: skip
    assert bad_email.status == 2
    assert "is not an email address" in bad_email.err
    bad_id = cli("clients", "show", "twelve")
    assert bad_id.status == 2
    assert "Client id must be a positive whole number." in bad_id.err


def test_signing_without_a_terminal_needs_yes(cli, staff, logged_in, business, installed):
    seller = staff("commerce")
    _, contract, _ = business(seller, signed=False)
    logged_in(seller)
    refused = cli("contracts", "sign", str(contract.id))
    assert refused.status == ExitStatus.USAGE
    assert "--yes" in refused.err
    signed = cli("contracts", "sign", str(contract.id), "--yes", "--format", "json")
    assert signed.status == 0, signed
    assert signed.json()["signed"] is True
    again = cli("contracts", "sign", str(contract.id), "--yes")
    assert again.status == ExitStatus.CONFLICT


def test_a_duplicate_email_is_a_conflict(cli, staff, logged_in, business, installed):
    seller = staff("commerce")
    client, _, _ = business(seller)
    logged_in(seller)
    with installed.engine.connect() as conn:
        email = conn.execute(
            text("SELECT email FROM clients WHERE id = :i"), {"i": client.id}
        ).scalar()
    result = cli(
        "clients", "create", "--name", "Someone Else", "--email", email,
        "--phone", "+33 1 23 45 67 89", "--company", "Other",
    )  # fmt: skip
    assert result.status == ExitStatus.CONFLICT, result


def test_an_unexpected_error_is_status_1_one_line_and_logged(cli, staff, logged_in, monkeypatch):
    from epic_events.controllers import clients

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(clients, "list_clients", broken)
    from epic_events.views.commands import reads

    monkeypatch.setitem(reads.LISTS, "clients", reads.LISTS["clients"].__class__(
        **{**reads.LISTS["clients"].__dict__, "fetch": broken}
    ))  # fmt: skip
    logged_in(staff("support"))
    result = cli("clients", "list")
    assert result.status == ExitStatus.ERROR
    assert result.err.strip() == "epic_events: unexpected error; it was logged."
    assert "Traceback" not in result.err
    assert "boom" not in result.err


def test_dev_mode_keeps_its_rules_with_commands(cli, monkeypatch):
    refused = cli("--dev", "clients", "list")
    assert refused.status == ExitStatus.USAGE
    assert "Dev auto-login refused" in refused.err
    monkeypatch.setenv("EPIC_EVENTS_ENV", "development")
    monkeypatch.setenv("USER_1_PW", "super user password")
    result = cli("--dev", "profile", "show", "--format", "json")
    assert result.status == 0, result
    assert "DEVELOPMENT MODE" in result.err
    assert result.json()["department"] == "gestion"


def test_a_collaborator_made_by_command_logs_in_with_the_password_from_stdin(cli, staff, logged_in):
    logged_in(staff("gestion"))
    email = f"hire-{tag()}@example.com"
    made = cli(
        "collaborators", "create", "--name", "New Hire", "--email", email,
        "--phone", "+33 6 00 00 00 00", "--department", "support", "--password-stdin",
        "--format", "json", stdin="short\n",
    )  # fmt: skip
    assert made.status == ExitStatus.USAGE
    assert made.err.strip() == "epic_events: The password must have at least 8 characters."
    made = cli(
        "collaborators", "create", "--name", "New Hire", "--email", email,
        "--phone", "+33 6 00 00 00 00", "--department", "support", "--password-stdin",
        "--format", "json", stdin="long enough password\n",
    )  # fmt: skip
    assert made.status == 0, made
    assert made.json()["department"] == "support"
    login = cli("login", "--email", email, "--password-stdin", stdin="long enough password\n")
    assert login.status == 0, login
    assert cli("collaborators", "list").status == ExitStatus.REFUSED


def test_assigning_and_removing_support(cli, staff, logged_in, business):
    helper = staff("support")
    _, _, event = business(staff("commerce"))
    logged_in(staff("gestion"))
    assigned = cli(
        "events", "assign", str(event.id), "--support", str(helper.id), "--format", "json"
    )
    assert assigned.status == 0, assigned
    assert assigned.json()["support_contact_id"] == helper.id
    removed = cli("events", "assign", str(event.id), "--support", "none", "--format", "json")
    assert removed.status == 0, removed
    assert removed.json()["support_name"] is None
    again = cli("events", "assign", str(event.id), "--support", "none")
    assert again.status == ExitStatus.USAGE
    assert again.err.strip() == "epic_events: The event already has this support contact."


def test_archived_records_are_hidden_unless_asked_for_and_read_only(
    cli, staff, logged_in, business
):
    seller = staff("commerce")
    client, _, _ = business(seller)
    logged_in(staff("gestion"))
    archived = cli("clients", "archive", str(client.id), "--yes", "--format", "json")
    assert archived.status == 0, archived
    assert archived.json()["archived_at"] is not None
    assert "with 1 contracts and 1 events" in archived.err
    logged_in(seller)
    mine = cli("clients", "list", "--filter", "mine", "--format", "json")
    assert mine.json() == []
    shown = cli("clients", "list", "--filter", "mine", "--archived", "--format", "json")
    assert [row["id"] for row in shown.json()] == [client.id]
    update = cli("clients", "update", str(client.id), "--phone", "+33 9 99 99 99 99")
    assert update.status == ExitStatus.CONFLICT


def test_all_as_a_table_and_a_whole_history(cli, staff, logged_in, business):
    seller = staff("commerce")
    client, _, _ = business(seller)
    logged_in(seller)
    for phone in ("+33 1 00 00 00 01", "+33 1 00 00 00 02", "+33 1 00 00 00 03"):
        assert cli("clients", "update", str(client.id), "--phone", phone).status == 0
    table = cli("clients", "list", "--filter", "mine", "--all")
    assert table.status == 0, table
    assert client.full_name in table.out
    history = cli("clients", "history", str(client.id), "--all", "--format", "csv")
    assert history.status == 0, history
    lines = history.out.removeprefix("\ufeff").splitlines()
    assert lines[0] == "When,Who,Action,Record,Changes"
    assert len(lines) == 4
    assert "+33 1 00 00 00 02 -> +33 1 00 00 00 03" in lines[1]


@pytest.fixture
def far_zone(monkeypatch):
    """The workstation in India (+05:30): offsets with minutes, in Python and PostgreSQL."""
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("entity", ["clients", "contracts", "events", "collaborators"])
def test_all_as_json_written_by_postgresql_equals_the_pages_objects(
    cli, staff, logged_in, business, entity, far_zone
):
    """--all --format json is PostgreSQL's json_build_object; a page is Python's as_json:
    the same keys, in the same order, and the same values (microseconds, offsets, money,
    escapes)."""
    seller = staff("commerce", name=f"Seller {tag()}")
    marker = tag()
    for notes in ('multi\nline "quoted" \\ back \x01', "Château ☃ \t tab"):
        business(seller, full_name=f"Client {marker}", support=staff("support"), notes=notes)
    logged_in(staff("gestion"))
    search = seller.name if entity == "collaborators" else marker
    page = cli(entity, "list", "--search", search, "--format", "json")
    every = cli(entity, "list", "--search", search, "--all", "--format", "json")
    assert page.status == every.status == 0, (page, every)
    assert page.json(), page
    assert [list(row) for row in every.json()] == [list(row) for row in page.json()]
    assert every.json() == page.json()
    assert "+05:30" in every.out
    assert '{"id" : ' in every.out  # PostgreSQL's spacing: the fast way was taken


def test_an_update_at_an_old_version_is_a_conflict_and_changes_nothing(
    cli, staff, logged_in, business
):
    seller = staff("commerce")
    client, _, _ = business(seller)
    logged_in(seller)
    version = cli("clients", "show", str(client.id), "--format", "json").json()["version"]
    first = cli("clients", "update", str(client.id), "--phone", "+33 1 00 00 00 01",
                "--expect-version", str(version))  # fmt: skip
    assert first.status == 0, first
    stale = cli("clients", "update", str(client.id), "--phone", "+33 1 00 00 00 02",
                "--expect-version", str(version))  # fmt: skip
    assert stale.status == ExitStatus.CONFLICT
    assert "was changed by someone else" in stale.err
    shown = cli("clients", "show", str(client.id), "--format", "json").json()
    assert shown["phone"] == "+33 1 00 00 00 01"


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_a_refused_whole_list_writes_nothing(cli, staff, logged_in, fmt):
    logged_in(staff("support"))
    result = cli("contracts", "list", "--filter", "unpaid", "--all", "--format", fmt)
    assert result.status == ExitStatus.REFUSED
    assert result.out == ""
    assert result.err.strip() == "epic_events: Only commerce may filter contracts not fully paid."


def test_a_whole_history_and_activity_go_past_the_count_cap(
    cli, installed, staff, logged_in, business
):
    """`--all` streams every line: it used to stop at COUNT_CAP (5,000), paging a count."""
    from epic_events.paging import COUNT_CAP

    client, _, _ = business(staff("commerce"))
    actor, lines = f"Bulk {tag()}", COUNT_CAP + 7
    with installed.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_log (actor_name, action, entity, entity_id, changes)"
                " SELECT :actor, 'update', 'client', :id, '{}' FROM generate_series(1, :n)"
            ),
            {"actor": actor, "id": client.id, "n": lines},
        )
    logged_in(staff("gestion"))
    history = cli("clients", "history", str(client.id), "--all", "--format", "json")
    assert history.status == 0, history.err
    assert len(history.json()) == lines
    activity = cli("activity", "--all", "--search", actor, "--format", "csv")
    assert activity.status == 0, activity.err
    assert len(activity.out.removeprefix("\ufeff").splitlines()) == 1 + lines  # a header


@pytest.mark.parametrize(
    "command",
    [
        ["clients", "list", "--filter", "mine"],
        ["clients", "history", "{id}"],
        ["activity", "--search", "{actor}"],
    ],
)
def test_a_page_past_the_last_is_empty_so_a_script_paging_on_stops(
    cli, staff, logged_in, business, command
):
    """The menu shows the nearest page for a stale number; a command must not, or a loop
    asking for the next page until an empty one would never end."""
    seller = staff("commerce")
    client, _, _ = business(seller)
    logged_in(seller)
    assert cli("clients", "update", str(client.id), "--phone", "+33 1 00 00 00 09").status == 0
    if command[0] == "activity":
        logged_in(staff("gestion"))
    argv = [part.format(id=client.id, actor=seller.name) for part in command]
    first = cli(*argv, "--page", "1", "--format", "json")
    assert first.status == 0, first.err
    assert len(first.json()) == 1
    past = cli(*argv, "--page", "2", "--format", "json")
    assert past.status == 0, past.err
    assert past.json() == []
    assert "page 2 is past the last page (1)" in past.err
    for fmt in ("csv", "table"):
        result = cli(*argv, "--page", "9", "--format", fmt)
        assert (result.status, result.out) == (0, ""), result.err
        assert "page 9 is past the last page" in result.err


def test_as_or_epic_events_user_choose_whose_saved_session_a_command_uses(
    cli, staff, logged_in, monkeypatch
):
    """Without them, the last login on the machine; with them, the session named."""
    seller, manager = staff("commerce"), staff("gestion")
    logged_in(seller)
    logged_in(manager)  # the last login

    def me(*options: str) -> str:
        result = cli(*options, "profile", "show", "--format", "json")
        assert result.status == 0, result.err
        return result.json()["email"]

    assert me() == manager.email
    assert me("--as", seller.email.upper()) == seller.email
    monkeypatch.setenv("EPIC_EVENTS_USER", seller.email)
    assert me() == seller.email
    assert me("--as", manager.email) == manager.email  # the option wins
    monkeypatch.delenv("EPIC_EVENTS_USER")
    nobody = cli("--as", "nobody@example.com", "clients", "list")
    assert nobody.status == ExitStatus.NOT_LOGGED_IN
    assert nobody.err.strip() == (
        "epic_events: No saved session for nobody@example.com: "
        "run `epic_events login --email nobody@example.com` first."
    )
    assert cli("--as", seller.email, "logout").status == 0
    assert cli("--as", seller.email, "clients", "list").status == ExitStatus.NOT_LOGGED_IN
    assert me() == manager.email  # the other session stays


def test_events_take_iso_8601_dates_as_scripts_write_them(cli, staff, logged_in, business):
    seller = staff("commerce")
    _, contract, _ = business(seller)
    logged_in(seller)
    result = cli(
        "events", "create", "--contract", str(contract.id), "--name", "Launch",
        "--start", "2031-06-04T13:00+02:00", "--end", "2031-06-05T00:00Z",
        "--location", "Paris", "--attendees", "75", "--format", "json",
    )  # fmt: skip
    assert result.status == 0, result.err
    event = result.json()
    assert datetime.fromisoformat(event["start_at"]) == datetime(2031, 6, 4, 11, 0, tzinfo=UTC)
    assert datetime.fromisoformat(event["end_at"]) == datetime(2031, 6, 5, 0, 0, tzinfo=UTC)


def test_gestion_lists_and_ends_sessions_from_a_script(cli, staff, logged_in):
    boss, helper = staff("gestion"), staff("support")
    logged_in(helper)
    logged_in(boss)
    listed = cli("sessions", "list", "--format", "json")
    assert listed.status == ExitStatus.OK, listed
    rows = {row["email"]: row for row in listed.json()}
    assert rows[boss.email]["yours"] is True
    assert rows[helper.email]["yours"] is False
    assert set(rows[helper.email]) >= {"id", "workstation", "started_at", "last_seen_at"}
    table = cli("sessions", "list")
    assert helper.name in table.out
    csv_rows = cli("sessions", "list", "--format", "csv").out.lstrip("\ufeff").splitlines()
    assert csv_rows[0] == "id,name,email,department,workstation,since,last seen,yours"
    assert any(line.startswith(f"{rows[helper.email]['id']},") for line in csv_rows[1:])
    unconfirmed = cli("sessions", "end", str(rows[helper.email]["id"]))
    assert unconfirmed.status == ExitStatus.USAGE, unconfirmed
    ended = cli("sessions", "end", str(rows[helper.email]["id"]), "--yes")
    assert ended.status == ExitStatus.OK, ended
    again = cli("sessions", "end", str(rows[helper.email]["id"]), "--yes")
    assert again.status == ExitStatus.NOT_FOUND, again
    mine = cli("sessions", "end", str(rows[boss.email]["id"]), "--yes")
    assert mine.status == ExitStatus.REFUSED, mine
    assert "log out" in mine.err
    gone = cli("--as", helper.email, "clients", "list")
    assert gone.status == ExitStatus.NOT_LOGGED_IN, gone
    assert "ended by gestion" in gone.err


def test_only_gestion_sees_the_sessions_from_a_script(cli, staff, logged_in):
    logged_in(staff("commerce"))
    refused = cli("sessions", "list")
    assert refused.status == ExitStatus.REFUSED, refused
