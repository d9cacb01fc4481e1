"""The command line: every command and option, with its help, defined once here.

Built for every start of the program (the menu's too), so it imports nothing heavy: values
are checked by the validators the forms use (`_checked`, imported on use) or by the
controllers, which give the forms' messages.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

FORMATS = ("table", "json", "csv")
# The list screens' sort keys (views.renderers *_SORTS; a unit test keeps them equal).
SORTS = {
    "clients": ("name", "company", "email", "created", "updated"),
    "contracts": ("id", "total", "due", "created", "signed"),
    "events": ("start", "name", "attendees", "id"),
}
# The menu's filters of each list, and who has them (the controllers decide).
FILTERS = {
    "clients": {"mine": "my clients (commerce)"},
    "contracts": {
        "unsigned": "unsigned contracts of my clients (commerce)",
        "unpaid": "contracts of my clients not fully paid (commerce)",
    },
    "events": {
        "upcoming": "from now on, soonest first (everyone)",
        "without-support": "events without a support contact (gestion)",
        "mine": "the events I support (support)",
    },
    "collaborators": {},
}
ENTITY_HELP = {
    "clients": "clients: list, show, history; create and update (commerce); reassign, archive, "
    "restore (gestion)",
    "contracts": "contracts: list, show, history; create (gestion); update and sign (gestion, "
    "commerce for its clients); archive, restore (gestion)",
    "events": "events: list, show, history; create (commerce); assign support, archive, "
    "restore (gestion); update (support, its own events)",
    "collaborators": "collaborators (gestion): list, show, history, create, update, "
    "deactivate, reactivate, delete",
}
ARCHIVABLE = ("clients", "contracts", "events")

COMMANDS_EPILOG = """\
commands: `epic_events ENTITY VERB [options]` works without a terminal (scripts, cron, CI):
data goes to standard output, messages to standard error. Log in once with `login`
(`--password-stdin` reads the password from standard input); commands use the saved
session like the menu does. Each command has its own --help.

exit statuses: 0 done; 1 unexpected error (logged); 2 usage or invalid value; 3 not logged
in or session ended (and: the menu without a terminal); 4 refused by permissions or
ownership, nothing changed; 5 not found; 6 conflict (changed by someone else, duplicate,
already done); 130 interrupted.
"""


class CommandParser(argparse.ArgumentParser):
    """argparse's parser, its errors' control characters shown as escapes: a value typed
    on the command line (`$'\\e]0;pwned\\a'`) is quoted back, never sent to the terminal."""

    def error(self, message: str):
        from epic_events.views.text import sanitize

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {sanitize(message)}\n")


def _checked(parse: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse type from a validator: its ValidationError message becomes the usage
    error (status 2), word for word the form's."""

    def convert(raw: str):
        from epic_events.errors import ValidationError

        try:
            return parse(raw)
        except ValidationError as problem:
            raise argparse.ArgumentTypeError(problem.message) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def record_id(label: str) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        from epic_events.validators import parse_id

        return parse_id(raw, label)

    return _checked(parse)


def support_id(raw: str) -> int | None:
    """A collaborator id, or `none` to remove the support contact."""
    if raw.strip().lower() in ("none", "-"):
        return None
    return record_id("Collaborator id")(raw)


def search_text(raw: str) -> str | None:
    from epic_events.views.browse import clean_search

    return _checked(clean_search)(raw)


def add_commands(parser: argparse.ArgumentParser) -> None:
    """Add the commands to the program's parser (no command: the interactive menu)."""
    parser.epilog = (parser.epilog or "") + "\n" + COMMANDS_EPILOG
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands (without one: the interactive menu)"
    )
    _session_commands(commands)
    for entity in ENTITY_HELP:
        _entity(commands, entity)
    _profile(commands)
    activity = _command(commands, "activity", "recent activity of everyone, latest first (gestion)")
    _list_options(activity, sorts=(), filters={}, archivable=False)
    activity.set_defaults(action=("activity", "list"))
    _sessions(commands)
    dashboard = _command(commands, "dashboard", "my dashboard: what needs me now")
    dashboard.set_defaults(action=("dashboard", "show"))
    completion = _command(
        commands,
        "completion",
        "print a bash completion script (zsh: after `autoload bashcompinit; bashcompinit`); "
        'use it with eval "$(… completion)", for the command named epic_events (an alias)',
    )
    completion.add_argument(
        "--name", default="epic_events", help="the command (or alias) to complete"
    )
    completion.set_defaults(action=("completion", "bash"))


def _command(group, name: str, help_text: str, **options) -> argparse.ArgumentParser:
    return group.add_parser(name, help=help_text, description=help_text, **options)


def _format(parser: argparse.ArgumentParser, default: str = "table") -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=default,
        help="table (as the menu shows it; plain text when not a terminal), json (stable keys, "
        'money as "1500.00", ISO 8601 dates) or csv (the export\'s columns and guards); '
        f"default: {default}",
    )


def _yes(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help=f"{what} without asking (needed without a terminal: nothing waits for a key)",
    )


