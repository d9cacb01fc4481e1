"""data.json, as the running program reads it: apart from the installer."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from epic_events.departments import DepartmentName
from epic_events.errors import ConfigurationError
from epic_events.seed_file import read_seed_file

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_seed_file_module_imports_no_part_of_the_installer():
    code = (
        "import sys, epic_events.seed_file\n"
        "print(sorted(m for m in sys.modules if m.startswith(('epic_events.install', 'alembic'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_example_data_file_names_a_super_user_in_gestion():
    seed = read_seed_file(REPO / "data.example.json")
    assert seed.super_user.department == DepartmentName.GESTION
    assert DepartmentName.GESTION in seed.departments


def test_a_missing_data_file_says_to_run_setup(tmp_path):
    with pytest.raises(ConfigurationError, match="is missing: run"):
        read_seed_file(tmp_path / "data.json")


def test_users_of_an_unlisted_department_are_refused(tmp_path):
    path = tmp_path / "data.json"
    user = {"name": "A", "email": "a@example.com", "phone": "+33 1 23 45 67 89"}
    path.write_text(
        json.dumps(
            {
                "departments": [{"name": "gestion"}],
                "users": [
                    {**user, "department": "gestion"},
                    {**user, "email": "b@example.com", "department": "support"},
                ],
            }
        )
    )
    with pytest.raises(ConfigurationError, match="unlisted departments"):
        read_seed_file(path)
