"""Loading one row to change it: locked when the database lets the current collaborator
change it, else unlocked, so the controller can say why the change is refused."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.sql import Select


def get_row(session: Session, statement: Select, entity, *, for_update: bool):
    """The row `statement` selects, fresh from the database; with `for_update`, locked.

    Row-level security hides from a locking read (`FOR UPDATE`) the rows its UPDATE policy
    refuses; such a row is then read without the lock: nothing will be written to it, and the
    controller's own check explains the refusal instead of a misleading "not found".
    """
    statement = statement.execution_options(populate_existing=True)
    if for_update:
        locked = session.scalar(statement.with_for_update(of=entity))
        if locked is not None:
            return locked
    return session.scalar(statement)
