"""Departments: gestion (management), commerce (sales) and support."""

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.departments import DepartmentName
from epic_events.models.base import Base

__all__ = ["Department", "DepartmentName"]


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (
        CheckConstraint("name IN ('gestion', 'commerce', 'support')", name="known_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)

    def __repr__(self) -> str:
        return f"Department({self.name!r})"
