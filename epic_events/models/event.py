"""Events: what support runs on the day."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from epic_events.models.base import Archivable, Base, Timestamped, Versioned
from epic_events.models.collaborator import Collaborator
from epic_events.models.contract import Contract


class Event(Archivable, Timestamped, Versioned, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("attendees >= 0", name="attendees_non_negative"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="RESTRICT"), index=True
    )
    # A deleted support contact leaves the event "without support", never deletes it.
    support_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaborators.id", ondelete="SET NULL"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(300))
    attendees: Mapped[int] = mapped_column(default=0, server_default="0")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Loaded by the managers' queries, never behind their back: a missing eager load fails.
    contract: Mapped[Contract] = relationship(lazy="raise_on_sql")
    support_contact: Mapped[Collaborator | None] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"Event(id={self.id!r})"
