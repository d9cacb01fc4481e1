"""Logins and sessions, through the database's SECURITY DEFINER functions (no app role reads
the verifiers, the sessions or the failed logins): a login is proven by the database, which
opens the session; failures are counted per email, so every program on every machine sees
them (migrations 0004 and 0011)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from epic_events.read_models import SessionRow

LOCK_TIMEOUT = "5s"
LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class Opened:
    """What `open_session()` answered: `wait` (seconds), or `pending` with a token that is
    tried once committed (a wrong password's names no session: migration 0012)."""

    outcome: str
    wait_seconds: int
    token: str | None


class LoginManager:
    def __init__(self, session: Session):
        self.session = session

    def wait_for_turn(self, email: str) -> bool:
        """Wait (5 s at most) for any other login with this email to end; False when it
        did not. The lock is the transaction's: it ends with it."""
        self.session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        try:
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:email, 0))"),
                {"email": email},
            )
        except DBAPIError as error:
            if getattr(error.orig, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise
            return False
        return True

    def wait_seconds(self, email: str) -> int:
        """How long this email must wait before its next try (0: it may try now)."""
        return self.session.scalar(text("SELECT login_wait_seconds(:email)"), {"email": email})

    def challenge(self, email: str) -> str:
        """The argon2id parameters and salt to prove a password of `email` with."""
        return self.session.scalar(text("SELECT login_challenge(:email)"), {"email": email})

    def open_session(
        self, email: str, proof: bytes, hours: int, upgraded: str | None = None
    ) -> Opened:
        """`upgraded`: a new verifier of the same password, stored by the session's first
        transaction when the proof holds (the stored one has older parameters)."""
        row = self.session.execute(
            text("SELECT * FROM open_session(:email, :proof, :hours, :upgraded)"),
            {"email": email, "proof": proof, "hours": hours, "upgraded": upgraded},
        ).one()
        return Opened(*row)

    def end_session(self, token: str) -> bool:
        return bool(self.session.scalar(text("SELECT end_session(:token)"), {"token": token}))

    def end_reason(self, token: str) -> str | None:
        """Why that session ended ('logged out', 'expired', 'deactivated', …), None when
        the database knows no such session."""
        return self.session.scalar(text("SELECT session_end_reason(:token)"), {"token": token})

    def prove_own_password(self, proof: bytes) -> None:
        """Give the database the proof of one's current password; it answers nothing until
        committed (`own_password_check`)."""
        self.session.execute(text("SELECT prove_own_password(:proof)"), {"proof": proof})

    def own_password_check(self) -> str:
        """`proven` (a proof committed earlier), `wait` (too many failures) or `wrong`."""
        return self.session.scalar(text("SELECT own_password_check()"))

    def active_sessions(self) -> list[SessionRow]:
        rows = self.session.execute(text("SELECT * FROM active_sessions()")).all()
        return [SessionRow(*row) for row in rows]

    def end_session_by_id(self, session_id: int) -> bool:
        return bool(self.session.scalar(text("SELECT end_session_by_id(:id)"), {"id": session_id}))
