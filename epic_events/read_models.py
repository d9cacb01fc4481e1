"""What screens are handed: frozen rows built from the ORM's, with no SQL behind them.

Controllers return these; views draw them and never see an ORM row, so a screen cannot
load a relationship behind the controller's back. Each `of(row)` reads plain attributes
(duck-typed: an ORM row, or anything with the same attributes), the related names
included: the manager must have loaded them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from epic_events.departments import DepartmentName
from epic_events.paging import Page

R = TypeVar("R")


def page_of(model: type[R], page: Page) -> Page[R]:
    """`page` with each of its rows made a `model` (ClientRow, …) by `model.of`."""
    return replace(page, items=[model.of(row) for row in page.items])  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ClientRow:
    id: int
    full_name: str
    email: str
    phone: str
    company_name: str
    commercial_contact_id: int
    commercial_name: str
    created_at: datetime | None
    updated_at: datetime | None
    archived_at: datetime | None
    version: int

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def of(cls, client) -> ClientRow:
        return cls(
            id=client.id,
            full_name=client.full_name,
            email=client.email,
            phone=client.phone,
            company_name=client.company_name,
            commercial_contact_id=client.commercial_contact_id,
            commercial_name=client.commercial_contact.name,
            created_at=client.created_at,
            updated_at=client.updated_at,
            archived_at=client.archived_at,
            version=client.version,
        )


@dataclass(frozen=True)
class ContractRow:
    """A contract with what screens show of its client and its commercial contact."""

    id: int
    client_id: int
    client_name: str
    client_company: str
    client_email: str
    client_phone: str
    commercial_contact_id: int
    commercial_name: str
    total_amount: Decimal
    amount_due: Decimal
    signed: bool
    signed_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    archived_at: datetime | None
    version: int

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def of(cls, contract) -> ContractRow:
        client = contract.client
        return cls(
            id=contract.id,
            client_id=contract.client_id,
            client_name=client.full_name,
            client_company=client.company_name,
            client_email=client.email,
            client_phone=client.phone,
            commercial_contact_id=contract.commercial_contact_id,
            commercial_name=contract.commercial_contact.name,
            total_amount=contract.total_amount,
            amount_due=contract.amount_due,
            signed=contract.signed,
            signed_at=contract.signed_at,
            created_at=contract.created_at,
            updated_at=contract.updated_at,
            archived_at=contract.archived_at,
            version=contract.version,
        )


@dataclass(frozen=True)
class EventRow:
    """An event with its client's name and contact details; `support_name` is None when it
    has no support contact."""

    id: int
    name: str
    contract_id: int
    client_id: int
    client_name: str
    client_company: str
    client_email: str
    client_phone: str
    start_at: datetime
    end_at: datetime
    support_contact_id: int | None
    support_name: str | None
    location: str
    attendees: int
    notes: str
    updated_at: datetime | None
    archived_at: datetime | None
    version: int

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def of(cls, event) -> EventRow:
        contract = event.contract
        client = contract.client
        support = None if event.support_contact_id is None else event.support_contact
        return cls(
            id=event.id,
            name=event.name,
            contract_id=event.contract_id,
            client_id=contract.client_id,
            client_name=client.full_name,
            client_company=client.company_name,
            client_email=client.email,
            client_phone=client.phone,
            start_at=event.start_at,
            end_at=event.end_at,
            support_contact_id=event.support_contact_id,
            support_name=None if support is None else support.name,
            location=event.location,
            attendees=event.attendees,
            notes=event.notes,
            updated_at=event.updated_at,
            archived_at=event.archived_at,
            version=event.version,
        )


@dataclass(frozen=True)
class CollaboratorRow:
    """A collaborator as screens show them: never a password hash.

    `token_version` is their session generation: a screen that changed one's own email or
    password starts the new session from this row (Authenticator.refresh).
    """

    id: int
    name: str
    email: str
    phone: str
    department: DepartmentName
    active: bool
    created_at: datetime | None
    updated_at: datetime | None
    token_version: int = 0
    version: int = 1

    @property
    def department_name(self) -> DepartmentName:
        """The same as `department`, under the name CurrentUser.of reads."""
        return self.department

    @classmethod
    def of(cls, collaborator) -> CollaboratorRow:
        return cls(
            id=collaborator.id,
            name=collaborator.name,
            email=collaborator.email,
            phone=collaborator.phone,
            department=DepartmentName(collaborator.department_name),
            active=collaborator.active,
            version=collaborator.version,
            created_at=collaborator.created_at,
            updated_at=collaborator.updated_at,
            token_version=collaborator.token_version,
        )


@dataclass(frozen=True)
class HistoryLine:
    """One audit entry; `changes` is a read-only {field: (before, after)} mapping."""

    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: int
    changes: Mapping[str, tuple[Any, ...]]

    @classmethod
    def of(cls, entry) -> HistoryLine:
        changes = {field: tuple(values) for field, values in (entry.changes or {}).items()}
        return cls(
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            changes=MappingProxyType(changes),
        )


@dataclass(frozen=True)
class ClientDetail:
    """A client's screen: the client, and its latest contracts and events."""

    client: ClientRow
    contracts: Page[ContractRow]
    events: Page[EventRow]


@dataclass(frozen=True)
class ContractDetail:
    """A contract's screen: the contract, and its latest events."""

    contract: ContractRow
    events: Page[EventRow]


# -- as JSON (a command's --format json; managers/exports.json_lines writes the same) -----------

HIDDEN_KEYS = {"token_version"}  # a session's generation: nothing a script needs


def plain(value):
    """`value` as JSON holds it: money as text with two decimals, dates ISO 8601 in local
    time with their offset, enumerations by value."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.astimezone().isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def as_json(row) -> dict:
    """A read model as a JSON object: its fields, in its order (the keys are stable)."""
    return {
        field.name: plain(getattr(row, field.name))
        for field in fields(row)
        if field.name not in HIDDEN_KEYS
    }


@dataclass(frozen=True)
class SessionRow:
    """A live session, as gestion's "Active sessions" screen shows it."""

    id: int
    collaborator_id: int
    name: str
    email: str
    department: str
    workstation: str
    started_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    yours: bool
