"""The search, sort and filter indexes (migration 0002), declared here so the models and the
migrations describe the same schema (tests/integration/test_schema.py compares them)."""

from sqlalchemy import Index, func, text

from epic_events.models.client import Client
from epic_events.models.collaborator import Collaborator
from epic_events.models.contract import Contract
from epic_events.models.event import Event
from epic_events.models.search import ClientSearch, EventSearch


def _trigram(column) -> Index:
    return Index(
        f"ix_{column.table.name}_{column.name}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column.name: "gin_trgm_ops"},
    )


TRIGRAM_INDEXES = [
    _trigram(column)
    for column in (
        ClientSearch.__table__.c.search_doc,
        ClientSearch.__table__.c.search_pairs,
        EventSearch.__table__.c.search_pairs,
        Collaborator.__table__.c.name,
        Collaborator.__table__.c.email,
    )
]

# An event's support key next to its document's trigrams (btree_gin, migration 0009): "my
# events" or "without support" searched is one index scan; a search alone uses it too.
EVENT_SEARCH_INDEX = Index(
    "ix_event_search_support_key_search_doc_trgm",
    EventSearch.support_key,
    EventSearch.search_doc,
    postgresql_using="gin",
    postgresql_ops={"search_doc": "gin_trgm_ops"},
)

SORT_INDEXES = [
    Index("ix_clients_lower_full_name_id", func.lower(Client.full_name), Client.id),
    Index("ix_clients_lower_company_name_id", func.lower(Client.company_name), Client.id),
    Index("ix_clients_created_at_id", Client.created_at, Client.id),
    Index("ix_clients_updated_at_id", Client.updated_at, Client.id),
    Index("ix_contracts_created_at_id", Contract.created_at, Contract.id),
    Index("ix_contracts_total_amount_id", Contract.total_amount, Contract.id),
    Index("ix_contracts_amount_due_id", Contract.amount_due, Contract.id),
    Index("ix_events_start_at_id", Event.start_at, Event.id),
    # support's "my events", soonest first, read straight from the index
    Index(
        "ix_events_support_contact_id_start_at_id",
        Event.support_contact_id,
        Event.start_at,
        Event.id,
    ),
    Index("ix_events_lower_name_id", func.lower(Event.name), Event.id),
    Index("ix_events_attendees_id", Event.attendees, Event.id),
    Index("ix_contracts_signed_id", Contract.signed, Contract.id),
    Index("ix_collaborators_lower_name_id", func.lower(Collaborator.name), Collaborator.id),
]

PARTIAL_INDEXES = [
    # commerce's dashboard: the upcoming events of each of its clients' contracts
    Index(
        "ix_events_contract_id_start_at",
        Event.contract_id,
        Event.start_at,
        postgresql_where=text("archived_at IS NULL"),
    ),
    Index(
        "ix_events_without_support",
        Event.start_at,
        Event.id,
        postgresql_where=text("support_contact_id IS NULL"),
    ),
    # Commerce's filters: "contracts of my clients" through the contract's own commercial
    # contact, which reassign_client keeps equal to the client's (no join, index only).
    Index(
        "ix_contracts_unsigned",
        Contract.commercial_contact_id,
        Contract.id,
        postgresql_where=text("NOT signed"),
    ),
    Index(
        "ix_contracts_unpaid",
        Contract.commercial_contact_id,
        Contract.id,
        postgresql_where=text("amount_due > 0"),
    ),
]
