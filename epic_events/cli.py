"""The program: arguments, settings, database, login, then the menu loop."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading

from epic_events import __version__
from epic_events.exit_status import ExitStatus

log = logging.getLogger("epic_events")

DESCRIPTION = """\
Epic Events CRM: clients, contracts and events for the staff of Epic Events.

Run it in a terminal and follow the numbered menus. Your session is kept (encrypted)
until it expires or you log out, so relaunching takes you straight back to the menu.
Settings come from the environment and settings.env (see settings.env.example); run
`python setup.py` once first to create them and the database.
"""

EPILOG = """\
keys: type a menu number and Enter; 0 goes back; Ctrl-C cancels the current form;
Ctrl-D at the main menu quits.

dev mode: --dev logs in as the super user of data.json with USER_1_PW, without typing.
It is only accepted when EPIC_EVENTS_ENV=development, and never in production.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """The program's options and its commands (epic_events/views/commands/parser.py)."""
    from epic_events.views.commands.parser import CommandParser, add_commands

    parser = CommandParser(
        prog="epic_events",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"Epic Events CRM {__version__}")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="development auto-login as the super user (only with EPIC_EVENTS_ENV=development)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show full tracebacks of unexpected errors (also EPIC_EVENTS_DEBUG=1)",
    )
    parser.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="act as EMAIL's saved session (also EPIC_EVENTS_USER); "
        "default: whoever logged in last on this machine",
    )
    add_commands(parser)
    return parser


def configure_logging(settings) -> None:
    """Full errors go to a private log file in the data folder, never to the screen."""
    try:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = settings.data_dir / "epic_events.log"
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(path, 0o600)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    from epic_events.views.commands.standard_streams import replace_closed_streams

    replace_closed_streams()  # `<&-`, `>&-`: a closed stream is no terminal, not a crash
    try:
        args = parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error (already said)
        return done.code if isinstance(done.code, int) else ExitStatus.USAGE
    if args.command == "completion":  # needs no settings, no database
        from epic_events.views.commands.parser import bash_completion

        print(bash_completion(build_parser(), args.name), end="")
        return ExitStatus.OK
    from epic_events.config import load_settings
    from epic_events.errors import ConfigurationError

    try:
        settings = load_settings()
    except ConfigurationError as problem:
        print(f"epic_events: {problem}", file=sys.stderr)
        return ExitStatus.CONFIGURATION
    if args.debug or args.as_email:
        from dataclasses import replace

        if args.debug:
            settings = replace(settings, debug=True)
        if args.as_email:
            settings = replace(settings, acting_as=args.as_email.strip().lower() or None)
    if args.command is not None:  # one command, without needing a terminal
        return run_command(settings, args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "epic_events: this is an interactive program: run it in a terminal (see --help).",
            file=sys.stderr,
        )
        return ExitStatus.NO_TERMINAL
    configure_logging(settings)
    from epic_events import monitoring
    from epic_events.views.console import error
    from epic_events.views.terminal import make_terminal_console, preload_editor

    preload_editor()
    console = make_terminal_console()
    _exit_cleanly_on_hangup()
    try:
        monitoring.init_monitoring(settings.sentry_dsn, settings.environment)
        return run(settings, console, dev=args.dev)
    except KeyboardInterrupt:
        console.print("\nBye.")
        return ExitStatus.INTERRUPTED
    except ConfigurationError as problem:
        error(console, str(problem))
        return ExitStatus.CONFIGURATION
    except Exception as problem:
        return _fatal(console, settings, problem)
    finally:
        monitoring.flush()


def run_command(settings, args: argparse.Namespace) -> int:
    """Run one command (`epic_events clients list`, …) and return its exit status."""
    configure_logging(settings)
    from epic_events import monitoring
    from epic_events.views.commands import execute

    database: LazyDatabase | None = None

    def connect():
        """The command's context: settings, database and authenticator, built on first use."""
        nonlocal database
        from epic_events.auth.token_store import TokenStore
        from epic_events.controllers.auth import Authenticator
        from epic_events.managers.sessions import QuickDatabase, check_schema
        from epic_events.views.commands.output import command_console
        from epic_events.views.context import AppContext

        secret = settings.require_jwt_secret()
        url = database_url(settings)
        quick = QuickDatabase(url)
        try:
            check_schema(quick)
        finally:
            quick.close()
        database = LazyDatabase(url)
        store = TokenStore(settings.token_path, settings.jwt_key_path)
        authenticator = Authenticator(database.unit_of_work, store, secret, settings.token_ttl)
        return AppContext(command_console(), settings, database.unit_of_work, authenticator)

    try:
        monitoring.init_monitoring(settings.sentry_dsn, settings.environment)
        return execute(args, connect, settings)
    finally:
        if database is not None:
            database.dispose()
        monitoring.flush()


def _exit_cleanly_on_hangup() -> None:
    """A closed terminal or a kill ends the program through SystemExit, so the session and
    the embedded database server are closed as on a normal quit."""

    def leave(signum, frame):
        raise SystemExit(128 + signum)

    for name in ("SIGHUP", "SIGTERM"):
        signal.signal(getattr(signal, name), leave)


