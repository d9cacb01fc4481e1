"""How clients, contracts, events and collaborators look: pure functions of read models.

Lists are one line per row; a record's card shows every field, with the latest related rows
under it. No controller here, no prompt: tests render these to text.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from epic_events.paging import ListQuery, Page
from epic_events.read_models import (
    ClientDetail,
    ClientRow,
    CollaboratorRow,
    ContractDetail,
    ContractRow,
    EventRow,
)
from epic_events.views.browse import (
    FIXED,
    NUMBER,
    RIGHT,
    add_empty_row,
    list_table,
    page_caption,
    related,
)
from epic_events.views.text import EMPTY, format_datetime, format_money, literal, sanitize

CLIENT_SORTS = {
    "name": "name",
    "company": "company",
    "email": "email",
    "created": "first contact",
    "updated": "last update",
}
CONTRACT_SORTS = {
    "id": "number",
    "total": "total",
    "due": "amount due",
    "created": "creation date",
    "signed": "status",
}
EVENT_SORTS = {
    "start": "start",
    "name": "name",
    "attendees": "attendees",
    "id": "number",
}


def _card(title: str) -> Table:
    card = Table.grid(padding=(0, 2))
    card.title = f"[bold]{title}[/]"
    card.title_justify = "left"
    card.add_column(style="bold")
    card.add_column()
    return card


# -- clients -----------------------------------------------------------------------------------


def render_clients(page: Page[ClientRow], query: ListQuery | None = None, title="Clients") -> Table:
    table = list_table(
        title,
        page_caption(page, query, CLIENT_SORTS),
        {
            "#": NUMBER,
            "Name": {},
            "Company": {},
            "Email": {"drop": 2},
            "Phone": {"fixed": True, "drop": 4},
            "Commercial": {"drop": 3},
            "Last update": {"fixed": True, "drop": 5},
        },
    )
    for client in page.items:
        table.add_row(
            str(client.id),
            literal(client.full_name),
            literal(client.company_name),
            literal(client.email),
            literal(client.phone),
            literal(client.commercial_name),
            literal(format_datetime(client.updated_at)),
            style="dim strike" if client.archived_at is not None else None,
        )
    if not page.items:
        add_empty_row(table, "client", query)
    return table


def render_client(detail: ClientDetail) -> Group:
    client = detail.client
    card = _card(f"Client #{client.id}")
    card.add_row("Name", literal(client.full_name))
    card.add_row("Company", literal(client.company_name))
    card.add_row("Email", literal(client.email))
    card.add_row("Phone", literal(client.phone))
    card.add_row("Commercial", literal(client.commercial_name))
    card.add_row("First contact", literal(format_datetime(client.created_at)))
    card.add_row("Last update", literal(format_datetime(client.updated_at)))
    if client.archived_at is not None:
        card.add_row("Archived", Text(format_datetime(client.archived_at), style="yellow"))
    return Group(
        card,
        related(detail.contracts, "contract", render_contracts),
        related(detail.events, "event", render_events),
    )


# -- contracts ---------------------------------------------------------------------------------


def contract_status(contract: ContractRow) -> Text:
    if contract.archived_at is not None:
        return Text("archived", style="dim")
    return Text("signed", style="green") if contract.signed else Text("unsigned", style="yellow")


def render_contracts(
    page: Page[ContractRow], query: ListQuery | None = None, title: str = "Contracts"
) -> Table:
    table = list_table(
        title,
        page_caption(page, query, CONTRACT_SORTS),
        {
            "#": NUMBER,
            "Client": {},
            "Company": {"drop": 2},
            "Commercial": {"drop": 3},
            "Total": RIGHT,
            "Due": RIGHT,
            "Status": FIXED,
            "Created": {"fixed": True, "drop": 4},
        },
    )
    for contract in page.items:
        table.add_row(
            str(contract.id),
            literal(contract.client_name),
            literal(contract.client_company),
            literal(contract.commercial_name),
            format_money(contract.total_amount),
            format_money(contract.amount_due),
            contract_status(contract),
            literal(format_datetime(contract.created_at)),
        )
    if not page.items:
        add_empty_row(table, "contract", query)
    return table


def render_contract(detail: ContractDetail) -> Group:
    contract = detail.contract
    card = _card(f"Contract #{contract.id}")
    card.add_row("Client", literal(f"#{contract.client_id} {sanitize(contract.client_name)}"))
    card.add_row("Company", literal(contract.client_company))
    card.add_row("Email", literal(contract.client_email))
    card.add_row("Phone", literal(contract.client_phone))
    card.add_row("Commercial", literal(contract.commercial_name))
    card.add_row("Total", format_money(contract.total_amount))
    card.add_row("Amount due", format_money(contract.amount_due))
    card.add_row("Status", contract_status(contract))
    card.add_row("Created", literal(format_datetime(contract.created_at)))
    card.add_row("Last update", literal(format_datetime(contract.updated_at)))
    if contract.signed_at is not None:
        card.add_row("Signed", literal(format_datetime(contract.signed_at)))
    if contract.archived_at is not None:
        card.add_row("Archived", Text(format_datetime(contract.archived_at), style="yellow"))
    return Group(card, related(detail.events, "event", render_events))


# -- events ------------------------------------------------------------------------------------


def support_name(event: EventRow) -> Text:
    if event.support_name is None:
        return Text(EMPTY, style="yellow")
    return literal(event.support_name)


def render_events(page: Page[EventRow], query: ListQuery | None = None, title="Events") -> Table:
    table = list_table(
        title,
        page_caption(page, query, EVENT_SORTS),
        {
            "#": NUMBER,
            "Event": {},
            "Client": {"drop": 1},
            "Contract": {**RIGHT, "drop": 4},
            "Start": FIXED,
            "Support": {},
            "Location": {"max_width": 30, "drop": 3},
            "Attendees": {**RIGHT, "drop": 2},
        },
    )
    for event in page.items:
        table.add_row(
            str(event.id),
            literal(event.name),
            literal(event.client_name),
            f"#{event.contract_id}",
            literal(format_datetime(event.start_at)),
            support_name(event),
            literal(event.location),
            str(event.attendees),
            style="dim strike" if event.archived_at is not None else None,
        )
    if not page.items:
        add_empty_row(table, "event", query)
    return table


def render_event(event: EventRow) -> Table:
    card = _card(f"Event #{event.id}")
    card.add_row("Name", literal(event.name))
    card.add_row("Contract", f"#{event.contract_id}")
    card.add_row("Client", literal(f"#{event.client_id} {sanitize(event.client_name)}"))
    card.add_row(
        "Client contact",
        literal(f"{sanitize(event.client_email)} · {sanitize(event.client_phone)}"),
    )
    card.add_row("Company", literal(event.client_company))
    card.add_row("Start", literal(format_datetime(event.start_at)))
    card.add_row("End", literal(format_datetime(event.end_at)))
    card.add_row("Support", support_name(event))
    card.add_row("Location", literal(event.location))
    card.add_row("Attendees", str(event.attendees))
    card.add_row("Notes", literal(event.notes))
    card.add_row("Last update", literal(format_datetime(event.updated_at)))
    if event.archived_at is not None:
        card.add_row("Archived", Text(format_datetime(event.archived_at), style="yellow"))
    return card


# -- collaborators -----------------------------------------------------------------------------


def render_collaborators(
    page: Page[CollaboratorRow],
    query: ListQuery | str | None = None,
    title: str = "Collaborators",
) -> Table:
    table = list_table(
        title,
        page_caption(page, query),
        {
            "#": NUMBER,
            "Name": {},
            "Email": {"drop": 2},
            "Phone": {"drop": 3},
            "Department": {},
        },
    )
    for collaborator in page.items:
        deactivated = "" if collaborator.active else " (deactivated)"
        table.add_row(
            str(collaborator.id),
            literal(collaborator.name),
            literal(collaborator.email),
            literal(collaborator.phone),
            literal(collaborator.department.value + deactivated),
        )
    if not page.items:
        add_empty_row(table, "collaborator", query)
    return table


def render_collaborator(collaborator: CollaboratorRow) -> Table:
    table = _card(f"Collaborator #{collaborator.id}")
    table.add_row("Name", literal(collaborator.name))
    table.add_row("Email", literal(collaborator.email))
    table.add_row("Phone", literal(collaborator.phone))
    table.add_row("Department", literal(collaborator.department.value))
    if not collaborator.active:
        table.add_row("Status", Text("deactivated", style="yellow"))
    table.add_row("Created", literal(format_datetime(collaborator.created_at)))
    table.add_row("Updated", literal(format_datetime(collaborator.updated_at)))
    return table
