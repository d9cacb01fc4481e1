"""Read models: built from any object with the ORM's attribute names, frozen, and enough
for every screen to render without an ORM row in sight."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from epic_events.departments import DepartmentName
from epic_events.paging import Page
from epic_events.read_models import (
    ClientDetail,
    ClientRow,
    CollaboratorRow,
    ContractDetail,
    ContractRow,
    EventRow,
    HistoryLine,
    page_of,
)
from epic_events.views.history import render_history
from epic_events.views.renderers import (
    render_client,
    render_collaborator,
    render_contract,
    render_event,
)

WHEN = datetime(2023, 6, 4, 11, 0, tzinfo=UTC)


def seller():
    return SimpleNamespace(
        id=3,
        name="Bill Boquet",
        email="bill@example.com",
        phone="+33 6 00 00 00 00",
        department_name=DepartmentName.COMMERCE,
        active=True,
        created_at=WHEN,
        updated_at=WHEN,
        token_version=2,
        version=4,
    )


def a_client():
    return SimpleNamespace(
        id=7,
        full_name="Kevin Casey",
        email="kevin@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
        commercial_contact_id=3,
        commercial_contact=seller(),
        created_at=WHEN,
        updated_at=WHEN,
        archived_at=None,
        version=4,
    )


def a_contract():
    return SimpleNamespace(
        id=346,
        client_id=7,
        client=a_client(),
        commercial_contact_id=3,
        commercial_contact=seller(),
        total_amount=Decimal("1500.50"),
        amount_due=Decimal("500.00"),
        signed=True,
        signed_at=WHEN,
        created_at=WHEN,
        updated_at=WHEN,
        archived_at=None,
        version=2,
    )


def an_event(**support):
    """An event without support, unless `support_contact_id` and `support_contact` are given
    (an event without support has no `support_contact` attribute at all: none is read)."""
    return SimpleNamespace(
        id=12,
        name="John Ouick Wedding",
        contract_id=346,
        contract=a_contract(),
        start_at=WHEN,
        end_at=WHEN.replace(hour=23),
        location="Candé-sur-Beuvron",
        attendees=75,
        notes="DJ after party",
        updated_at=WHEN,
        archived_at=WHEN,
        version=1,
        **({"support_contact_id": None} | support),
    )


def render(renderable) -> str:
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_a_client_row_reads_its_commercial_contacts_name():
    row = ClientRow.of(a_client())
    assert (row.id, row.full_name, row.company_name) == (7, "Kevin Casey", "Cool Startup LLC")
    assert (row.commercial_contact_id, row.commercial_name) == (3, "Bill Boquet")
    assert row.version == 4
    assert not row.archived


def test_a_contract_row_carries_its_clients_name_and_contact_details():
    row = ContractRow.of(a_contract())
    assert row.client_id == 7
    assert (row.client_name, row.client_company) == ("Kevin Casey", "Cool Startup LLC")
    assert (row.client_email, row.client_phone) == ("kevin@startup.io", "+678 123 456 78")
    assert row.commercial_name == "Bill Boquet"
    assert row.total_amount == Decimal("1500.50")
    assert isinstance(row.total_amount, Decimal)
    assert (row.signed, row.signed_at) == (True, WHEN)


def test_an_event_row_carries_its_client_through_its_contract():
    row = EventRow.of(an_event())
    assert (row.contract_id, row.client_id, row.client_name) == (346, 7, "Kevin Casey")
    assert (row.client_email, row.client_phone) == ("kevin@startup.io", "+678 123 456 78")
    assert row.archived


def test_an_event_without_support_has_no_support_name_and_reads_no_support_contact():
    row = EventRow.of(an_event())  # no support_contact attribute: reading it would fail
    assert row.support_contact_id is None
    assert row.support_name is None


def test_an_event_with_support_names_them():
    helper = SimpleNamespace(id=5, name="Kate Hastroff")
    row = EventRow.of(an_event(support_contact_id=5, support_contact=helper))
    assert (row.support_contact_id, row.support_name) == (5, "Kate Hastroff")


def test_a_collaborator_row_has_their_department_as_the_enum_and_no_password_hash():
    row = CollaboratorRow.of(SimpleNamespace(**vars(seller()), password_hash="$argon2id$…"))
    assert row.department is DepartmentName.COMMERCE
    assert row.department_name is DepartmentName.COMMERCE
    assert (row.token_version, row.version) == (2, 4)
    assert "password_hash" not in {field.name for field in dataclasses.fields(row)}


def test_a_collaborator_row_accepts_a_department_given_as_text():
    source = vars(seller()) | {"department_name": "support"}
    assert CollaboratorRow.of(SimpleNamespace(**source)).department is DepartmentName.SUPPORT


def test_a_history_line_copies_the_changes_and_cannot_be_changed():
    changes = {"phone": ["+33 1", "+33 2"], "signed": ["False", "True"]}
    entry = SimpleNamespace(
        at=WHEN,
        actor_id=3,
        actor_name="Bill Boquet",
        action="update",
        entity="client",
        entity_id=7,
        changes=changes,
    )
    line = HistoryLine.of(entry)
    changes["phone"][1] = "changed afterwards"
    changes["email"] = [None, "x@y.io"]
    assert line.changes == {"phone": ("+33 1", "+33 2"), "signed": ("False", "True")}
    with pytest.raises(TypeError):
        line.changes["phone"] = ("a", "b")  # type: ignore[index]


def test_a_history_line_of_an_entry_without_changes_has_an_empty_mapping():
    entry = SimpleNamespace(
        at=WHEN, actor_id=None, actor_name="Gone", action="archive", entity="event",
        entity_id=1, changes=None,
    )  # fmt: skip
    assert dict(HistoryLine.of(entry).changes) == {}


@pytest.mark.parametrize(
    "row",
    [
        lambda: ClientRow.of(a_client()),
        lambda: ContractRow.of(a_contract()),
        lambda: EventRow.of(an_event()),
        lambda: CollaboratorRow.of(seller()),
    ],
)
def test_read_models_are_frozen(row):
    made = row()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.id = 99


def test_page_of_makes_each_row_a_read_model_and_keeps_the_paging():
    page = Page(items=[a_client(), a_client()], number=2, size=2, total=5000, exact=False)
    rows = page_of(ClientRow, page)
    assert all(isinstance(row, ClientRow) for row in rows.items)
    assert (rows.number, rows.size, rows.total, rows.exact) == (2, 2, 5000, False)
    assert all(not isinstance(item, ClientRow) for item in page.items)  # the page is untouched


def test_every_card_renders_from_read_models_made_of_plain_objects():
    one = Page(items=[EventRow.of(an_event())], number=1, size=10, total=1)
    client = render(
        render_client(
            ClientDetail(
                ClientRow.of(a_client()), page_of(ContractRow, Page([a_contract()], 1, 10, 1)), one
            )
        )
    )
    assert "Client #7" in client
    assert "Bill Boquet" in client
    assert "John Ouick Wedding" in client
    contract = render(render_contract(ContractDetail(ContractRow.of(a_contract()), one)))
    assert "#7 Kevin Casey" in contract
    assert "1\u202f500,50\u00a0€" in contract
    event = render(render_event(EventRow.of(an_event())))
    assert "kevin@startup.io · +678 123 456 78" in event
    assert "Archived" in event
    assert "commerce" in render(render_collaborator(CollaboratorRow.of(seller())))
    entry = SimpleNamespace(
        at=WHEN, actor_id=3, actor_name="Bill Boquet", action="update", entity="client",
        entity_id=7, changes={"phone": ["+33 1", "+33 2"]},
    )  # fmt: skip
    history = render(render_history(page_of(HistoryLine, Page([entry], 1, 20, 1))))
    assert "Phone: +33 1 → +33 2" in history


def test_read_models_load_neither_the_orm_nor_sqlalchemy():
    code = (
        "import sys, epic_events.read_models\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'\n"
        "          or m.startswith(('epic_events.models', 'epic_events.managers',\n"
        "                           'epic_events.db'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
