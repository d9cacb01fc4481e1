"""Departments: gestion (management), commerce (sales) and support."""

from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.models.base import Base


class DepartmentName(StrEnum):
    GESTION = "gestion"
    COMMERCE = "commerce"
    SUPPORT = "support"


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (
        CheckConstraint("name IN ('gestion', 'commerce', 'support')", name="known_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)

    def __repr__(self) -> str:
        return f"Department({self.name!r})"