def _session_commands(commands) -> None:
    login = _command(commands, "login", "log in and save the session (encrypted) for commands")
    login.add_argument("--email", help="your email (asked when a terminal is attached)")
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (never put it on the "
        "command line)",
    )
    login.set_defaults(action=("session", "login"))
    logout = _command(commands, "logout", "log out: remove the saved session")
    logout.set_defaults(action=("session", "logout"))


def _sessions(commands) -> None:
    """`sessions list` and `sessions end ID`: everyone's live sessions (gestion)."""
    sessions = _command(commands, "sessions", "everyone's live sessions (gestion)")
    verbs = sessions.add_subparsers(dest="verb", metavar="VERB", required=True)
    lister = _command(verbs, "list", "who is logged in, on which workstation, since, last seen")
    _format(lister)
    lister.set_defaults(action=("sessions", "list"))
    ender = _command(verbs, "end", "end someone's session: their next action asks to log in")
    ender.add_argument(
        "id", type=record_id("Session id"), metavar="ID", help="the session's id (sessions list)"
    )
    _yes(ender, "end it")
    ender.set_defaults(action=("sessions", "end"))


def _expect_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expect-version",
        type=record_id("Version"),
        metavar="N",
        help="change nothing (status 6) unless the record is still at version N (the "
        '"version" of show --format json): no change made meanwhile is overwritten',
    )


def _list_options(parser, *, sorts, filters: dict[str, str], archivable: bool) -> None:
    parser.add_argument("--search", type=search_text, help="only the rows containing TEXT")
    if sorts:
        parser.add_argument(
            "--sort", choices=sorts, metavar="COLUMN", help=f"sort by one of: {', '.join(sorts)}"
        )
        parser.add_argument("--desc", action="store_true", help="sort in descending order")
    if filters:
        described = "; ".join(f"{name}: {text}" for name, text in filters.items())
        parser.add_argument(
            "--filter",
            choices=list(filters),
            action="append",
            metavar="NAME",
            help=f"the menu's filters (repeat to combine): {described}",
        )
    if archivable:
        parser.add_argument(
            "--archived", action="store_true", help="include archived rows (hidden by default)"
        )
    pages = parser.add_mutually_exclusive_group()
    pages.add_argument(
        "--page", type=record_id("Page"), default=1, help="the page to show (default 1)"
    )
    pages.add_argument(
        "--all",
        action="store_true",
        help="every row, streamed in flat memory (csv: written by PostgreSQL, as the export)",
    )
    _format(parser)


def _entity(commands, entity: str) -> None:
    group = _command(commands, entity, ENTITY_HELP[entity]).add_subparsers(
        dest="verb", metavar="VERB", required=True
    )
    label = entity.removesuffix("s").capitalize() + " id"
    one = entity.removesuffix("s")
    a_one = ("an " if one[0] in "aeiou" else "a ") + one

    def verb(name: str, help_text: str, *, with_id: bool = True, out: bool = True):
        parser = _command(group, name, help_text)
        if with_id:
            parser.add_argument("id", type=record_id(label), metavar="ID", help=f"the {one}'s id")
        if out:
            _format(parser)
        parser.set_defaults(action=(entity, name))
        return parser

    lister = verb("list", f"list {entity}, a page at a time or --all", with_id=False, out=False)
    _list_options(
        lister,
        sorts=SORTS.get(entity, ()),
        filters=FILTERS[entity],
        archivable=entity in ARCHIVABLE,
    )
    verb("show", f"show one {one}")
    history = verb("history", f"what happened to {a_one}, latest first", out=False)
    pages = history.add_mutually_exclusive_group()
    pages.add_argument("--page", type=record_id("Page"), default=1, help="the page to show")
    pages.add_argument("--all", action="store_true", help="every change")
    _format(history)
    FIELDS[entity](verb)
    if entity in ARCHIVABLE:
        _yes(verb("archive", f"archive {a_one} (hidden, read-only, restorable)"), "archive")
        verb("restore", f"restore an archived {one} and what was archived with it")


def _clients(verb) -> None:
    for name, required in (("create", True), ("update", False)):
        parser = verb(
            name,
            "create a client: you become its commercial contact (commerce)"
            if required
            else "change one of your clients (commerce); give only what changes",
            with_id=not required,
        )
        if not required:
            _expect_version(parser)
        parser.add_argument("--name", required=required, help="the client's full name")
        parser.add_argument("--email", required=required, help="the client's email")
        parser.add_argument("--phone", required=required, help="the client's phone")
        parser.add_argument("--company", required=required, help="the client's company name")
        if required:
            _yes(parser, "create even when a client of this name and company exists:")
    reassign = verb("reassign", "give a client and its contracts to another commercial (gestion)")
    reassign.add_argument(
        "--commercial",
        required=True,
        type=record_id("Collaborator id"),
        metavar="ID",
        help="the new commercial contact's collaborator id",
    )


def _contracts(verb) -> None:
    create = verb("create", "create an unsigned contract for a client (gestion)", with_id=False)
    create.add_argument(
        "--client", required=True, type=record_id("Client id"), metavar="ID", help="its client"
    )
    create.add_argument("--total", required=True, help="total amount, like 1500 or 1 500,50")
    create.add_argument("--due", help="amount still due (default: the total)")
    update = verb("update", "change a contract's amounts (gestion; commerce: its clients')")
    update.add_argument("--total", help="new total amount")
    update.add_argument("--due", help="new amount due")
    _expect_version(update)
    _yes(verb("sign", "sign a contract (gestion; commerce: its clients')"), "sign")


