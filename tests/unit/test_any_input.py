"""Any Unicode at any prompt gets a clear answer, never the unexpected-error screen:
property-based tests (hypothesis) feed random text to every parser and to the handlers of the
menus, the lists and the pickers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epic_events import validators
from epic_events.controllers.pickers import Candidates, typed_id
from epic_events.errors import ValidationError
from epic_events.paging import ListQuery, Page
from epic_events.read_models import ClientRow
from epic_events.views import browse, menu, pickers
from epic_events.views.collaborators import parse_department
from epic_events.views.context import AppContext
from epic_events.views.renderers import CLIENT_SORTS, render_clients
from tests.scripted_console import ScriptedConsole

# Every kind of character: letters and digits of every script (superscripts, Arabic-Indic),
# marks, controls, separators; surrogates excluded (a terminal cannot send them).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
TYPED = st.one_of(
    ANY_TEXT,
    st.sampled_from(["²", "١٢", "0", "-1", "99999999999999999999", "#", "# 1", "1,5.3", "\x00"]),
    st.from_regex(r"[ #0-9.,-]{0,12}", fullmatch=True),
)
PARSERS = [
    lambda raw: validators.validate_name(raw),
    validators.validate_email,
    validators.validate_phone,
    validators.validate_password,
    validators.validate_department,
    validators.parse_id,
    validators.parse_amount,
    validators.parse_datetime,
    validators.parse_attendees,
    validators.validate_company,
    validators.validate_event_name,
    validators.validate_location,
    validators.validate_notes,
    browse.clean_search,
    parse_department,
    typed_id,
]
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("parser", PARSERS, ids=lambda parser: getattr(parser, "__name__", "?"))
@EXAMPLES
@given(raw=TYPED)
def test_every_parser_answers_or_refuses_with_a_message(parser, raw):
    message = refusal(parser, raw)
    assert message is None or (message.strip() and "Traceback" not in message)


def refusal(parser, raw: str) -> str | None:
    """The parser's refusal, None when it accepts `raw` (any other exception fails)."""
    try:
        parser(raw)
    except ValidationError as problem:
        return problem.message
    return None


def scripted(answers: list[str]) -> tuple[AppContext, ScriptedConsole]:
    console = ScriptedConsole(answers)
    return AppContext(console, settings=None, uow=None, authenticator=None, user=None), console


@EXAMPLES
@given(typed=st.lists(TYPED, max_size=4))
def test_a_menu_answers_anything_typed_at_its_prompt(typed):
    chosen: list[str] = []
    entries = [
        menu.MenuEntry("First", lambda ctx: chosen.append("first")),
        menu.MenuEntry("Second", lambda ctx: chosen.append("second")),
    ]
    ctx, console = scripted(typed)
    menu.run_menu(ctx, "Test", entries)  # ends at EOF, when the answers run out
    screen = console.export_text()
    assert "unexpected" not in screen
    for answer in (raw.strip() for raw in typed):
        if answer in ("0", "q", "b"):
            break
        entry = answer.isascii() and answer.isdigit() and int(answer) in (1, 2)  # "01" too
        if answer not in ("", "?") and not entry:
            assert "Please type one of the numbers shown (1, 2, or 0); ? helps." in screen


def client(number: int) -> ClientRow:
    at = datetime(2030, 1, 1, tzinfo=UTC)
    return ClientRow(
        number, f"Client {number}", f"c{number}@example.com", "+33 1 23 45 67 89", "Acme",
        1, "Bill", at, at, None, 1,
    )  # fmt: skip


@EXAMPLES
@given(typed=st.lists(TYPED, max_size=5))
def test_a_list_answers_anything_typed_at_its_prompt(typed):
    opened: list[int] = []

    def fetch(query: ListQuery) -> Page:
        rows = [client(number) for number in range(1, 4)]
        return Page(rows, number=1, size=query.size, total=3)

    ctx, console = scripted(typed)
    screen = lambda ctx: browse.browse(  # noqa: E731 - a menu action, as the menus hold it
        ctx,
        fetch,
        lambda page, query: render_clients(page, query),
        lambda ctx, record_id: opened.append(record_id),
        CLIENT_SORTS,
    )
    menu.run_action(ctx, screen)  # the menus' error boundary: EOF cancels, as Ctrl-D does
    assert "unexpected" not in console.export_text()


@EXAMPLES
@given(typed=st.lists(TYPED, min_size=1, max_size=5))
def test_a_picker_answers_anything_typed_and_asks_again(typed):
    rows = [client(number) for number in range(1, 4)]

    def lookup(text: str) -> Candidates:
        ident = typed_id(text)
        if ident is not None:
            return Candidates([row for row in rows if row.id == ident], by_id=True)
        if "\x00" in text:
            raise ValidationError("Search cannot contain a NUL character.")
        found = [row for row in rows if text.strip().lower() in row.full_name.lower()]
        return Candidates(found)

    picker = pickers.Picker(lookup, pickers.describe_client, "client", lambda row: row.full_name)
    ctx, console = scripted(typed)
    chosen: list = []
    menu.run_action(ctx, lambda ctx: chosen.append(pickers.pick(ctx, "Client", picker)))
    assert all(row in rows for row in chosen)
    screen = console.export_text()
    assert "unexpected" not in screen
    if not chosen:  # the answers ran out before one was chosen: the form is cancelled
        assert "Cancelled: nothing was changed." in screen


@EXAMPLES
@given(typed=st.lists(TYPED, max_size=4))
def test_a_record_answers_anything_typed_at_its_prompt(typed):
    from epic_events.controllers.auth import CurrentUser
    from epic_events.departments import DepartmentName
    from epic_events.read_models import ClientDetail
    from epic_events.views import record_screens

    ran: list[str] = []
    empty = Page([], number=1, size=10, total=0)
    detail = ClientDetail(client(1), empty, empty)
    actions = [
        record_screens.RecordAction("h", "history", lambda ctx, record_id: ran.append("h")),
        record_screens.RecordAction("e", "edit", lambda ctx, record_id: ran.append("e")),
    ]
    ctx, console = scripted(typed)
    ctx.user = CurrentUser(1, "ann@example.com", "Ann", DepartmentName.GESTION)
    ctx.uow = lambda: None  # the record is loaded by the fake below
    menu.run_action(
        ctx,
        lambda ctx: record_screens.record_screen(
            ctx, 1, lambda uow, user, record_id: detail, lambda record: "card", actions
        ),
    )
    shown = console.export_text()
    assert "unexpected" not in shown
    for answer in (raw.strip().lower() for raw in typed):
        if answer in record_screens.BACK:
            break
        if answer not in ("h", "e", "?"):
            assert "here: h history · e edit · 0 back" in shown
