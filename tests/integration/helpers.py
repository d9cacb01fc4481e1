"""Helpers for integration tests: snapshots of tables to prove nothing changed, and a count
of the statements a screen sends."""

from sqlalchemy import event, text

TABLES = ("departments", "collaborators", "clients", "contracts", "events", "audit_log")


def snapshot(connection, tables=TABLES) -> dict[str, list[tuple]]:
    """Every row of `tables`, ordered by id, as plain tuples."""
    return {
        table: [
            tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        ]
        for table in tables
    }


# The test harness's own statements: savepoints, and the switch to the program's role.
HARNESS = (
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "SET ROLE",
    "RESET ROLE",
    "SET SEARCH_PATH",
    "RESET SEARCH_PATH",
    "SELECT SET_CONFIG(%(NAME)S, ''",  # nobody acts yet (conftest.AppRoleUnitOfWork)
)


class Statements:
    """Counts the SQL a screen sends on `connection`, the harness's statements excluded."""

    def __init__(self, connection):
        self.seen: list[str] = []
        event.listen(connection, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(HARNESS):
            self.seen.append(statement)

    def count(self, action) -> int:
        self.seen.clear()
        action()
        return len(self.seen)
