"""Contracts: what a client owes, and whether it is signed."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from epic_events.models.base import Archivable, Base, Timestamped, Versioned
from epic_events.models.client import Client
from epic_events.models.collaborator import Collaborator

MONEY = Numeric(12, 2, asdecimal=True)


class Contract(Archivable, Timestamped, Versioned, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        # NaN compares greater than every number in PostgreSQL, so it is excluded by name.
        CheckConstraint(
            "total_amount >= 0 AND total_amount <> 'NaN'::numeric", name="total_amount_non_negative"
        ),
        CheckConstraint(
            "amount_due >= 0 AND amount_due <= total_amount AND amount_due <> 'NaN'::numeric",
            name="amount_due_within_total",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    commercial_contact_id: Mapped[int] = mapped_column(
        ForeignKey("collaborators.id", ondelete="RESTRICT"), index=True
    )
    total_amount: Mapped[Decimal] = mapped_column(MONEY)
    amount_due: Mapped[Decimal] = mapped_column(MONEY)
    signed: Mapped[bool] = mapped_column(default=False, server_default="false")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    # Loaded by the managers' queries, never behind their back: a missing eager load fails.
    client: Mapped[Client] = relationship(lazy="raise_on_sql")
    commercial_contact: Mapped[Collaborator] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"Contract(id={self.id!r})"
