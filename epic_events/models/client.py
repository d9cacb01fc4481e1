"""Clients: the companies' contacts a commercial owns."""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from epic_events.models.base import Archivable, Base, Timestamped, Versioned
from epic_events.models.collaborator import Collaborator


class Client(Archivable, Timestamped, Versioned, Base):
    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(trim(full_name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    company_name: Mapped[str] = mapped_column(String(100))
    commercial_contact_id: Mapped[int] = mapped_column(
        ForeignKey("collaborators.id", ondelete="RESTRICT"), index=True
    )

    # Loaded by the managers' queries, never behind their back: a missing eager load fails.
    commercial_contact: Mapped[Collaborator] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"Client(id={self.id!r})"
