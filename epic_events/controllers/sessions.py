"""Everyone's live sessions: gestion sees them and ends one (the database holds them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from epic_events import monitoring
from epic_events.controllers.auth import CurrentUser, authorise
from epic_events.controllers.permissions import Action
from epic_events.errors import NotFound, PermissionDenied
from epic_events.read_models import SessionRow

if TYPE_CHECKING:
    from epic_events.db import UnitOfWork


def list_sessions(uow: UnitOfWork, user: CurrentUser) -> list[SessionRow]:
    """Every live session, the most recently seen first (gestion)."""
    with uow:
        authorise(uow, user, Action.SESSIONS_MANAGE)
        return uow.logins.active_sessions()


def end_session(uow: UnitOfWork, user: CurrentUser, session_id: int) -> None:
    """End someone's session (gestion): their next action asks them to log in again. One's
    own session ends by logging out."""
    with uow:
        actor = authorise(uow, user, Action.SESSIONS_MANAGE)
        if user.session.split(".")[0] == str(session_id):
            raise PermissionDenied("This is your own session: log out to end it.")
        if not uow.logins.end_session_by_id(session_id):
            raise NotFound(f"Session #{session_id} has already ended.")
        uow.commit()
    monitoring.record("session.ended", actor_id=actor.id, session_id=session_id)
