"""Opening one record: fetch its read model from the controller, print its card, return it.

Every screen that asks for a client, contract, event or collaborator opens it through here
(lists with `v ID`, forms before they ask anything), so the screens need not import each
other.
"""

from __future__ import annotations

from epic_events.controllers import clients, collaborators, contracts, events
from epic_events.read_models import ClientDetail, CollaboratorRow, ContractDetail, EventRow
from epic_events.views.context import AppContext
from epic_events.views.renderers import (
    render_client,
    render_collaborator,
    render_contract,
    render_event,
)


def show_client(ctx: AppContext, client_id: int) -> ClientDetail:
    detail = clients.get_client(ctx.uow(), ctx.user, client_id)
    ctx.console.print(render_client(detail))
    return detail


def show_contract(ctx: AppContext, contract_id: int) -> ContractDetail:
    detail = contracts.get_contract(ctx.uow(), ctx.user, contract_id)
    ctx.console.print(render_contract(detail))
    return detail


def show_event(ctx: AppContext, event_id: int) -> EventRow:
    event = events.get_event(ctx.uow(), ctx.user, event_id)
    ctx.console.print(render_event(event))
    return event


def show_collaborator(ctx: AppContext, collaborator_id: int) -> CollaboratorRow:
    collaborator = collaborators.get_collaborator(ctx.uow(), ctx.user, collaborator_id)
    ctx.console.print(render_collaborator(collaborator))
    return collaborator