def _events(verb) -> None:
    for name, required in (("create", True), ("update", False)):
        parser = verb(
            name,
            "create an event on a signed contract of your client (commerce)"
            if required
            else "change an event you support (support); give only what changes",
            with_id=not required,
        )
        if not required:
            _expect_version(parser)
        if required:
            parser.add_argument(
                "--contract", required=True, type=record_id("Contract id"), metavar="ID",
                help="its signed contract",
            )  # fmt: skip
        parser.add_argument("--name", required=required, help="the event's name")
        parser.add_argument(
            "--start",
            required=required,
            help="start, like 04/06/2026 13:00 or ISO 8601 2026-06-04T13:00[+02:00]",
        )
        parser.add_argument(
            "--end",
            required=required,
            help="end, like 05/06/2026 02:00 or ISO 8601 2026-06-05T02:00[+02:00]",
        )
        parser.add_argument("--location", required=required, help="where it takes place")
        parser.add_argument("--attendees", required=required, help="number of attendees")
        parser.add_argument("--notes", help="free notes")
    assign = verb("assign", "assign, change or remove an event's support contact (gestion)")
    assign.add_argument(
        "--support",
        required=True,
        type=support_id,
        metavar="ID|none",
        help="the support collaborator's id, or none to remove it",
    )


def _collaborators(verb) -> None:
    for name, required in (("create", True), ("update", False)):
        parser = verb(
            name,
            "create a collaborator (gestion)"
            if required
            else "change a collaborator (gestion); give only what changes",
            with_id=not required,
        )
        if not required:
            _expect_version(parser)
        parser.add_argument("--name", required=required, help="full name")
        parser.add_argument("--email", required=required, help="login email")
        parser.add_argument("--phone", required=required, help="phone")
        parser.add_argument(
            "--department",
            required=required,
            help="gestion, commerce or support (no one changes their own)",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the "
            + ("initial" if required else "new")
            + " password from standard input (asked twice on a terminal otherwise)",
        )
    for name, help_text in (
        ("deactivate", "deactivate a collaborator who leaves (gestion)"),
        ("delete", "delete a collaborator for good (gestion)"),
    ):
        leaving = verb(name, help_text)
        _yes(leaving, name)
        leaving.add_argument(
            "--clients-to",
            type=record_id("Collaborator id"),
            metavar="ID",
            help="first hand all their clients (with their contracts) to this commercial",
        )
        leaving.add_argument(
            "--events-to",
            type=record_id("Collaborator id"),
            metavar="ID",
            help="first hand all their upcoming events to this support contact",
        )
    verb("reactivate", "reactivate a deactivated collaborator (gestion)")


FIELDS = {
    "clients": _clients,
    "contracts": _contracts,
    "events": _events,
    "collaborators": _collaborators,
}


def _profile(commands) -> None:
    group = _command(commands, "profile", "my own profile (everyone)").add_subparsers(
        dest="verb", metavar="VERB", required=True
    )
    show = _command(group, "show", "show my profile")
    _format(show)
    show.set_defaults(action=("profile", "show"))
    update = _command(group, "update", "change my name or phone")
    update.add_argument("--name", help="my full name")
    update.add_argument("--phone", help="my phone")
    _format(update)
    update.set_defaults(action=("profile", "update"))
    password = _command(group, "password", "change my password; my other sessions end")
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the current password, then the new one, from two lines of standard input",
    )
    password.set_defaults(action=("profile", "password"))


# -- shell completion, from the same definitions -----------------------------------------------

BASH_COMPLETION = """\
# Epic Events CRM: bash completion (zsh: autoload bashcompinit; bashcompinit; first).
declare -A _epic_events_words=(
%(words)s
)
_epic_events() {
    local cur="${COMP_WORDS[COMP_CWORD]}" path="_" word i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ -n "${_epic_events_words["$path $word"]+set}" ]]; then
            path="$path $word"
        fi
    done
    COMPREPLY=($(compgen -W "${_epic_events_words[$path]}" -- "$cur"))
}
complete -F _epic_events %(name)s
"""


def completion_words(parser: argparse.ArgumentParser, path: str = "_") -> dict[str, str]:
    """{"_ clients list": "--search --sort …"}: what may follow each command path."""
    words: list[str] = []
    table: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                words.append(name)
                table.update(completion_words(sub, f"{path} {name}"))
        else:
            words += action.option_strings
            words += [str(choice) for choice in action.choices or ()]
    table[path] = " ".join(words)
    return table


def bash_completion(parser: argparse.ArgumentParser, name: str) -> str:
    import shlex

    words = "\n".join(
        f"    [{shlex.quote(path)}]={shlex.quote(text)}"
        for path, text in sorted(completion_words(parser).items())
    )
    return BASH_COMPLETION % {"words": words, "name": shlex.quote(name)}
