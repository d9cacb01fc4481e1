"""Helpers for integration tests: snapshots of tables to prove nothing changed."""

from sqlalchemy import text

TABLES = ("departments", "collaborators", "clients", "contracts", "events", "audit_log")


def snapshot(connection, tables=TABLES) -> dict[str, list[tuple]]:
    """Every row of `tables`, ordered by id, as plain tuples."""
    return {
        table: [
            tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        ]
        for table in tables
    }