def _fatal(console, settings, problem: BaseException) -> int:
    from epic_events import monitoring
    from epic_events.errors import EpicEventsError
    from epic_events.views.console import error

    if isinstance(problem, EpicEventsError):
        error(console, problem.message)
        return ExitStatus.ERROR
    log.error("unexpected error", exc_info=problem)
    monitoring.capture_exception(problem)
    console.print("[red]Sorry, Epic Events stopped on an unexpected error; it was logged.[/]")
    if settings.debug:
        console.print_exception()
    return ExitStatus.ERROR


class LazyDatabase:
    """The SQLAlchemy side of the program, built on first use (or by the warm-up thread):
    a resumed session reaches its menu without loading it."""

    def __init__(self, url: str):
        self.url = url
        self._database = None
        self._lock = threading.Lock()

    def get(self):
        with self._lock:
            if self._database is None:
                from epic_events.db import Database

                self._database = Database(self.url)
            return self._database

    def unit_of_work(self):
        return self.get().unit_of_work()

    def dispose(self) -> None:
        if self._database is not None:
            self._database.dispose()


WARM_UP = (
    "epic_events.views.clients",
    "epic_events.views.collaborators",
    "epic_events.views.profile",
    "epic_events.auth.passwords",
)


def warm_up(database: LazyDatabase) -> None:
    """Load the rest of the program while the user reads the menu."""

    def load() -> None:
        try:
            for module in WARM_UP:
                importlib.import_module(module)
            database.get()
        except Exception:  # the first action will load them again and report properly
            log.warning("warm-up failed", exc_info=True)

    threading.Thread(target=load, name="warm-up", daemon=True).start()


def database_url(settings) -> str:
    """DATABASE_URL made psycopg2's, or the embedded server's URL (started here)."""
    if settings.database_url:
        from epic_events.database_url import normalise_url
        from epic_events.errors import ConfigurationError

        try:
            return normalise_url(settings.database_url)
        except ValueError as problem:
            raise ConfigurationError(
                f"DATABASE_URL is {problem} (expected postgresql://user:password@host:5432/name)."
            ) from None
    from epic_events.embedded import start_embedded

    return start_embedded(settings.data_dir)


def run(settings, console, *, dev: bool = False) -> int:
    """Connect, sign in, and loop over the main menu until the user quits."""
    from epic_events.auth.token_store import TokenStore
    from epic_events.controllers.auth import Authenticator
    from epic_events.errors import NotAuthenticated
    from epic_events.managers.sessions import QuickDatabase, check_schema
    from epic_events.views.console import warning
    from epic_events.views.context import AppContext
    from epic_events.views.login import login_form, sign_in
    from epic_events.views.main_menu import main_menu

    secret = settings.require_jwt_secret()
    if dev and not settings.is_development:
        console.print(
            "[bold red]Dev auto-login refused:[/] it only works with "
            "EPIC_EVENTS_ENV=development, and this is production."
        )
        return ExitStatus.CONFIGURATION
    url = database_url(settings)
    quick = QuickDatabase(url)
    try:
        check_schema(quick)
    except BaseException:
        quick.close()
        raise
    database = LazyDatabase(url)
    store = TokenStore(settings.token_path, settings.jwt_key_path)
    authenticator = Authenticator(
        database.unit_of_work, store, secret, settings.token_ttl, lookup=quick.collaborator
    )
    ctx = AppContext(console, settings, database.unit_of_work, authenticator)
    try:
        while True:
            if dev:
                ctx.user = dev_login(ctx)
            elif ctx.logged_out:  # the next person logs in: never resume another session
                ctx.user = login_form(ctx)
            else:
                ctx.user = sign_in(ctx)
            dev = False  # after a logout, the next person logs in by hand
            quick.close()
            authenticator.use_orm_lookup()
            if ctx.user is None:
                break
            warm_up(database)
            try:
                main_menu(ctx)
            except NotAuthenticated as problem:
                warning(console, problem.message)
                if ctx.user is not None:  # that session is over: not offered again
                    authenticator.forget(ctx.user.email)
                continue
            if not ctx.logged_out:
                break
    finally:
        quick.close()
        database.dispose()
    console.print("Bye.")
    return ExitStatus.OK


def dev_login(ctx):
    """Log in as the super user of data.json with USER_1_PW, warning loudly."""
    from rich.panel import Panel

    from epic_events.errors import ConfigurationError
    from epic_events.seed_file import read_seed_file
    from epic_events.views.console import warning
    from epic_events.views.login import welcome

    settings = ctx.settings
    if not settings.user_1_pw:
        raise ConfigurationError("Dev auto-login needs USER_1_PW in the environment or .env.")
    email = read_seed_file(settings.file_path).super_user.email
    ctx.console.print(
        Panel(
            "[bold]DEVELOPMENT MODE[/]: logged in automatically as the super user, "
            "without a password prompt.\nNever use --dev with real data or on a shared machine.",
            style="bold white on red",
            title="WARNING",
        )
    )
    user = ctx.authenticator.login(email, settings.user_1_pw)
    welcome(ctx, user)
    for message in ctx.authenticator.warnings:
        warning(ctx.console, message)
    ctx.authenticator.warnings.clear()
    return user
