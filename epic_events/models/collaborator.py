"""Collaborators: the staff who log in."""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from epic_events.models.base import Base, Timestamped, Versioned
from epic_events.models.department import Department, DepartmentName


class Collaborator(Timestamped, Versioned, Base):
    __tablename__ = "collaborators"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    # Loaded only when asked for: lists of collaborators never carry hashes around.
    password_hash: Mapped[str] = mapped_column(String(255), deferred=True)
    # Bumped on password change and department change: older tokens stop working.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A collaborator who left: cannot log in, keeps their name in history; can come back.
    active: Mapped[bool] = mapped_column(default=True, server_default="true")

    # Joined (outer, so it also works under an outer join of collaborators): always shown.
    department: Mapped[Department] = relationship(lazy="joined")

    @property
    def department_name(self) -> DepartmentName:
        return DepartmentName(self.department.name)

    def __repr__(self) -> str:
        return f"Collaborator(id={self.id!r}, email={self.email!r})"
