"""Declarative base: one naming convention so constraint names are predictable."""

from datetime import datetime

from sqlalchemy import DateTime, FetchedValue, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Archivable:
    """Archived rows are hidden from lists, never edited, never deleted; they can be restored."""

    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Timestamped:
    """`created_at` set on insert, `updated_at` kept current by a database trigger."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        server_default=func.now(),
        server_onupdate=FetchedValue(),
        nullable=False,
    )


class Versioned:
    """A counter the database raises on every update (trigger `bump_version`).

    The ORM checks it on each UPDATE (`WHERE version = …`), and the controllers compare it
    with the version a form was opened on: a second save over someone else's change is
    refused instead of overwriting it (optimistic locking).
    """

    version: Mapped[int] = mapped_column(server_default="1", nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}
