"""What a resumed session needs from the database, with psycopg2 alone.

The first menu of a resumed session costs one connection and two small queries, before
SQLAlchemy and the models are even imported (they load in the background afterwards).
"""

from __future__ import annotations

from dataclasses import dataclass

from epic_events.database_url import libpq_dsn
from epic_events.departments import DepartmentName
from epic_events.errors import WORKSTATION_REVOKED, DatabaseUnavailable


@dataclass(frozen=True)
class CollaboratorRecord:
    """The columns of a collaborator that a session is checked against."""

    id: int
    email: str
    name: str
    department_name: DepartmentName
    token_version: int
    active: bool = True


class QuickDatabase:
    """One short-lived psycopg2 connection for the start of the program."""

    def __init__(self, url: str, connect_timeout: int = 5):
        self.dsn = libpq_dsn(url)
        self.connect_timeout = connect_timeout
        self._connection = None

    def _cursor(self):
        import psycopg2

        if self._connection is None:
            try:
                self._connection = psycopg2.connect(
                    self.dsn,
                    connect_timeout=self.connect_timeout,
                    application_name="epic_events",
                )
            except psycopg2.OperationalError as error:
                if "not permitted to log in" in str(error):
                    raise DatabaseUnavailable(WORKSTATION_REVOKED) from None
                if "does not exist" in str(error):  # a role or database setup.py makes
                    raise DatabaseUnavailable(
                        "The database is not set up for this version: run `python setup.py`."
                    ) from None
                raise DatabaseUnavailable(
                    "The database cannot be reached: check DATABASE_URL or that the server "
                    "is running."
                ) from None
            self._connection.autocommit = True
        return self._connection.cursor()

    def schema_revision(self) -> str | None:
        """The applied migration, or None on an empty database."""
        with self._cursor() as cursor:
            cursor.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("SELECT version_num FROM alembic_version")
            row = cursor.fetchone()
            return row[0] if row else None

    def privileged_role(self) -> str | None:
        """The connected role's name when row-level security would not bind it (a superuser,
        a role with BYPASSRLS or CREATEROLE, or a member of the schema's owner), else None."""
        from epic_events.roles import owner_role

        with self._cursor() as cursor:
            cursor.execute(
                "SELECT current_user, current_database(), "
                "rolsuper OR rolbypassrls OR rolcreaterole "
                "FROM pg_roles WHERE rolname = current_user"
            )
            name, database, powerful = cursor.fetchone()
            if not powerful:
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles o WHERE o.rolname = %s "
                    "AND pg_has_role(current_user, o.oid, 'MEMBER'))",
                    (owner_role(database),),
                )
                powerful = cursor.fetchone()[0]
        return name if powerful else None

    def seen(self) -> None:
        """Tell the database this workstation was seen (its `last seen`, for gestion)."""
        with self._cursor() as cursor:
            cursor.execute("SELECT workstation_seen()")

    def collaborator(self, collaborator_id: int, session: str) -> CollaboratorRecord | None:
        """The collaborator of a live database session, or None (ended, expired, another's:
        without a live session the database shows nothing)."""
        with self._cursor() as cursor:
            cursor.execute("BEGIN")  # the session is named for one transaction
            cursor.execute("SELECT enter_session(%s)", (session,))
            cursor.execute(
                "SELECT c.id, c.email, c.name, d.name, c.token_version, c.active "
                "FROM collaborators c "
                "JOIN departments d ON d.id = c.department_id WHERE c.id = %s",
                (collaborator_id,),
            )
            row = cursor.fetchone()
            cursor.execute("COMMIT")
        if row is None:
            return None
        return CollaboratorRecord(
            row[0], row[1], row[2], DepartmentName(row[3]), row[4], active=row[5]
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def check_schema(quick: QuickDatabase) -> None:
    """Raise DatabaseUnavailable unless the schema is at the newest migration, and
    ConfigurationError when the program would run as an administrator."""
    from epic_events.errors import ConfigurationError
    from epic_events.migrations import head_revision

    privileged = quick.privileged_role()
    if privileged:
        raise ConfigurationError(
            f"DATABASE_URL connects as {privileged}, an administrator that row-level security "
            "does not bind: the program connects as its workstation's own role (run `python "
            "setup.py` with DATABASE_ADMIN_URL set to the administrator's URL; it writes the "
            "program's DATABASE_URL in settings.env)."
        )

    current = quick.schema_revision()
    if current is None:
        raise DatabaseUnavailable("The database is empty: run `python setup.py` first.")
    if current != head_revision():
        raise DatabaseUnavailable(
            "The database schema is out of date: run `python setup.py` to upgrade it."
        )
    quick.seen()
