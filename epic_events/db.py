"""Database access: the URL, the embedded server, the engine and the unit of work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from epic_events.database_url import normalise_url
from epic_events.embedded import ensure_database, start_embedded  # noqa: F401 - re-exported
from epic_events.errors import (
    WORKSTATION_REVOKED,
    Conflict,
    DatabaseUnavailable,
    EpicEventsError,
    PermissionDenied,
    ValidationError,
)
from epic_events.managers.archive import ArchiveManager
from epic_events.managers.audit import AuditManager
from epic_events.managers.clients import ClientManager
from epic_events.managers.collaborators import CollaboratorManager
from epic_events.managers.contracts import ContractManager
from epic_events.managers.dashboard import DashboardManager
from epic_events.managers.events import EventManager
from epic_events.managers.exports import ExportManager
from epic_events.managers.logins import LoginManager

log = logging.getLogger(__name__)


CONNECT_TIMEOUT_S = 5
# A transaction left open (a forgotten prompt, a crashed client) never holds locks for long.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000

# Constraint name -> (error class, message). Names come from the models' naming convention.
CONSTRAINT_MESSAGES: dict[str, tuple[type[EpicEventsError], str]] = {
    "uq_collaborators_email": (Conflict, "A collaborator with this email already exists."),
    "uq_departments_name": (Conflict, "This department already exists."),
    "uq_clients_email": (Conflict, "A client with this email already exists."),
    "fk_clients_commercial_contact_id_collaborators": (
        Conflict,
        "This collaborator is still the commercial contact of clients: reassign them first.",
    ),
    "fk_contracts_commercial_contact_id_collaborators": (
        Conflict,
        "This collaborator is still in charge of contracts: reassign them first.",
    ),
    "fk_collaborators_department_id_departments": (
        ValidationError,
        "This department does not exist.",
    ),
    "ck_contracts_total_amount_non_negative": (
        ValidationError,
        "The total amount must be a number of at least 0.",
    ),
    "ck_contracts_amount_due_within_total": (
        ValidationError,
        "The amount due must be between 0 and the total amount.",
    ),
    "ck_events_ends_after_start": (ValidationError, "An event must end after it starts."),
    "ck_events_attendees_non_negative": (
        ValidationError,
        "The number of attendees cannot be negative.",
    ),
}
# SQLSTATE -> fallback when a constraint has no message of its own.
SQLSTATE_MESSAGES: dict[str, tuple[type[EpicEventsError], str]] = {
    "23505": (Conflict, "This value is already used by another record."),
    "23503": (Conflict, "This record is linked to other records and cannot be changed so."),
    "23514": (ValidationError, "A value is outside the allowed range."),
    "23502": (ValidationError, "A required value is missing."),
    "22001": (ValidationError, "A value is too long."),
    "22003": (ValidationError, "A number is too large."),
}


def translate_integrity_error(exc: DBAPIError) -> EpicEventsError:
    """Turn a constraint violation into the domain error a user can read."""
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint in CONSTRAINT_MESSAGES:
        error_class, message = CONSTRAINT_MESSAGES[constraint]
        return error_class(message)
    sqlstate = getattr(exc.orig, "pgcode", None)
    error_class, message = SQLSTATE_MESSAGES.get(
        sqlstate, (Conflict, "The database refused this change.")
    )
    return error_class(message)


CHANGED_MEANWHILE = (
    "It was changed by someone else meanwhile: nothing was saved; reload it and try again."
)
REFUSED_BY_DATABASE = (
    "The database refused this change: your department may not make it. Nothing was saved."
)


def translate_database_error(exc: DBAPIError) -> EpicEventsError | DBAPIError:
    """A database error as the domain error a user can read; unknown ones stay as they are."""
    if getattr(exc.orig, "pgcode", None) == "42501":  # a policy, a grant or a guard said no
        log.warning("the database refused a change", exc_info=exc)
        return PermissionDenied(REFUSED_BY_DATABASE)
    if "not permitted to log in" in str(getattr(exc, "orig", "") or ""):
        return DatabaseUnavailable(WORKSTATION_REVOKED)
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        log.warning("database unavailable", exc_info=exc)
        return DatabaseUnavailable(
            "The connection to the database was lost; nothing was saved. Try again in a moment."
        )
    if isinstance(exc, IntegrityError | DataError):
        return translate_integrity_error(exc)
    return exc


def resolve_database_url(
    database_url: str | None, data_dir: Path, setting: str = "DATABASE_URL"
) -> str:
    """The URL to use: `database_url` when given (the value of `setting`), else the
    embedded server's."""
    if database_url:
        try:
            return normalise_url(database_url)
        except ValueError as problem:
            from epic_events.errors import ConfigurationError

            raise ConfigurationError(
                f"{setting} is {problem} (expected postgresql://user:password@host:5432/name)."
            ) from None
    return start_embedded(data_dir)


