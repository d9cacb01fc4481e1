"""Renderers read as text: untrusted values are shown literally, never as markup or escapes."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime

import pytest
from rich.console import Console
from rich.text import Text

from epic_events.departments import DepartmentName
from epic_events.paging import Page
from epic_events.read_models import CollaboratorRow
from epic_events.views.menu import MenuEntry, render_menu
from epic_events.views.renderers import render_collaborator, render_collaborators
from epic_events.views.text import EMPTY, format_datetime, literal, sanitize

CREATED = datetime(2021, 4, 18, 10, 30, tzinfo=UTC)
UPDATED = datetime(2023, 3, 29, 16, 5, tzinfo=UTC)
NASTY = [
    "[bold]x[/]",
    "[/]",
    "[red]",
    "[link=https://evil.example]click[/link]",
    "\\[not a tag]",
    "[[double]]",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "zero\u200bwidth",
    "\u202eevil",
    "C:\\path",
]


def render(renderable) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def collaborator(**fields) -> CollaboratorRow:
    values = {
        "id": 7,
        "name": "Bill Boquet",
        "email": "bill@epic-events.fr",
        "phone": "+678 123 456 78",
        "department": DepartmentName.COMMERCE,
        "active": True,
        "created_at": CREATED,
        "updated_at": UPDATED,
    }
    values.update(fields)
    return CollaboratorRow(**values)


@pytest.fixture
def paris_time():
    """Local time is Paris time (UTC+2 in summer), whatever the machine says."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "CET-1CEST,M3.5.0,M10.5.0/3"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


# -- list --------------------------------------------------------------------------------------


def test_the_list_shows_each_collaborator_on_its_row():
    page = Page(
        items=[
            collaborator(),
            collaborator(
                id=8, name="Kate Hastroff", email="kate@e.fr", department=DepartmentName.SUPPORT
            ),
        ],
        number=1,
        size=20,
        total=2,
    )
    text = render(render_collaborators(page))
    assert "Collaborators" in text
    for column in ("#", "Name", "Email", "Phone", "Department"):
        assert column in text
    bill_row = next(line for line in text.splitlines() if "Bill Boquet" in line)
    assert "7" in bill_row
    assert "bill@epic-events.fr" in bill_row
    assert "+678 123 456 78" in bill_row
    assert "commerce" in bill_row
    kate_row = next(line for line in text.splitlines() if "Kate Hastroff" in line)
    assert "support" in kate_row


def test_the_caption_says_which_page_of_how_many():
    page = Page(items=[collaborator()], number=1, size=20, total=41)
    assert "Page 1/3 · 41 in all" in render(render_collaborators(page))


def test_the_caption_of_a_search_says_what_was_searched_and_how_many_were_found():
    page = Page(items=[collaborator()], number=2, size=1, total=2)
    text = render(render_collaborators(page, "bill"))
    assert 'Page 2/2 · 2 found · search "bill"' in text


def test_an_empty_list_says_there_is_no_collaborator_yet():
    text = render(render_collaborators(Page(items=[], number=1, size=20, total=0)))
    assert "No collaborator yet." in text
    assert "Page 1/1 · 0 in all" in text


def test_an_empty_search_says_nothing_matches():
    text = render(render_collaborators(Page(items=[], number=1, size=20, total=0), "zz"))
    assert "No collaborator matches." in text
    assert "0 found" in text


@pytest.mark.parametrize("nasty", NASTY)
def test_a_name_that_looks_like_markup_is_shown_literally_in_the_list(nasty):
    page = Page(items=[collaborator(name=nasty)], number=1, size=20, total=1)
    text = render(render_collaborators(page))
    shown = sanitize(nasty)
    # a list cuts long text at 40 characters with an ellipsis; the detail shows it whole
    assert (shown if len(shown) <= 40 else shown[:39] + "…") in text
    assert shown in render(render_collaborator(collaborator(name=nasty)))
    assert "\x1b" not in text


def test_an_email_and_a_phone_that_look_like_markup_are_shown_literally_in_the_list():
    page = Page(
        items=[collaborator(email="[red]x@y.io", phone="[/]\x1b[2J")], number=1, size=20, total=1
    )
    text = render(render_collaborators(page))
    assert "[red]x@y.io" in text
    assert "[/]\\x1b[2J" in text


@pytest.mark.parametrize("search", ["[/]", "[red]", "[bold]x[/]", "\x1b[31m", "a]b[c"])
def test_a_search_that_looks_like_markup_is_shown_literally_in_the_caption(search):
    page = Page(items=[], number=1, size=20, total=0)
    text = render(render_collaborators(page, search))
    assert f'search "{sanitize(search)}"' in text


