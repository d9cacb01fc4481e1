"""The audit log: who did what, when, and which fields changed from what to what."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_entity_id_at", "entity", "entity_id", "at"),
        Index("ix_audit_log_at_id", "at", "id"),
        Index("ix_audit_log_actor_id", "actor_id"),  # deleting a collaborator nulls it
        # each kind's rows newest first (migration 0008)
        Index("ix_audit_log_kind_at_id", "actor_name", "action", "entity", "at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The name is kept as it was: history outlives a deleted collaborator.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaborators.id", ondelete="SET NULL")
    )
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    # {"field": [before, after], ...}, as text; never a password or a hash.
    # JSON, not JSONB: the fields stay in the order of the form that changed them.
    changes: Mapped[dict] = mapped_column(JSON, server_default="{}")

    def __repr__(self) -> str:
        return f"AuditEntry({self.action} {self.entity} #{self.entity_id})"


class AuditKind(Base):
    """An (actor, action, entity) triple that occurs in the audit log, once (migration 0008):
    a search of the history finds the matching triples here, then reads their rows."""

    __tablename__ = "audit_kinds"

    actor_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    action: Mapped[str] = mapped_column(String(30), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
