"""The dashboard rendered to text: figures, the next items, literal user text, empty sections."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from epic_events.controllers.dashboard import ContractLine, Dashboard, EventLine, Figure, Tally
from epic_events.departments import DepartmentName
from epic_events.views.dashboard import render_dashboard

WHEN = datetime(2041, 6, 4, 11, 0, tzinfo=UTC)
NASTY = "[bold]K[/] [red]C :smile:"


def render(dashboard: Dashboard) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(render_dashboard(dashboard))
    return console.export_text()


@pytest.fixture(autouse=True)
def paris_time(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def contract_line(id=346, client="Kevin Casey", total="1500.50"):
    return ContractLine(id, client, Decimal(total), WHEN)


def event_line(id=12, name="John Ouick Wedding", client="John Ouick", support=None):
    return EventLine(id, name, client, WHEN, support, "53 Rue du Château, Candé-sur-Beuvron")


def commerce(unsigned=None, unpaid=None, events=None) -> Dashboard:
    return Dashboard(
        DepartmentName.COMMERCE,
        unsigned=unsigned or Figure(0),
        unpaid=unpaid or Tally(0, Decimal("0")),
        client_events=events or Figure(0),
    )


def support(events=None) -> Dashboard:
    return Dashboard(DepartmentName.SUPPORT, assigned_events=events or Figure(0))


def gestion(waiting=None, signed=None) -> Dashboard:
    return Dashboard(
        DepartmentName.GESTION,
        without_support=waiting or Figure(0),
        signed_this_month=signed or Tally(0, Decimal("0")),
    )


def row_of(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


def test_commerce_figures_come_first_with_money_in_the_one_format():
    text = render(
        commerce(
            unsigned=Figure(7, (contract_line(),)),
            unpaid=Tally(2, Decimal("1234567.80")),
            events=Figure(3, (event_line(),)),
        )
    )
    assert "Dashboard · sales" in text
    assert "7" in row_of(text, "Unsigned contracts")
    assert "2 contracts · 1\u202f234\u202f567,80\u00a0€" in row_of(text, "Still due by my clients")
    assert "3" in row_of(text, "Upcoming events of my clients")
    assert text.index("Unsigned contracts") < text.index("Oldest unsigned contracts")


def test_the_lists_say_how_many_of_how_many_are_shown():
    text = render(
        commerce(unsigned=Figure(7, (contract_line(),)), events=Figure(1, (event_line(),)))
    )
    assert "Oldest unsigned contracts (1 of 7)" in text
    assert "Next events of my clients" in text
    assert "Next events of my clients (" not in text


def test_a_contract_line_shows_its_id_client_total_and_date_in_local_time():
    row = row_of(render(commerce(unsigned=Figure(1, (contract_line(),)))), "Kevin Casey")
    assert "346" in row
    assert "1\u202f500,50\u00a0€" in row
    assert "04/06/2041 13:00" in row  # 11:00 UTC in Paris in June


def test_an_event_without_support_shows_a_dash_and_one_with_support_their_name():
    events = Figure(2, (event_line(12), event_line(13, "Gala", support="Kate Hastroff")))
    text = render(commerce(events=events))
    assert "—" in row_of(text, "John Ouick Wedding")
    assert "Kate Hastroff" in row_of(text, "Gala")


@pytest.mark.parametrize(
    ("dashboard", "times"),
    [
        (commerce(unsigned=Figure(1, (contract_line(client=NASTY),))), 1),
        (commerce(events=Figure(1, (event_line(client=NASTY, support=NASTY),))), 2),
        (support(Figure(1, (event_line(name=NASTY, client=NASTY),))), 2),
        (gestion(Figure(1, (event_line(name=NASTY, client=NASTY),))), 2),
    ],
)
def test_markup_looking_names_are_shown_literally(dashboard, times):
    assert render(dashboard).count(NASTY) == times


def test_control_characters_in_names_are_shown_as_escapes():
    text = render(support(Figure(1, (event_line(client="Evil\x1b[31m Corp"),))))
    assert "\x1b" not in text
    assert "Evil\\x1b[31m Corp" in text


def test_empty_commerce_sections_say_so_in_one_line():
    text = render(commerce())
    assert "No unsigned contracts." in text
    assert "No upcoming events for your clients." in text
    assert "0 contracts · 0,00\u00a0€" in row_of(text, "Still due by my clients")
    assert "┃" not in text  # no empty table headers


def test_support_sees_their_next_events_with_client_start_and_location():
    text = render(support(Figure(6, (event_line(),))))
    assert "Dashboard · support" in text
    assert "6" in row_of(text, "My upcoming events")
    assert "My next events (1 of 6)" in text
    row = row_of(text, "John Ouick Wedding")
    assert "04/06/2041 13:00" in row
    assert "53 Rue du Château" in row
    assert "Support" not in text.split("My next events")[1]


def test_support_without_events_is_told_so():
    text = render(support())
    assert "No upcoming events assigned to you." in text
    assert "0" in row_of(text, "My upcoming events")


def test_gestion_sees_events_without_support_and_the_signature_approximation_named():
    text = render(gestion(Figure(2, (event_line(), event_line(13))), Tally(3, Decimal("4500.00"))))
    assert "Dashboard · management" in text
    assert "2" in row_of(text, "Events without support, next 30 days")
    assert "3 contracts · 4\u202f500,00\u00a0€" in row_of(text, "signed this month")
    assert "Soonest events without support" in text
    assert "John Ouick Wedding" in text


def test_empty_gestion_sections_say_so_in_one_line():
    text = render(gestion())
    assert "No event without support in the next 30 days." in text
    assert "0 contracts · 0,00\u00a0€" in row_of(text, "signed this month")


def test_one_contract_is_singular():
    text = render(gestion(signed=Tally(1, Decimal("10"))))
    assert "1 contract · 10,00\u00a0€" in text
