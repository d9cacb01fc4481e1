"""Screens that fit: what is *visible* on an 80x24 and a 60x20 terminal (pyte, a terminal
emulator, reads what the real program wrote), not only what was printed."""

from __future__ import annotations

import re

import pyte
import pytest

from tests.e2e.conftest import log_in, menu_number
from tests.e2e.test_beyond_the_brief import SELLER, Seed

pytestmark = pytest.mark.e2e

DATE = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d")


class Screen:
    """A terminal emulator fed with everything the program writes."""

    def __init__(self, columns: int, lines: int):
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.Stream(self.screen)

    def write(self, text: str) -> None:
        self.stream.feed(text)

    def flush(self) -> None:
        pass

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def seed(program):
    seed = Seed(program.env["DATABASE_ADMIN_URL"])
    seller = seed.collaborator(*SELLER, "commerce")
    for number in range(30):
        client_id = seed.client(
            seller,
            f"Client Number {number:02} With A Long Name",
            f"client{number}@example.com",
            f"Company {number:02} International Holdings",
        )
        contract_id = seed.contract(client_id, "12000", "3000", signed=True)
        seed.event(seller, contract_id, f"Event {number:02} Gala Evening", days_ahead=number + 1)
    yield seed
    seed.db.dispose()


def open_upcoming_events(program, columns: int, lines: int) -> tuple[object, Screen]:
    child = program.spawn(dimensions=(lines, columns))
    screen = Screen(columns, lines)
    child.logfile_read = screen
    log_in(child)
    child.sendline(menu_number(child, "Events"))
    child.expect("Choice")
    child.sendline(menu_number(child, "Upcoming events"))
    child.expect("List")
    child.expect_exact("\x1b[?25h")  # the prompt is drawn, its cursor shown
    return child, screen


def test_a_list_fits_80_by_24_with_its_title_headers_rows_keys_and_prompt(program, seed):
    child, screen = open_upcoming_events(program, 80, 24)
    lines = screen.lines
    shown = screen.text()
    assert lines[0].startswith("Upcoming events"), shown
    header = next(line for line in lines if "Event" in line and "Start" in line)
    assert "#" in header
    rows = [line for line in lines if DATE.search(line)]
    assert len(rows) >= 10, shown  # the page fills the screen…
    assert all(len(line) <= 80 for line in lines)
    assert re.search(r"│\s+1 │\s+\d+ │ Event 00", shown), shown  # numbered rows, ids whole
    assert any(line.startswith("Page 1/") or "Page 1/" in line for line in lines)
    assert any(line.startswith("1-9") for line in lines)  # the keys, readable without colour
    assert [line for line in lines if line][-1].startswith("List:"), shown  # …and the prompt

    child.sendline("3")  # open the third row: its record, with what gestion may do
    child.expect("Action")
    child.expect_exact("\x1b[?25h")
    shown = screen.text()
    assert screen.lines[0].startswith("Event #"), shown
    assert "Event 02 Gala Evening" in shown
    assert "s support" in shown
    assert "a archive" in shown
    assert [line for line in screen.lines if line][-1].startswith("Action:"), shown
    child.sendline("0")
    child.expect("List")
    child.expect_exact("\x1b[?25h")
    assert screen.lines[0].startswith("Upcoming events"), screen.text()


def test_a_list_stacks_its_rows_below_70_columns(program, seed):
    _child, screen = open_upcoming_events(program, 60, 20)
    lines = screen.lines
    shown = screen.text()
    assert lines[0].startswith("Upcoming events"), shown
    assert all(len(line) <= 60 for line in lines)
    first = next(index for index, line in enumerate(lines) if "Event 00 Gala Evening" in line)
    assert re.match(r"\s+1 \d+\s+Event 00", lines[first]), shown  # number, id, name: whole
    assert DATE.search(lines[first + 1]), shown  # the start date whole, on the second line
    assert [line for line in lines if line][-1].startswith("List:"), shown


def test_arrows_select_a_row_and_enter_opens_it(program, seed):
    child, screen = open_upcoming_events(program, 80, 24)
    child.send_unread("\x1b[B")  # Down: the first row
    child.expect_exact("\x1b[?25h")
    child.send_unread("j")  # j: the second
    child.expect_exact("\x1b[?25h")
    child.sendline("")
    child.expect("Action")
    child.expect_exact("\x1b[?25h")
    assert "Event 01 Gala Evening" in screen.text(), screen.text()
