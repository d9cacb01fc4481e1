"""Failed logins per email, kept for the throttling functions of migration 0004.

The program's role has no right on this table: it calls `login_wait_seconds`,
`record_login_failure` and `clear_login_failures`, which run as the owner.
"""

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.models.base import Base


class LoginFailure(Base):
    __tablename__ = "login_failures"

    email_digest: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    failures: Mapped[int]
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
