"""The command line's definitions: every command and option has its help, the sorts are the
list screens', and the program runs commands without a terminal."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from epic_events.cli import main
from epic_events.exit_status import ExitStatus
from epic_events.views import renderers
from epic_events.views.commands.parser import SORTS, add_commands
from tests.unit.test_cli import REPO, SECRET, UNREACHABLE_DATABASE


def program_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="epic_events")
    add_commands(parser)
    return parser


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) for the parser and every sub-command under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))


def commands() -> list[tuple[str, ...]]:
    return [path for path, _ in walk(program_parser()) if path]


def test_every_command_and_every_option_has_help():
    missing = []
    for path, parser in walk(program_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {choice.dest for choice in action._choices_actions if choice.help}
                missing += [(*path, name) for name in action.choices if name not in helped]
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append((*path, action.dest))
    assert missing == []


def test_the_commands_are_the_menus_actions():
    names = {" ".join(path) for path in commands()}
    for entity in ("clients", "contracts", "events", "collaborators"):
        for verb in ("list", "show", "history", "create", "update"):
            assert f"{entity} {verb}" in names
    for entity in ("clients", "contracts", "events"):
        assert {f"{entity} archive", f"{entity} restore"} <= names
    assert {"clients reassign", "contracts sign", "events assign", "login", "logout"} <= names
    assert {"collaborators deactivate", "collaborators reactivate", "collaborators delete"} <= names
    assert {"profile show", "profile update", "profile password", "activity", "dashboard"} <= names


def test_the_sort_keys_are_the_list_screens():
    assert {
        "clients": tuple(renderers.CLIENT_SORTS),
        "contracts": tuple(renderers.CONTRACT_SORTS),
        "events": tuple(renderers.EVENT_SORTS),
    } == SORTS


def test_the_exit_statuses_are_the_documented_ones():
    assert [(status.name, int(status)) for status in ExitStatus] == [
        ("OK", 0),
        ("ERROR", 1),
        ("USAGE", 2),
        ("NOT_LOGGED_IN", 3),
        ("REFUSED", 4),
        ("NOT_FOUND", 5),
        ("CONFLICT", 6),
        ("INTERRUPTED", 130),
        ("BROKEN_PIPE", 141),
    ]


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_help_of_every_command_exits_0(path, capsys):
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: epic_events {' '.join(path)}")


def test_a_usage_error_is_status_2_with_the_validators_message(capsys):
    assert main(["events", "assign", "12", "--support", "bob"]) == ExitStatus.USAGE
    assert "Collaborator id must be a positive whole number." in capsys.readouterr().err
    assert main(["clients", "list", "--sort", "salary"]) == ExitStatus.USAGE
    assert main(["clients", "list", "--page", "2", "--all"]) == ExitStatus.USAGE
    assert main(["clients"]) == ExitStatus.USAGE


def run(*args: str, home, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    import os

    env = {
        **os.environ,
        "EPIC_EVENTS_HOME": str(home),
        "DATABASE_URL": UNREACHABLE_DATABASE,
        "JWT_SECRET": SECRET,
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "epic_events/project.py", *args],
        cwd=REPO,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_a_command_runs_without_a_terminal(isolated_environment):
    result = run("clients", "list", "--format", "json", home=isolated_environment)
    assert "interactive program" not in result.stderr
    assert result.returncode == ExitStatus.ERROR  # the database cannot be reached, said so
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("epic_events: ")
    assert "Traceback" not in result.stderr


def test_help_of_a_command_without_a_terminal(isolated_environment):
    result = run("events", "list", "--help", home=isolated_environment)
    assert result.returncode == 0, result.stderr
    assert "--filter NAME" in result.stdout
    assert "without-support" in result.stdout


def complete(script: str, *words: str) -> list[str]:
    """What bash offers for the last of `words`, with the generated script loaded."""
    line = " ".join(f"'{word}'" for word in ("epic_events", *words))
    program = f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words)}; _epic_events\n"
    program += 'printf "%s\\n" "${COMPREPLY[@]}"'
    done = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.split()


def test_bash_completion_is_generated_from_the_same_definitions(capsys):
    assert main(["completion"]) == 0
    script = capsys.readouterr().out
    assert complete(script, "con") == ["contracts"]
    assert complete(script, "--dev", "events", "as") == ["assign"]
    assert complete(script, "events", "list", "--f") == ["--filter", "--format"]
    assert "--expect-version" in complete(script, "clients", "update", "--")


@pytest.mark.parametrize(
    "argv",
    [
        ["clients", "list", "\x1b]0;pwned\x07"],
        ["clients", "list", "--sort", "\x1b[2J"],
        ["\x1b[31mclients"],
    ],
    ids=["an extra argument", "an invalid choice", "an unknown command"],
)
def test_a_usage_error_quotes_control_characters_never_sends_them(argv, capsys):
    """argparse echoes what it refuses: escaped, a title or a screen clear stays text."""
    assert main(argv) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "\\x1b" in err
