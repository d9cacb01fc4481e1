"""Screens get frozen read models, never ORM rows; and a relationship a manager did not load
fails loudly instead of sending one more query per row."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError

from epic_events.controllers import audit, clients, collaborators, contracts, events
from epic_events.models import Base, Client, Contract, Event
from epic_events.paging import ListQuery
from epic_events.read_models import (
    ClientDetail,
    ClientRow,
    CollaboratorRow,
    ContractDetail,
    ContractRow,
    EventRow,
    HistoryLine,
)


@pytest.fixture
def business(uow_factory, gestion, commerce, support):
    client = clients.create_client(
        uow_factory(),
        commerce,
        full_name="Kevin Casey",
        email="kevin.read-models@startup.io",
        phone="+678 123 456 78",
        company_name="Cool Startup LLC",
    )
    contract = contracts.create_contract(
        uow_factory(), gestion, client_id=client.id, total_amount="1000"
    )
    contracts.sign_contract(uow_factory(), commerce, contract.id)
    event = events.create_event(
        uow_factory(),
        commerce,
        contract_id=contract.id,
        name="John Ouick Wedding",
        start_at="04/06/2031 13:00",
        end_at="05/06/2031 02:00",
        location="Candé-sur-Beuvron",
        attendees=75,
    )
    events.assign_support(uow_factory(), gestion, event.id, support.id)
    return client, contract, event


def test_every_screen_is_handed_read_models_and_no_orm_row(
    uow_factory, gestion, commerce, support, business
):
    client, contract, event = business
    for made, kind in zip(business, (ClientRow, ContractRow, EventRow), strict=True):
        assert type(made) is kind
    everything = ListQuery(include_archived=True)
    detail = clients.get_client(uow_factory(), gestion, client.id)
    assert type(detail) is ClientDetail
    assert type(detail.client) is ClientRow
    assert {type(row) for row in detail.contracts.items} == {ContractRow}
    assert {type(row) for row in detail.events.items} == {EventRow}
    contract_detail = contracts.get_contract(uow_factory(), gestion, contract.id)
    assert type(contract_detail) is ContractDetail
    assert type(contract_detail.contract) is ContractRow
    assert {type(row) for row in contract_detail.events.items} == {EventRow}
    seen = [
        *clients.list_clients(uow_factory(), gestion, everything).items,
        *contracts.list_contracts(uow_factory(), gestion, everything).items,
        *events.list_events(uow_factory(), gestion, everything).items,
        *collaborators.list_collaborators(uow_factory(), gestion).items,
        *audit.history(uow_factory(), gestion, "event", event.id, ListQuery()).items,
        *audit.recent_activity(uow_factory(), gestion, ListQuery()).items,
        events.get_event(uow_factory(), support, event.id),
        events.check_update_event(uow_factory(), support, event.id),
        clients.check_update_client(uow_factory(), commerce, client.id),
        contracts.check_update_contract(uow_factory(), commerce, contract.id),
        collaborators.get_collaborator(uow_factory(), support, support.id),
        *clients.find_duplicates(
            uow_factory(),
            commerce,
            email=client.email,
            full_name=client.full_name,
            company_name=client.company_name,
        ),
    ]
    assert seen
    kinds = (ClientRow, ContractRow, EventRow, CollaboratorRow, HistoryLine)
    assert all(isinstance(row, kinds) for row in seen)
    assert not any(isinstance(row, Base) for row in seen)


def test_what_a_read_model_shows_of_related_rows_comes_with_it(
    uow_factory, gestion, support, business
):
    client, contract, event = business
    shown = events.get_event(uow_factory(), gestion, event.id)
    assert (shown.client_id, shown.client_name, shown.client_email) == (
        client.id,
        "Kevin Casey",
        "kevin.read-models@startup.io",
    )
    assert shown.support_name == support.name
    assert contracts.get_contract(uow_factory(), gestion, contract.id).contract.commercial_name == (
        client.commercial_name
    )


@pytest.mark.parametrize(
    ("model", "relationship"),
    [
        (Client, "commercial_contact"),
        (Contract, "client"),
        (Contract, "commercial_contact"),
        (Event, "contract"),
        (Event, "support_contact"),
    ],
)
def test_a_relationship_no_query_loaded_raises_instead_of_querying(
    session, business, model, relationship
):
    ids = {Client: business[0].id, Contract: business[1].id, Event: business[2].id}
    session.expunge_all()  # nothing related in the session: reading it would need a query
    row = session.get(model, ids[model])
    with pytest.raises(InvalidRequestError, match="raise_on_sql"):
        getattr(row, relationship)