def make_engine(url: str, **kwargs) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=2,
        hide_parameters=True,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "epic_events",
            "options": f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}",
        },
        **kwargs,
    )


SESSION_KEY = "epic_events_session"


@event.listens_for(Session, "after_begin")
def _enter_session(session: Session, transaction, connection) -> None:
    """Tell PostgreSQL which session acts, for this transaction only: the database finds its
    collaborator (row-level security, triggers and the history read it) while the session
    lives, and nobody otherwise. One statement, which also keeps the session's last seen.

    The setting is local to the transaction, so a pooled connection never carries one
    user's session into another's transaction.
    """
    token = session.info.get(SESSION_KEY)
    if token is not None:
        _name_session(connection, token)


def _name_session(executor, token: str) -> None:
    """`executor` (a connection or a session) names its session until its transaction ends."""
    executor.execute(text("SELECT enter_session(:token)"), {"token": token})


class UnitOfWork:
    """One business transaction: rolls back unless `commit()` is called.

    It hands out the managers (`uow.clients`, `uow.contracts`, …), all on its one session:
    controllers reach the database through them, never through a session of their own.
    """

    clients: ClientManager
    contracts: ContractManager
    events: EventManager
    collaborators: CollaboratorManager
    audit: AuditManager
    dashboard: DashboardManager
    exports: ExportManager
    logins: LoginManager
    archive: ArchiveManager

    def __init__(self, session_factory: Callable[[], Session]):
        self._session_factory = session_factory
        self.session: Session | None = None
        self.session_token: str | None = None

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        if self.session_token is not None:
            self.session.info[SESSION_KEY] = self.session_token
        self.clients = ClientManager(self.session)
        self.contracts = ContractManager(self.session)
        self.events = EventManager(self.session)
        self.collaborators = CollaboratorManager(self.session)
        self.audit = AuditManager(self.session)
        self.dashboard = DashboardManager(self.session)
        self.exports = ExportManager(self.session)
        self.logins = LoginManager(self.session)
        self.archive = ArchiveManager(self.session)
        return self

    def act_in(self, token: str) -> None:
        """Act in the session `token` (from `open_session()`) from now on: the database
        resolves who acts from it, in every transaction of this unit."""
        self.session_token = token
        self.session.info[SESSION_KEY] = token
        if self.session.in_transaction():  # else after_begin names it
            _name_session(self.session, token)

    def __exit__(self, exc_type, exc, traceback) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the
        # loaded objects readable (detached, not expired) for the view to render.
        try:
            self.session.close()
        except DBAPIError:
            log.warning("could not close a database session cleanly", exc_info=True)
        if isinstance(exc, DBAPIError):
            raise translate_database_error(exc) from None
        if isinstance(exc, StaleDataError):  # the row's version moved under the ORM's UPDATE
            raise Conflict(CHANGED_MEANWHILE) from None

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        """Send pending changes now, so a constraint error surfaces here, as a domain error."""
        self.session.flush()


class Database:
    """The engine and the factory of units of work of one running program."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def check_ready(self) -> None:
        """Raise DatabaseUnavailable unless the server answers and the schema is current."""
        from epic_events.migrations import current_revision, head_revision

        try:
            with self.engine.connect() as conn:
                current = current_revision(conn)
        except OperationalError:
            raise DatabaseUnavailable(
                "The database cannot be reached: check DATABASE_URL or that the server is running."
            ) from None
        if current is None:
            raise DatabaseUnavailable("The database is empty: run `python setup.py` first.")
        if current != head_revision():
            raise DatabaseUnavailable(
                "The database schema is out of date: run `python setup.py` to upgrade it."
            )

    def dispose(self) -> None:
        self.engine.dispose()
