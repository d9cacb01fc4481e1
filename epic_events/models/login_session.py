"""Sessions and the login key (migration 0011): held by PostgreSQL, read by no app role.

A session is opened by `open_session()` when a workstation proves a password, named by each
transaction (`enter_session()`), and ended by a logout, a change of the account, gestion or
a revoked workstation. Only the SHA-256 of its secret is stored. The login key makes the
salts of unknown emails and the marks of a proven password: no role but the owner reads it.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.models.base import Base


class LoginSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        Index(
            "ix_sessions_live_collaborator",
            "collaborator_id",
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "ix_sessions_live_workstation", "workstation", postgresql_where=text("ended_at IS NULL")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    collaborator_id: Mapped[int] = mapped_column(ForeignKey("collaborators.id", ondelete="CASCADE"))
    workstation: Mapped[str] = mapped_column(Text)
    secret_digest: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(Text)
    # the (sub)transaction that opened it (0012): a session works from the next one
    opened_in: Mapped[int | None] = mapped_column(BigInteger)
    # the new verifier of an old one, stored by the session's first transaction (0013)
    pending_verifier: Mapped[str | None] = mapped_column(Text)
    verified_with: Mapped[str | None] = mapped_column(Text)


class PasswordProof(Base):
    """A session's proof of its owner's current password (0013): it lets one change of that
    password through, from the transaction after the proof."""

    __tablename__ = "password_proofs"

    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    proven_in: Mapped[int | None] = mapped_column(BigInteger)
    proven_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LoginKey(Base):
    __tablename__ = "login_key"
    __table_args__ = (CheckConstraint("one", name="one"),)

    key: Mapped[bytes] = mapped_column(LargeBinary)
    usual: Mapped[str] = mapped_column(Text)  # today's argon2id parameters (migration 0012)
    one: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
