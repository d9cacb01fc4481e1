"""Alembic migrations, driven from code (no alembic.ini): the installer and the tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection, Engine

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config


REVISION_LINE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w]+|None)['\"]?\s*$", re.M)


def known_revisions() -> set[str]:
    """Every revision this program knows, read from the version files."""
    return set(_revisions())


def _revisions() -> dict[str, str]:
    """revision -> its parent ("None" for the first), without importing Alembic (slow)."""
    parents = {}
    for path in (SCRIPT_LOCATION / "versions").glob("*.py"):
        found = dict(REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        parents[found["revision"]] = found.get("down_revision", "None")
    return parents


def head_revision() -> str:
    """The newest revision, read from the version files without importing Alembic (slow).

    tests/integration/test_schema.py checks it against Alembic's own answer.
    """
    parents = _revisions()
    heads = set(parents) - set(parents.values())
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {sorted(heads)}")
    return heads.pop()


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def upgrade(
    engine: Engine,
    on_role_created: Callable[[str], None] | None = None,
    revision: str = "head",
) -> tuple[str | None, str]:
    """Apply every pending migration (up to `revision`) through an admin engine; return the
    revisions before and after.

    The roles are made first (epic_events.roles; `on_role_created` hears of each new one);
    the migrations then run as the owner role, so
    the schema never belongs to the admin who ran them.
    """
    from alembic import command
    from sqlalchemy import text

    from epic_events.roles import current_roles, ensure_roles, take_ownership

    with engine.begin() as connection:
        before = current_revision(connection)
        for role in ensure_roles(connection):
            if on_role_created is not None:
                on_role_created(role)
        take_ownership(connection)
        owner, _ = current_roles(connection)
        connection.execute(text(f"SET LOCAL ROLE {owner}"))
        # The owner is bound by the policies too (FORCE): a data migration that would be
        # silently filtered by them fails loudly instead.
        connection.execute(text("SET LOCAL row_security = off"))
        command.upgrade(alembic_config(connection), revision)
        connection.execute(text("RESET ROLE"))
        after = current_revision(connection)
    return before, after
