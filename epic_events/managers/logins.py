"""Failed logins, counted per email in the database through its SECURITY DEFINER functions
(the app role cannot read the table itself): every program on every machine sees them."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

LOCK_TIMEOUT = "5s"
LOCK_NOT_AVAILABLE = "55P03"


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

    def record_failure(self, email: str) -> None:
        self.session.execute(text("SELECT record_login_failure(:email)"), {"email": email})

    def clear_failures(self, email: str) -> None:
        self.session.execute(text("SELECT clear_login_failures(:email)"), {"email": email})
