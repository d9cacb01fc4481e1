"""The permission table, checked exhaustively against the SPEC's "Who may do what"."""

from __future__ import annotations

import pytest

from epic_events.controllers.permissions import (
    OWN_RECORDS_ONLY,
    PERMISSIONS,
    Action,
    Contact,
    can,
    may_hold,
    only_own_records,
    require,
)
from epic_events.errors import PermissionDenied
from epic_events.models.department import DepartmentName

G, C, S = "gestion", "commerce", "support"

# Written by hand from the SPEC, not derived from PERMISSIONS: action name -> who may try it.
# Ownership ("only their own clients", "only events assigned to them") is the controllers' job.
EXPECTED: dict[str, set[str]] = {
    "READ_ALL": {G, C, S},  # every collaborator may read every client, contract and event
    "COLLABORATOR_LIST": {G},
    "COLLABORATOR_CREATE": {G},
    "COLLABORATOR_UPDATE": {G},
    "COLLABORATOR_DELETE": {G},
    "OWN_PROFILE": {G, C, S},
    "CLIENT_CREATE": {C},  # the creator becomes its commercial contact
    "CLIENT_UPDATE": {C},  # only their own clients
    "CLIENT_REASSIGN": {G},  # gestion reassigns the commercial contact
    "CONTRACT_CREATE": {G},  # for any client
    "CONTRACT_UPDATE": {G, C},  # gestion any, commerce own clients' contracts
    "CONTRACT_SIGN": {G, C},
    "EVENT_CREATE": {C},  # own client, signed contract
    "EVENT_UPDATE": {S},  # only events assigned to them
    "EVENT_ASSIGN_SUPPORT": {G},
    "FILTER_EVENTS_WITHOUT_SUPPORT": {G},
    "FILTER_UNSIGNED_CONTRACTS": {C},
    "FILTER_UNPAID_CONTRACTS": {C},
    "FILTER_MY_CLIENTS": {C},
    "FILTER_MY_EVENTS": {S},
    # issue 7: management keeps the records and the people
    "COLLABORATOR_DEACTIVATE": {G},
    "ARCHIVE": {G},
    "ACTIVITY_READ": {G},
    "SESSIONS_MANAGE": {G},
}

CASES = [
    pytest.param(action, department, department in allowed, id=f"{action}-{department}")
    for action, allowed in EXPECTED.items()
    for department in (G, C, S)
]


def test_the_expected_table_names_every_action_and_nothing_else():
    assert set(EXPECTED) == {action.name for action in Action}


def test_every_action_has_a_row_in_the_permission_table():
    assert set(PERMISSIONS) == set(Action)


def test_every_row_names_only_known_departments_and_at_least_one():
    for action, departments in PERMISSIONS.items():
        assert departments, action
        assert departments <= set(DepartmentName), action


@pytest.mark.parametrize(("action", "department", "allowed"), CASES)
def test_can_answers_as_the_spec_says_for_every_action_and_department(action, department, allowed):
    assert can(DepartmentName(department), Action[action]) is allowed


@pytest.mark.parametrize(("action", "department", "allowed"), CASES)
def test_can_accepts_the_department_as_a_plain_string(action, department, allowed):
    assert can(department, Action[action]) is allowed


@pytest.mark.parametrize(("action", "department", "allowed"), CASES)
def test_require_refuses_exactly_when_can_says_no(action, department, allowed):
    if allowed:
        assert require(department, Action[action]) is None
    else:
        with pytest.raises(PermissionDenied):
            require(department, Action[action])


@pytest.mark.parametrize(("action", "department", "allowed"), [c for c in CASES if not c.values[2]])
def test_a_refusal_names_who_may_and_what_was_refused(action, department, allowed):
    with pytest.raises(PermissionDenied) as refused:
        require(department, Action[action])
    message = refused.value.message
    who_may, _, what = message.partition(" may ")
    assert who_may == "Only " + " and ".join(sorted(EXPECTED[action]))
    assert what == f"{Action[action].value}."
    assert "\n" not in message


def test_a_refusal_for_two_allowed_departments_names_both():
    with pytest.raises(PermissionDenied, match=r"^Only commerce and gestion may sign contracts\.$"):
        require(S, Action.CONTRACT_SIGN)


@pytest.mark.parametrize("department", ["marketing", "", "GESTION", " gestion", "admin", None])
@pytest.mark.parametrize("action", list(Action))
def test_an_unknown_department_may_do_nothing(department, action):
    assert can(department, action) is False
    with pytest.raises(PermissionDenied):
        require(department, action)


def test_no_department_may_manage_collaborators_except_gestion():
    managing = {Action.COLLABORATOR_CREATE, Action.COLLABORATOR_UPDATE, Action.COLLABORATOR_DELETE}
    for action in managing:
        assert {d for d in DepartmentName if can(d, action)} == {DepartmentName.GESTION}


# Written by hand from the SPEC: where a department's right covers only its own records.
OWN_ONLY_EXPECTED: dict[str, set[str]] = {
    "CLIENT_UPDATE": {C},  # "only their own clients"
    "CONTRACT_UPDATE": {C},  # "only contracts of their own clients"
    "CONTRACT_SIGN": {C},  # "own clients' contracts"
    "EVENT_CREATE": {C},  # "only for their own client"
    "EVENT_UPDATE": {S},  # "only events assigned to them"
}


@pytest.mark.parametrize("action", list(Action), ids=lambda action: action.name)
@pytest.mark.parametrize("department", [G, C, S])
def test_only_the_spec_s_ownership_rules_limit_a_department_to_its_own_records(action, department):
    expected = department in OWN_ONLY_EXPECTED.get(action.name, set())
    assert only_own_records(department, action) is expected


def test_ownership_limits_only_departments_that_may_try_the_action_at_all():
    for action, departments in OWN_RECORDS_ONLY.items():
        assert departments <= PERMISSIONS[action], action


def test_an_unknown_department_is_never_taken_for_an_unlimited_one():
    assert only_own_records("marketing", Action.CONTRACT_UPDATE) is True


@pytest.mark.parametrize(
    ("department", "contact", "allowed"),
    [
        (C, Contact.COMMERCIAL, True),
        (G, Contact.COMMERCIAL, False),
        (S, Contact.COMMERCIAL, False),
        (S, Contact.SUPPORT, True),
        (G, Contact.SUPPORT, False),
        (C, Contact.SUPPORT, False),
    ],
)
def test_only_commerce_holds_clients_and_only_support_holds_events(department, contact, allowed):
    assert may_hold(DepartmentName(department), contact) is allowed
