"""The machines of an install (migration 0010): each logs in as a PostgreSQL role of its own.

No app role reads this table: setup.py (the administrator) writes and lists it; a
workstation only says it was seen, through `workstation_seen()`.
"""

from datetime import datetime

from sqlalchemy import DateTime, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.models.base import Base


class Workstation(Base):
    __tablename__ = "workstations"

    role_name: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(Text)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
