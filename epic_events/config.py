"""Settings, read once from the environment and `settings.env` into a frozen object.

The environment wins over `settings.env`. Relative paths are taken from the project home: the
folder holding `settings.env` (the repository root, or `EPIC_EVENTS_HOME` when set).

The file is not named `.env` because `pipenv run` loads a `.env` over the environment, empty
values included: `EPIC_EVENTS_ENV=development pipenv run …` would not be development. An
older install's `.env` is still read until `setup.py` renames it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from epic_events.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("production", "development")
MIN_SECRET_LENGTH = 32
SETTINGS_FILE = "settings.env"
LEGACY_SETTINGS_FILE = ".env"  # what the settings file was called before pipenv's surprise
DEFAULTS = {
    "FILE_PATH": "data.json",
    "TOKEN_PATH": "tokens.csv",
    "JWT_KEY_PATH": "jwt.key",
    "DATA_DIR": "data",
    "EPIC_EVENTS_ENV": "production",
    "JWT_EXPIRES_HOURS": "8",
}


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None
    user_1_pw: str | None
    jwt_secret: str | None
    sentry_dsn: str | None
    file_path: Path
    token_path: Path
    jwt_key_path: Path
    data_dir: Path
    environment: str
    debug: bool
    token_ttl: timedelta
    # setup.py only: the server's administrator, who creates the roles and the schema
    database_admin_url: str | None = None
    # whose saved session to use (EPIC_EVENTS_USER, or --as): None is the last login's
    acting_as: str | None = None

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def env_file(self) -> Path:
        return settings_file(self.home)

    def require_jwt_secret(self) -> str:
        """The JWT secret, or a one-line error saying how to create it."""
        if not self.jwt_secret:
            raise ConfigurationError(
                f"JWT_SECRET is not set: run `python setup.py` to create {SETTINGS_FILE}."
            )
        if len(self.jwt_secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"JWT_SECRET is too short ({len(self.jwt_secret)} characters, at least "
                f"{MIN_SECRET_LENGTH}): delete its line in {SETTINGS_FILE} and run "
                "`python setup.py` to generate one (everyone will log in again)."
            )
        return self.jwt_secret


def project_home(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    home = environ.get("EPIC_EVENTS_HOME")
    return Path(home).expanduser().resolve() if home else REPO_ROOT


def settings_file(home: Path) -> Path:
    """The settings file of `home`: `settings.env`, or an older install's `.env` while there
    is no `settings.env` (setup.py renames it)."""
    current, legacy = home / SETTINGS_FILE, home / LEGACY_SETTINGS_FILE
    return legacy if not current.exists() and legacy.is_file() else current


def read_env_file(path: Path) -> dict[str, str]:
    """The `KEY=value` pairs of a dotenv file, without touching os.environ."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    try:
        values = dotenv_values(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path} cannot be read: {exc}") from None
    return {key: value for key, value in values.items() if value is not None}


def check_dsn(dsn: str) -> None:
    """Refuse a SENTRY_DSN that Sentry could not use, in one line."""
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)
    except BadDsn:
        raise ConfigurationError(
            "SENTRY_DSN is not a valid Sentry DSN (expected https://KEY@HOST/PROJECT); "
            "leave it empty to send nothing."
        ) from None


def load_settings(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Settings:
    """Read every setting; raise ConfigurationError with one clear line when one is invalid."""
    environ = os.environ if environ is None else environ
    home = home or project_home(environ)
    values = {**DEFAULTS, **read_env_file(settings_file(home))}
    values.update(environ)  # set, even empty, in the environment: it wins over the file

    def text(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    def path(name: str) -> Path:
        value = Path(text(name) or DEFAULTS[name]).expanduser()
        return value if value.is_absolute() else home / value

    environment = (text("EPIC_EVENTS_ENV") or "production").lower()
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(
            f"EPIC_EVENTS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}."
        )
    hours = text("JWT_EXPIRES_HOURS") or DEFAULTS["JWT_EXPIRES_HOURS"]
    try:
        ttl_hours = float(hours)
    except ValueError:
        ttl_hours = 0
    if not 0 < ttl_hours <= 24 * 30:
        raise ConfigurationError(
            f"JWT_EXPIRES_HOURS must be a number of hours up to 720, not {hours!r}."
        )

    sentry_dsn = text("SENTRY_DSN")
    if sentry_dsn:
        check_dsn(sentry_dsn)
    return Settings(
        home=home,
        database_url=text("DATABASE_URL"),
        user_1_pw=values.get("USER_1_PW") or None,
        jwt_secret=text("JWT_SECRET"),
        sentry_dsn=sentry_dsn,
        file_path=path("FILE_PATH"),
        token_path=path("TOKEN_PATH"),
        jwt_key_path=path("JWT_KEY_PATH"),
        data_dir=path("DATA_DIR"),
        environment=environment,
        debug=(text("EPIC_EVENTS_DEBUG") or "").lower() in ("1", "true", "yes", "on"),
        token_ttl=timedelta(hours=ttl_hours),
        database_admin_url=text("DATABASE_ADMIN_URL"),
        acting_as=(text("EPIC_EVENTS_USER") or "").lower() or None,
    )
