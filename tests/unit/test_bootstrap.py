"""bootstrap.py, README's first command: the parts that decide without installing anything.
CI runs the whole of it (.ci/run installs through it, from the stock Debian Python when the
machine has one, inside an activated virtualenv)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

import bootstrap


def test_pipenv_is_given_the_projects_venv_whatever_virtualenv_is_active(monkeypatch):
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/active")
    monkeypatch.setenv("PIPENV_ACTIVE", "1")
    env = bootstrap.clean_environment()
    assert "VIRTUAL_ENV" not in env
    assert "PIPENV_ACTIVE" not in env
    assert env["PIPENV_IGNORE_VIRTUALENVS"] == "1"
    assert env["PIPENV_VENV_IN_PROJECT"] == "1"


def fake_python(folder: Path, body: str) -> str:
    script = folder / "python3.11"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_a_python_without_venv_support_is_told_the_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(bootstrap, "TOOLS", tmp_path / ".tools")
    python = fake_python(tmp_path, "echo 'ensurepip is not available' >&2; exit 1")
    with pytest.raises(bootstrap.Stop) as stopped:
        bootstrap.make_tools(python)
    assert "apt install python3-venv" in str(stopped.value)
    assert not (tmp_path / ".tools").exists()


def test_another_python_than_311_looks_for_one_on_path_then_says_what_to_install(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(sys, "version_info", (3, 10, 12, "final", 0))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(bootstrap.Stop) as stopped:
        bootstrap.find_python()
    assert "needs Python 3.11" in str(stopped.value)
    found = fake_python(tmp_path, "echo 3.11")
    assert bootstrap.find_python() == found


def test_inside_an_activated_virtualenv_its_base_interpreter_is_used(monkeypatch):
    monkeypatch.setattr(sys, "prefix", "/tmp/activated")
    monkeypatch.setattr(sys, "_base_executable", "/usr/bin/python3.11", raising=False)
    assert bootstrap.this_python() == "/usr/bin/python3.11"


def test_help_says_what_it_does(capsys):
    assert bootstrap.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "externally managed" in out
    assert "setup.py" in out


def test_a_failed_step_is_one_line_and_exit_status_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "TOOLS", tmp_path / ".tools")
    python = fake_python(tmp_path, "exit 1")
    monkeypatch.setattr(bootstrap, "find_python", lambda: python)
    assert bootstrap.main(["--no-setup"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bootstrap: ")
    assert err.count("\n") == 1
