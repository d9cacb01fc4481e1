"""Install Epic Events CRM on a machine that has Python 3.11 and nothing else, then set it up.

    python3 bootstrap.py [--dev] [--no-setup] [setup.py's options, e.g. --join]

Standard library only. It never installs into the system's Python (on Debian and Ubuntu that
one is "externally managed", PEP 668) nor into an activated virtualenv: pipenv goes into a
virtualenv of its own (`.tools/`), the locked packages into the project's `.venv/`. Then it
runs `setup.py` with that `.venv`, whose last line is the command that starts the program.
Safe to run again: what is there is kept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HOME = Path(__file__).resolve().parent
TOOLS = HOME / ".tools"
VENV = HOME / ".venv"
WANTED = (3, 11)  # Pipfile's python_version
# Other versions the locked packages install on (each has wheels for it), tried when no 3.11.
ALSO = ((3, 12),)


class Stop(Exception):
    """A one-line reason to stop."""


def say(line: str) -> None:
    print(f"bootstrap: {line}", flush=True)


def version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(  # noqa: S603 - a Python found on PATH, our arguments
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        major, minor = out.split(".")
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def this_python() -> str:
    """This interpreter, or the one an activated virtualenv was made from."""
    if sys.prefix != sys.base_prefix:
        return getattr(sys, "_base_executable", None) or sys.executable
    return sys.executable


def find_python() -> str:
    """This interpreter when it is 3.11, else a `python3.11` on PATH, else a 3.12."""
    for wanted in (WANTED, *ALSO):
        name = "python{}.{}".format(*wanted)
        if sys.version_info[:2] == wanted:
            return this_python()
        found = shutil.which(name)
        if found and version_of(found) == wanted:
            return found
    raise Stop(
        "Epic Events needs Python 3.11 (or 3.12) and this is {}.{}: install python3.11 "
        "(Debian 12: `apt install python3 python3-venv`) and run `python3.11 bootstrap.py`.".format(
            *sys.version_info[:2]
        )
    )


def clean_environment() -> dict[str, str]:
    """The environment for pipenv: the project's own .venv, whatever virtualenv is active."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PIPENV_ACTIVE")}
    env.update(
        PIPENV_VENV_IN_PROJECT="1",
        PIPENV_IGNORE_VIRTUALENVS="1",
        PIPENV_NOSPIN="1",
        PIPENV_YES="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def make_tools(python: str) -> Path:
    """pipenv in a virtualenv of its own; return its executable."""
    pipenv = TOOLS / "bin" / "pipenv"
    if pipenv.exists():
        return pipenv
    say(f"installing pipenv into {TOOLS.name}/ (a virtualenv of its own)")
    made = subprocess.run(  # noqa: S603 - the chosen Python, our arguments
        [python, "-m", "venv", "--clear", str(TOOLS)],
        env=clean_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if made.returncode:
        shutil.rmtree(TOOLS, ignore_errors=True)
        raise Stop(no_venv_message(python))
    pip = TOOLS / "bin" / "pip"
    if not pip.exists():
        shutil.rmtree(TOOLS, ignore_errors=True)
        raise Stop(no_venv_message(python))
    run([str(pip), "install", "--quiet", "pipenv"], "pip could not install pipenv")
    return pipenv


def no_venv_message(python: str) -> str:
    return (
        f"{python} cannot make a virtualenv with pip (Debian and Ubuntu ship that part apart): "
        "install it with `sudo apt install python3-venv` (or python3.11-venv), then run "
        "bootstrap.py again."
    )


def run(command: list[str], failure: str) -> None:
    done = subprocess.run(command, env=clean_environment(), cwd=HOME)  # noqa: S603 - ours
    if done.returncode:
        raise Stop(f"{failure} (exit status {done.returncode}, command: {' '.join(command)}).")


def sync(pipenv: Path, python: str, dev: bool) -> None:
    say(f"installing the locked packages into {VENV.name}/ (pipenv sync{' --dev' if dev else ''})")
    command = [str(pipenv), "--python", python, "sync"]
    if dev:
        command.append("--dev")
    run(command, "pipenv could not install the locked packages")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    dev = "--dev" in args
    setup = "--no-setup" not in args
    passed = [a for a in args if a not in ("--dev", "--no-setup")]
    try:
        python = find_python()
        pipenv = make_tools(python)
        sync(pipenv, python, dev)
    except Stop as reason:
        print(f"bootstrap: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbootstrap: cancelled; run it again to finish.", file=sys.stderr)
        return 130
    if not setup:
        say(f"done: the program's Python is {VENV.name}/bin/python")
        return 0
    say("setting up (setup.py)")
    try:  # from the caller's folder: setup.py's last line is a command to type there
        return subprocess.run(  # noqa: S603 - the project's own Python and setup.py
            [str(VENV / "bin" / "python"), str(HOME / "setup.py"), *passed],
            env=clean_environment(),
        ).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
