"""Sessions held by PostgreSQL, seen from the program: gestion's "Active sessions" screen,
and the sessions the database ends (gestion, a deactivation, a department change, a
deletion, a logout) refused at the next action with the reason."""

from __future__ import annotations

import pytest

from epic_events.controllers import collaborators, sessions
from epic_events.controllers.auth import load_actor
from epic_events.errors import NotAuthenticated, NotFound, PermissionDenied, SessionExpired
from epic_events.views import sessions as session_screens
from epic_events.views.context import AppContext
from epic_events.views.menu import run_action
from tests.scripted_console import ScriptedConsole


def next_action(uow_factory, user) -> None:
    with uow_factory() as uow:
        load_actor(uow, user)


def test_gestion_sees_every_live_session_and_which_one_is_theirs(uow_factory, gestion, commerce):
    rows = sessions.list_sessions(uow_factory(), gestion)
    mine = [row for row in rows if row.yours]
    assert [row.collaborator_id for row in mine] == [gestion.id]
    theirs = [row for row in rows if row.collaborator_id == commerce.id]
    assert len(theirs) == 1
    assert theirs[0].email == commerce.email
    assert theirs[0].department == "commerce"
    assert theirs[0].started_at <= theirs[0].last_seen_at


@pytest.mark.parametrize("who", ["commerce", "support"])
def test_only_gestion_sees_the_sessions(uow_factory, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        sessions.list_sessions(uow_factory(), user)
    with pytest.raises(PermissionDenied):
        sessions.end_session(uow_factory(), user, 1)


def test_gestion_ends_a_session_and_its_owner_is_told_at_the_next_action(
    uow_factory, gestion, support
):
    next_action(uow_factory, support)
    session_id = int(support.session.split(".")[0])
    sessions.end_session(uow_factory(), gestion, session_id)
    with pytest.raises(SessionExpired, match="ended by gestion"):
        next_action(uow_factory, support)
    with pytest.raises(NotFound, match="already ended"):
        sessions.end_session(uow_factory(), gestion, session_id)
    assert all(row.id != session_id for row in sessions.list_sessions(uow_factory(), gestion))


def test_ones_own_session_ends_by_logging_out_not_from_the_screen(uow_factory, gestion):
    with pytest.raises(PermissionDenied, match="log out"):
        sessions.end_session(uow_factory(), gestion, int(gestion.session.split(".")[0]))
    next_action(uow_factory, gestion)  # still alive


def test_a_deactivation_ends_every_session_of_that_collaborator(uow_factory, gestion, commerce):
    updated = collaborators.set_active(uow_factory(), gestion, commerce.id, active=False)
    assert updated.active is False
    with pytest.raises(NotAuthenticated, match="deactivated"):
        next_action(uow_factory, commerce)


def test_a_department_change_ends_the_sessions(uow_factory, gestion, make_collaborator, as_user):
    helper = as_user(make_collaborator("support"))
    collaborators.update_collaborator(uow_factory(), gestion, helper.id, department="commerce")
    with pytest.raises(SessionExpired, match="department changed"):
        next_action(uow_factory, helper)


def test_a_deleted_collaborators_session_is_gone_with_them(uow_factory, gestion, support):
    collaborators.delete_collaborator(uow_factory(), gestion, support.id)
    with pytest.raises(SessionExpired, match="no longer exists"):
        next_action(uow_factory, support)


def run_screen(uow_factory, user, answers: list[str]) -> str:
    console = ScriptedConsole(answers)
    ctx = AppContext(console, settings=None, uow=uow_factory, authenticator=None, user=user)
    run_action(ctx, session_screens.sessions_screen)
    return console.export_text()


def test_the_screen_lists_the_sessions_and_ends_the_one_chosen(uow_factory, gestion, support):
    rows = sessions.list_sessions(uow_factory(), gestion)
    number = next(i for i, row in enumerate(rows, start=1) if row.collaborator_id == support.id)
    screen = run_screen(uow_factory, gestion, ["99", "x", str(number), "y", ""])
    assert "Active sessions" in screen
    assert support.name in screen
    assert "(you, here)" in screen
    assert "Type a number from 1 to" in screen
    assert f"{support.name}'s session on" in screen
    with pytest.raises(SessionExpired):
        next_action(uow_factory, support)


def test_the_screen_says_ones_own_session_ends_by_logging_out(uow_factory, gestion):
    rows = sessions.list_sessions(uow_factory(), gestion)
    number = next(i for i, row in enumerate(rows, start=1) if row.yours)
    screen = run_screen(uow_factory, gestion, [str(number), ""])
    assert "log out to end it" in screen
    next_action(uow_factory, gestion)
