"""What a form's picker offers as a name is typed: the records this user may choose for this
action, the best few first, one statement each keystroke (uncounted, `ListQuery(counted=False)`).

Only what the action could accept is offered: the unsigned contracts of a commercial's own
clients to sign, the signed ones to create an event on, the active support staff for an
event's support, the archived records to restore. An id typed instead of a name (`12` or
`#12`) is looked up among the same records, so a picker never hands a form a record the
action would refuse for who or what it is (the action's controller still checks everything:
the record may change meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import (
    CONTACT_DEPARTMENTS,
    Action,
    Contact,
    only_own_records,
    require,
)
from epic_events.db import UnitOfWork
from epic_events.errors import ValidationError
from epic_events.managers.paging import Listing
from epic_events.paging import ListQuery
from epic_events.read_models import ClientRow, CollaboratorRow, ContractRow, EventRow
from epic_events.validators import parse_id

T = TypeVar("T")

OFFERED = 8  # the matches a picker shows under the field


def typed_id(text: str) -> int | None:
    """The id that starts `text` (`12`, `#12`, or `#12 Jane Doe` as a taken match reads),
    as parse_id reads ids everywhere, else None: a name to search for (`²` is no id)."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    try:
        return parse_id(first)
    except ValidationError:
        return None


def owner_filter(actor, action: Action) -> int | None:
    """The actor's id when `action` is limited to their own records (the permission
    table's OWN_RECORDS_ONLY), else None: every record."""
    return actor.id if only_own_records(actor.department_name, action) else None


@dataclass(frozen=True)
class Candidates(Generic[T]):
    """What a picker shows: the best matches (at most OFFERED), and whether more match."""

    rows: list[T]
    more: bool = False
    by_id: bool = False  # the text was an id: `rows` holds that record, or nothing


def _offer(
    listing: Listing,
    row: type,
    text: str,
    *,
    sort: str | None = None,
    descending: bool = False,
    archived: bool | None = False,
) -> Candidates:
    """`archived`: False offers the live records, True the archived ones (to restore),
    None either (to read)."""
    ident = typed_id(text)
    if ident is not None:
        found = listing.one(ident, archived=archived)
        return Candidates([row.of(found)] if found is not None else [], by_id=True)
    search = " ".join(text.split()) or None
    query = ListQuery(
        size=OFFERED,
        search=search,
        sort=sort,
        descending=descending,
        counted=False,
        include_archived=archived is not False,
    )
    page = (listing.archived_only() if archived else listing).first(query)
    return Candidates([row.of(item) for item in page.items], more=not page.exact)


def clients(
    uow: UnitOfWork,
    user: CurrentUser,
    text: str,
    action: Action = Action.READ_ALL,
    *,
    archived: bool | None = False,
) -> Candidates[ClientRow]:
    """Clients for `action`: a commercial's own for an update; see `_offer` for `archived`."""
    with uow:
        actor = authorise(uow, user, action)
        mine = owner_filter(actor, action)
        listing = uow.clients.listing(commercial_id=mine)
        return _offer(listing, ClientRow, text, archived=archived)


def contracts(
    uow: UnitOfWork,
    user: CurrentUser,
    text: str,
    action: Action = Action.READ_ALL,
    *,
    archived: bool | None = False,
) -> Candidates[ContractRow]:
    """Contracts for `action`: unsigned ones to sign, signed ones to create an event on,
    of a commercial's own clients when the action is limited to them; newest first."""
    with uow:
        actor = authorise(uow, user, action)
        mine = owner_filter(actor, action)
        listing = uow.contracts.listing(
            unsigned=action is Action.CONTRACT_SIGN,
            signed=action is Action.EVENT_CREATE,
            commercial_id=mine,
        )
        return _offer(listing, ContractRow, text, sort="id", descending=True, archived=archived)


def events(
    uow: UnitOfWork,
    user: CurrentUser,
    text: str,
    action: Action = Action.READ_ALL,
    *,
    archived: bool | None = False,
    now: datetime | None = None,
) -> Candidates[EventRow]:
    """Events for `action`: a support helper's own to update. To assign or update one, the
    next to come are offered, soonest first (an id reaches a past one), and, before anything
    is typed, the next without support to assign; otherwise (read, archive) latest first."""
    with uow:
        actor = authorise(uow, user, action)
        mine = owner_filter(actor, action)
        changing = (
            action in (Action.EVENT_ASSIGN_SUPPORT, Action.EVENT_UPDATE)
            and archived is False
            and typed_id(text) is None
        )
        listing = uow.events.listing(
            without_support=action is Action.EVENT_ASSIGN_SUPPORT and changing and not text.strip(),
            support_id=mine,
            upcoming_after=(now or datetime.now(UTC)) if changing else None,
        )
        return _offer(
            listing, EventRow, text, sort="start", descending=not changing, archived=archived
        )


def collaborators(
    uow: UnitOfWork,
    user: CurrentUser,
    text: str,
    action: Action = Action.COLLABORATOR_LIST,
    *,
    contact: Contact | None = None,
) -> Candidates[CollaboratorRow]:
    """Collaborators (gestion) by name; for a `contact` role, the active members of the
    department that may hold it (support staff for an event, commercials for a client)."""
    with uow:
        actor = authorise(uow, user, action)
        require(actor.department_name, Action.COLLABORATOR_LIST)
        department = None if contact is None else CONTACT_DEPARTMENTS[contact].value
        listing = uow.collaborators.listing(department, active_only=contact is not None)
        return _offer(listing, CollaboratorRow, text)
