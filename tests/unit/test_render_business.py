"""Client, contract and event screens rendered to text: literal user text, one format."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from epic_events.paging import ListQuery, Page
from epic_events.read_models import (
    ClientDetail,
    ClientRow,
    ContractDetail,
    ContractRow,
    EventRow,
)
from epic_events.validators import parse_amount
from epic_events.views.renderers import (
    render_client,
    render_clients,
    render_contract,
    render_contracts,
    render_event,
    render_events,
)
from epic_events.views.text import format_money

WHEN = datetime(2023, 6, 4, 11, 0, tzinfo=UTC)
NASTY = "[bold]x[/] [/] :smile: \x1b[31m"


def render(renderable) -> str:
    console = Console(record=True, width=250, file=io.StringIO(), color_system="truecolor")
    console.print(renderable)
    return console.export_text()


def client(name="Kevin Casey"):
    return ClientRow(
        id=7,
        full_name=name,
        email="kevin@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
        commercial_contact_id=1,
        commercial_name="Bill Boquet",
        created_at=WHEN,
        updated_at=WHEN,
        archived_at=None,
        version=1,
    )


def contract(owner=None, signed=False):
    owner = owner or client()
    return ContractRow(
        id=346,
        client_id=owner.id,
        client_name=owner.full_name,
        client_company=owner.company_name,
        client_email=owner.email,
        client_phone=owner.phone,
        commercial_contact_id=owner.commercial_contact_id,
        commercial_name=owner.commercial_name,
        total_amount=Decimal("1500.50"),
        amount_due=Decimal("1234567.80"),
        signed=signed,
        signed_at=None,
        created_at=WHEN,
        updated_at=WHEN,
        archived_at=None,
        version=1,
    )


def event(support=None, name="John Ouick Wedding"):
    """An event on a signed contract; `support` is the name of its support contact."""
    signed = contract(signed=True)
    return EventRow(
        id=12,
        name=name,
        contract_id=signed.id,
        client_id=signed.client_id,
        client_name=signed.client_name,
        client_company=signed.client_company,
        client_email=signed.client_email,
        client_phone=signed.client_phone,
        start_at=WHEN,
        end_at=WHEN.replace(hour=23),
        support_contact_id=None if support is None else 2,
        support_name=support,
        location="Candé-sur-Beuvron",
        attendees=75,
        notes="DJ after party",
        updated_at=WHEN,
        archived_at=None,
        version=1,
    )


def page(*items, total=None):
    return Page(items=list(items), number=1, size=20, total=len(items) if total is None else total)


@pytest.fixture(autouse=True)
def paris_time(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def test_money_is_written_in_the_house_style_12_000_00_euros():
    text = render(render_contracts(page(contract())))
    assert "1\u202f500,50\u00a0€" in text
    assert "1\u202f234\u202f567,80\u00a0€" in text
    assert format_money(Decimal("0")) == "0,00\u00a0€"
    assert format_money(Decimal("12000"), currency=False) == "12\u202f000,00"
    assert parse_amount(format_money(Decimal("1234567.8"))) == Decimal("1234567.80")


def test_money_is_right_aligned():
    lines = render(render_contracts(page(contract()))).splitlines()
    row = next(line for line in lines if "Kevin Casey" in line)
    cells = [cell for cell in row.split("│") if cell.strip()]
    total_cell = next(cell for cell in cells if "500,50" in cell)
    assert total_cell.endswith("1\u202f500,50\u00a0€ ")
    assert total_cell.startswith(" ")


def test_dates_have_one_format_in_local_time():
    text = render(render_events(page(event())))
    assert "04/06/2023 13:00" in text  # 11:00 UTC in Paris in June
    detail = render(render_event(event()))
    assert "04/06/2023 13:00" in detail
    assert "05/06/2023 01:00" in detail  # the end, shown in the detail


def test_an_event_without_support_shows_a_dash():
    text = render(render_events(page(event(support=None))))
    row = next(line for line in text.splitlines() if "John Ouick Wedding" in line)
    assert "—" in row
    assert "Kate" not in render(render_event(event()))


def test_an_event_with_support_shows_their_name():
    text = render(render_event(event(support="Kate Hastroff")))
    assert "Kate Hastroff" in text
    assert "DJ after party" in text
    assert "kevin@startup.io" in text  # the client's contact details come with the event


@pytest.mark.parametrize(
    "renderable",
    [
        lambda: render_clients(page(client(NASTY))),
        lambda: render_client(ClientDetail(client(NASTY), page(), page())),
        lambda: render_contracts(page(contract(client(NASTY)))),
        lambda: render_contract(ContractDetail(contract(client(NASTY)), page())),
        lambda: render_events(page(event(name=NASTY))),
        lambda: render_event(event(name=NASTY)),
    ],
)
def test_text_a_user_typed_is_shown_literally_everywhere(renderable):
    text = render(renderable())
    assert "[bold]x[/] [/] :smile: \\x1b[31m" in text
    assert "\x1b" not in text.replace("\\x1b", "")


def test_a_signed_and_an_unsigned_contract_say_so():
    assert "unsigned" in render(render_contracts(page(contract(signed=False))))
    text = render(render_contracts(page(contract(signed=True))))
    assert "signed" in text
    assert "unsigned" not in text


def test_the_caption_says_the_page_the_search_and_the_sort():
    query = ListQuery(page=2, search="cool", sort="total", descending=True)
    text = render(render_contracts(Page([contract()], 2, 20, 41), query))
    assert 'Page 2/3 · 41 found · search "cool" · sorted by total ↓' in text


def test_a_client_detail_lists_its_contracts_and_events_or_says_there_are_none():
    empty = render(render_client(ClientDetail(client(), page(), page())))
    assert "No contract yet." in empty
    assert "No event yet." in empty
    more = Page(items=[contract()], number=1, size=1, total=2, exact=False)
    full = render(render_client(ClientDetail(client(), more, page(event()))))
    assert "Contracts (the latest 1; the lists show them all)" in full
    assert "John Ouick Wedding" in full


def test_an_empty_filter_says_nothing_matches_or_nothing_exists():
    assert "No event yet." in render(render_events(page()))
    assert "No event matches." in render(render_events(page(), ListQuery(search="zz")))


def test_history_speaks_with_labels_and_the_screens_formats():
    from epic_events.views.history import describe

    changes = {
        "start_at": ["2026-12-15T19:00+00:00", "2026-12-16T20:30+00:00"],
        "total_amount": ["1500.00", "12000.50"],
        "signed": ["False", "True"],
        "support_contact": [None, "Kate Hastroff"],
        "department_name": ["commerce", "support"],
        "notes": ["Bring chairs.", None],
    }
    text = describe(changes).plain
    assert "Start: 15/12/2026 20:00 → 16/12/2026 21:30" in text  # local: Paris
    assert "Total: 1\u202f500,00\u00a0€ → 12\u202f000,50\u00a0€" in text
    assert "Signed: No → Yes" in text
    assert "Support: Kate Hastroff" in text
    assert "Department: commerce → support" in text
    assert "Notes: Bring chairs. → —" in text
    assert "_" not in text
