"""The installer's file work: `settings.env`, `data.json`, the token store and its key.

Never destructive: a file that exists is kept, and only a missing value is added to it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from epic_events.auth.token_store import TokenStore, atomic_write
from epic_events.config import (
    LEGACY_SETTINGS_FILE,
    REPO_ROOT,
    SETTINGS_FILE,
    Settings,
    read_env_file,
)
from epic_events.database_url import url_database, url_user
from epic_events.install.report import Report
from epic_events.roles import app_role

ENV_TEMPLATE = REPO_ROOT / "settings.env.example"
DATA_TEMPLATE = REPO_ROOT / "data.example.json"
SECRET_BYTES = 48


def set_env_value(path: Path, key: str, value: str) -> None:
    """Set `key=value` in a dotenv file, keeping every other line, atomically and 0600."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    new_line = f"{key}={value}"
    for index, line in enumerate(lines):
        if line.strip().startswith(f"{key}="):
            lines[index] = new_line
            break
    else:
        lines.append(new_line)
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def move_legacy_settings(home: Path, report: Report) -> None:
    """An older install's `.env` becomes `settings.env` (pipenv loads a `.env` over the
    environment), unless a `settings.env` exists already (then `.env` is left alone)."""
    legacy, current = home / LEGACY_SETTINGS_FILE, home / SETTINGS_FILE
    if legacy.is_file() and not current.exists():
        os.replace(legacy, current)
        report.did(
            f"renamed {legacy} to {current}: `pipenv run` loads a .env over your "
            "environment, settings.env it leaves alone"
        )


def ensure_env_file(env_file: Path, environ: Mapping[str, str], report: Report) -> None:
    """Create `settings.env` from `settings.env.example` with a new JWT secret, or add the
    secret it lacks."""
    if not env_file.exists():
        env_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(env_file, ENV_TEMPLATE.read_bytes())
        set_env_value(env_file, "JWT_SECRET", secrets.token_urlsafe(SECRET_BYTES))
        report.did(f"created {env_file} with a new JWT secret")
        return
    os.chmod(env_file, 0o600)
    if environ.get("JWT_SECRET") or read_env_file(env_file).get("JWT_SECRET", "").strip():
        report.kept(f"{env_file} already exists")
    else:
        set_env_value(env_file, "JWT_SECRET", secrets.token_urlsafe(SECRET_BYTES))
        report.did(f"added a new JWT secret to {env_file}")


def ensure_data_file(path: Path, report: Report) -> None:
    """Copy `data.example.json` to the seed file when there is none."""
    if path.exists():
        report.kept(f"{path} already exists")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA_TEMPLATE, path)
    report.did(f"created {path} from {DATA_TEMPLATE.name}")


def ensure_token_files(settings: Settings, report: Report) -> None:
    """Create the Fernet key file and the empty token store, readable by their owner only."""
    created = TokenStore(settings.token_path, settings.jwt_key_path).ensure_files()
    for path in created:
        report.did(f"created {path} (readable by you only)")
    if not created:
        report.kept("token store and key file already exist")


def save_program_url(
    env_file: Path, program_url: str, environ: Mapping[str, str], report: Report
) -> None:
    """Save this workstation's URL as DATABASE_URL in `settings.env`, and warn when an
    administrator's URL stood (or still stands, in the environment) in its place."""
    previous = read_env_file(env_file).get("DATABASE_URL")
    set_env_value(env_file, "DATABASE_URL", program_url)
    role = url_user(program_url)
    report.did(
        f"the program connects as {role} (least privilege, row-level security): "
        f"DATABASE_URL saved in {env_file}"
    )
    if previous and url_user(previous) == app_role(url_database(program_url)):
        report.warn(
            "the DATABASE_URL that stood there was the shared app role's, which no longer "
            "logs in: each other machine of this install runs `setup.py --join` once"
        )
    elif previous and url_user(previous) != role:
        report.warn(
            f"the DATABASE_URL {env_file} held was an administrator's: it was replaced "
            "(never kept); give it to setup.py as DATABASE_ADMIN_URL from now on"
        )
    in_environment = environ.get("DATABASE_URL")
    if in_environment and url_user(in_environment) != role:
        report.warn(
            "DATABASE_URL is set in your environment, which wins over settings.env, to an "
            f"administrator's URL: the program refuses it; use the DATABASE_URL of {env_file}"
        )