def test_a_search_that_looks_like_an_emoji_code_is_shown_as_typed_in_the_caption():
    page = Page(items=[], number=1, size=20, total=0)
    assert 'search ":smile:"' in render(render_collaborators(page, ":smile:"))


def test_a_search_ending_with_a_backslash_is_shown_as_typed_in_the_caption():
    page = Page(items=[], number=1, size=20, total=0)
    assert 'search "C:\\"' in render(render_collaborators(page, "C:\\"))


def test_an_escape_character_is_shown_as_four_visible_characters():
    page = Page(items=[collaborator(name="\x1b[31mRed")], number=1, size=20, total=1)
    text = render(render_collaborators(page))
    assert "\\x1b[31mRed" in text
    assert "\x1b" not in text


def test_a_terminal_never_receives_the_escape_character_of_a_name():
    console = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="truecolor")
    console.print(render_collaborator(collaborator(name="\x1b]0;pwned\x07\x1b[2J")))
    written = console.file.getvalue()
    assert "\x1b]0;pwned" not in written
    assert "\x1b[2J" not in written
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in written


# -- one collaborator --------------------------------------------------------------------------


def test_one_collaborator_is_shown_with_every_field(paris_time):
    text = render(render_collaborator(collaborator()))
    assert "Collaborator #7" in text
    assert "Bill Boquet" in text
    assert "bill@epic-events.fr" in text
    assert "+678 123 456 78" in text
    assert "commerce" in text
    assert "18/04/2021 12:30" in text  # 10:30 UTC in Paris summer time
    assert "29/03/2023 18:05" in text


@pytest.mark.parametrize("nasty", NASTY)
def test_one_collaborator_with_a_markup_like_name_is_shown_literally(nasty):
    text = render(render_collaborator(collaborator(name=nasty)))
    assert sanitize(nasty) in text
    assert "\x1b" not in text


def test_a_missing_value_is_shown_as_a_dash():
    text = render(render_collaborator(collaborator(phone="", updated_at=None)))
    phone_line = next(line for line in text.splitlines() if line.startswith("Phone"))
    updated_line = next(line for line in text.splitlines() if line.startswith("Updated"))
    assert EMPTY in phone_line
    assert EMPTY in updated_line


# -- text helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (None, ""),
        (12, "12"),
        ("plain", "plain"),
        ("Zoë Dupré", "Zoë Dupré"),
        ("\x1b[31m", "\\x1b[31m"),
        ("a\nb", "a\\nb"),
        ("a\rb", "a\\rb"),
        ("a\tb", "a b"),
        ("\x00", "\\x00"),
        ("\x7f", "\\x7f"),
        ("\x9b2J", "\\x9b2J"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("\u202eevil", "\\u202eevil"),
        ("\ufeffbom", "\\ufeffbom"),
        ("[bold]x[/]", "[bold]x[/]"),
    ],
)
def test_sanitize_shows_control_characters_as_visible_escapes(raw, shown):
    assert sanitize(raw) == shown


@pytest.mark.parametrize("nasty", NASTY)
def test_sanitized_text_is_printable(nasty):
    assert sanitize(nasty).isprintable()


def test_literal_keeps_brackets_as_plain_text():
    text = literal("[bold]x[/]")
    assert isinstance(text, Text)
    assert text.plain == "[bold]x[/]"
    assert not text.spans


def test_literal_of_nothing_is_a_dimmed_dash():
    for empty in (None, ""):
        text = literal(empty)
        assert text.plain == EMPTY
        assert str(text.style) == "dim"


def test_literal_applies_the_style_asked_for():
    assert str(literal("x", style="bold").style) == "bold"


def test_format_datetime_shows_local_time_in_the_program_format(paris_time):
    assert format_datetime(datetime(2023, 6, 4, 11, 0, tzinfo=UTC)) == "04/06/2023 13:00"
    assert format_datetime(datetime(2023, 1, 4, 11, 0, tzinfo=UTC)) == "04/01/2023 12:00"
    assert format_datetime(None) == ""


# -- menus -------------------------------------------------------------------------------------


def noop(ctx) -> None:
    return None


def test_a_menu_numbers_its_entries_from_1_and_ends_with_0_to_go_back():
    entries = [MenuEntry("Clients", noop), MenuEntry("Contracts", noop), MenuEntry("Events", noop)]
    text = render(render_menu("[bold]Main menu[/] · Bill Boquet", entries, "Log out"))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "Main menu · Bill Boquet" in lines[0]
    assert "[bold]" not in text
    assert lines[1:] == ["1  Clients", "2  Contracts", "3  Events", "0  Log out"]


def test_a_menu_without_entries_still_offers_the_way_back():
    text = render(render_menu("Collaborators", [], "Back"))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "Collaborators" in lines[0]
    assert lines[1:] == ["0  Back"]
