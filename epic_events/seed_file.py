"""`data.json`, the seed file: the departments and the first collaborators.

The running program reads it too (dev auto-login finds the super user here), so it stays
apart from the installer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from epic_events.departments import DepartmentName
from epic_events.errors import ConfigurationError, ValidationError
from epic_events.validators import validate_email, validate_name, validate_phone


@dataclass(frozen=True)
class SeedUser:
    name: str
    email: str
    phone: str
    department: DepartmentName


@dataclass(frozen=True)
class SeedData:
    departments: list[DepartmentName]
    users: list[SeedUser]

    @property
    def super_user(self) -> SeedUser:
        return self.users[0]


def read_seed_file(path: Path) -> SeedData:
    """Read and check `data.json`; one clear ConfigurationError when it is wrong."""
    seed = _parse(path, _load_json(path))
    _check(path, seed)
    return seed


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"{path} is missing: run `python setup.py` to create it."
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path} is not valid JSON: {exc}") from None


def _parse(path: Path, raw) -> SeedData:
    try:
        departments = [DepartmentName(d["name"]) for d in raw["departments"]]
        users = [
            SeedUser(
                name=validate_name(u["name"]),
                email=validate_email(u["email"]),
                phone=validate_phone(u["phone"]),
                department=DepartmentName(u["department"]),
            )
            for u in raw["users"]
        ]
    except (KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"{path} lacks {exc}: expected {{'departments': [{{'name': …}}], "
            "'users': [{'name', 'email', 'phone', 'department'}]}."
        ) from None
    except (ValueError, ValidationError) as exc:
        raise ConfigurationError(f"{path} has an invalid value: {exc}") from None
    return SeedData(departments=departments, users=users)


def _check(path: Path, seed: SeedData) -> None:
    if not seed.users:
        raise ConfigurationError(f"{path} has no user: the first user is the super user.")
    if seed.super_user.department != DepartmentName.GESTION:
        raise ConfigurationError(f"{path}: the first user (the super user) must be in gestion.")
    missing = {u.department for u in seed.users} - set(seed.departments)
    if missing:
        raise ConfigurationError(f"{path}: users belong to unlisted departments {sorted(missing)}.")
