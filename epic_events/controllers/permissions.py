"""The one place that decides who may do what, by department (SPEC: "Who may do what").

`PERMISSIONS` says which departments may try an action at all; `OWN_RECORDS_ONLY` says for
which of them it is limited to their own records (their clients, the events assigned to
them), which the controllers' guards then check on the record; `CONTACT_DEPARTMENTS` says who
may be a client's commercial contact or an event's support contact. No controller compares
departments itself.
"""

from __future__ import annotations

from enum import StrEnum

from epic_events.departments import DepartmentName
from epic_events.errors import PermissionDenied

GESTION = DepartmentName.GESTION
COMMERCE = DepartmentName.COMMERCE
SUPPORT = DepartmentName.SUPPORT
EVERYONE = frozenset(DepartmentName)


class Action(StrEnum):
    READ_ALL = "read clients, contracts and events"
    COLLABORATOR_LIST = "list collaborators"
    COLLABORATOR_CREATE = "create collaborators"
    COLLABORATOR_UPDATE = "update collaborators"
    COLLABORATOR_DELETE = "delete collaborators"
    OWN_PROFILE = "edit their own profile"
    CLIENT_CREATE = "create clients"
    CLIENT_UPDATE = "update clients"
    CLIENT_REASSIGN = "reassign a client's commercial contact"
    CONTRACT_CREATE = "create contracts"
    CONTRACT_UPDATE = "update contracts"
    CONTRACT_SIGN = "sign contracts"
    EVENT_CREATE = "create events"
    EVENT_UPDATE = "update events"
    EVENT_ASSIGN_SUPPORT = "assign an event's support contact"
    FILTER_EVENTS_WITHOUT_SUPPORT = "filter events without support"
    FILTER_UNSIGNED_CONTRACTS = "filter unsigned contracts"
    FILTER_UNPAID_CONTRACTS = "filter contracts not fully paid"
    FILTER_MY_CLIENTS = "filter my clients"
    FILTER_MY_EVENTS = "filter my events"
    COLLABORATOR_DEACTIVATE = "deactivate and reactivate collaborators"
    ARCHIVE = "archive and restore clients, contracts and events"
    ACTIVITY_READ = "see the recent activity of everyone"
    SESSIONS_MANAGE = "see and end everyone's sessions"


PERMISSIONS: dict[Action, frozenset[DepartmentName]] = {
    Action.READ_ALL: EVERYONE,
    Action.COLLABORATOR_LIST: frozenset({GESTION}),
    Action.COLLABORATOR_CREATE: frozenset({GESTION}),
    Action.COLLABORATOR_UPDATE: frozenset({GESTION}),
    Action.COLLABORATOR_DELETE: frozenset({GESTION}),
    Action.OWN_PROFILE: EVERYONE,
    Action.CLIENT_CREATE: frozenset({COMMERCE}),
    Action.CLIENT_UPDATE: frozenset({COMMERCE}),  # only their own clients
    Action.CLIENT_REASSIGN: frozenset({GESTION}),
    Action.CONTRACT_CREATE: frozenset({GESTION}),
    Action.CONTRACT_UPDATE: frozenset({GESTION, COMMERCE}),  # commerce: own clients only
    Action.CONTRACT_SIGN: frozenset({GESTION, COMMERCE}),  # commerce: own clients only
    Action.EVENT_CREATE: frozenset({COMMERCE}),  # own client, signed contract
    Action.EVENT_UPDATE: frozenset({SUPPORT}),  # only events assigned to them
    Action.EVENT_ASSIGN_SUPPORT: frozenset({GESTION}),
    Action.FILTER_EVENTS_WITHOUT_SUPPORT: frozenset({GESTION}),
    Action.FILTER_UNSIGNED_CONTRACTS: frozenset({COMMERCE}),
    Action.FILTER_UNPAID_CONTRACTS: frozenset({COMMERCE}),
    Action.FILTER_MY_CLIENTS: frozenset({COMMERCE}),
    Action.FILTER_MY_EVENTS: frozenset({SUPPORT}),
    Action.COLLABORATOR_DEACTIVATE: frozenset({GESTION}),
    Action.ARCHIVE: frozenset({GESTION}),
    Action.ACTIVITY_READ: frozenset({GESTION}),
    Action.SESSIONS_MANAGE: frozenset({GESTION}),
}

# Departments whose right to the action covers only their own records: a commercial's own
# clients (and those clients' contracts), a support helper's own events.
OWN_RECORDS_ONLY: dict[Action, frozenset[DepartmentName]] = {
    Action.CLIENT_UPDATE: frozenset({COMMERCE}),
    Action.CONTRACT_UPDATE: frozenset({COMMERCE}),
    Action.CONTRACT_SIGN: frozenset({COMMERCE}),
    Action.EVENT_CREATE: frozenset({COMMERCE}),
    Action.EVENT_UPDATE: frozenset({SUPPORT}),
}


class Contact(StrEnum):
    COMMERCIAL = "a client's commercial contact"
    SUPPORT = "an event's support contact"


# Who may hold each contact role.
CONTACT_DEPARTMENTS: dict[Contact, DepartmentName] = {
    Contact.COMMERCIAL: COMMERCE,
    Contact.SUPPORT: SUPPORT,
}

DEPARTMENT_LABELS = {GESTION: "management", COMMERCE: "sales", SUPPORT: "support"}


def can(department: DepartmentName | str, action: Action) -> bool:
    """True when `department` may attempt `action` (ownership is checked separately)."""
    try:
        return DepartmentName(department) in PERMISSIONS[action]
    except ValueError:
        return False


def require(department: DepartmentName | str, action: Action) -> None:
    """Raise PermissionDenied, saying who may, unless `department` may attempt `action`."""
    if not can(department, action):
        allowed = " and ".join(sorted(d.value for d in PERMISSIONS[action]))
        raise PermissionDenied(f"Only {allowed} may {action.value}.")


def only_own_records(department: DepartmentName | str, action: Action) -> bool:
    """True when `department` may do `action` only on its own records."""
    try:
        return DepartmentName(department) in OWN_RECORDS_ONLY.get(action, frozenset())
    except ValueError:
        return True


def may_act_on(
    department: DepartmentName | str, action: Action, *, owner_id: int | None, user_id: int
) -> bool:
    """True when `department` may attempt `action` on a record owned by `owner_id` (its
    commercial, its support contact): the table, and the owner for a department limited to
    its own records, as the controllers' guards check it. What a screen offers."""
    return can(department, action) and (
        not only_own_records(department, action) or owner_id == user_id
    )


def may_hold(department: DepartmentName | str, contact: Contact) -> bool:
    """True when a member of `department` may be `contact`."""
    return department == CONTACT_DEPARTMENTS[contact]
