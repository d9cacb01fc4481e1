"""Sessions for commands: log in and out, resume the saved session, dev mode; and the few
things a command may ask (a password, a confirmation), only on stdin or a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable

from epic_events.controllers.auth import CurrentUser
from epic_events.errors import ConfigurationError, NotAuthenticated, ValidationError
from epic_events.views.context import AppContext
from epic_events.views.text import sanitize

NOT_LOGGED_IN = "Not logged in: run `epic_events login` first."


def say(message: str) -> None:
    """A message for the person, never for a pipe: on standard error, literally."""
    print(sanitize(message), file=sys.stderr, flush=True)


def _terminal() -> bool:
    return sys.stdin.isatty()


def _stderr_console():
    from epic_events.views.console import make_console

    return make_console(stderr=True)


def _stdin_line(label: str) -> str:
    from epic_events.views.commands.standard_streams import ClosedInput

    line = sys.stdin.readline()
    if not line:
        state = "closed" if isinstance(sys.stdin, ClosedInput) else "empty"
        raise ValidationError(f"{label} is required: standard input is {state}.")
    return line.removesuffix("\n").removesuffix("\r")


def read_password(
    args,
    label: str = "Password",
    *,
    validate: Callable[[str], str] | None = None,
    twice: bool = False,
) -> str:
    """A password from one line of standard input (--password-stdin), else typed on the
    terminal without echo (twice for a new one); never waited for otherwise."""
    if getattr(args, "password_stdin", False):
        password = _stdin_line(label)
        return validate(password) if validate else password
    if not _terminal():
        raise ValidationError(
            f"{label} is needed: give it on standard input with --password-stdin "
            "(there is no terminal to ask on)."
        )
    from epic_events.views.console import ask

    console = _stderr_console()
    while True:
        password = ask(console, label, validate, password=True)
        if not twice or console.input(f"[bold]{label} again[/]: ", password=True) == password:
            return password
        console.print("[red]The two passwords differ: please type them again.[/]")


def confirmed(args, question: str) -> bool:
    """--yes, or a yes typed on the terminal; without either, a usage error (status 2)."""
    if getattr(args, "yes", False):
        return True
    if not _terminal():
        raise ValidationError(f"{question} Add --yes to confirm (there is no terminal to ask).")
    from epic_events.views.console import confirm

    return confirm(_stderr_console(), sanitize(question))


def _warnings(ctx: AppContext) -> None:
    for message in ctx.authenticator.warnings:
        say(f"warning: {message}")
    ctx.authenticator.warnings.clear()


def login(ctx: AppContext, args) -> None:
    """`login`: check the credentials and save the session for the next commands."""
    email = args.email
    if not email:
        if not _terminal():
            raise ValidationError("Email is required: give it with --email.")
        from epic_events.views.console import ask

        email = ask(_stderr_console(), "Email")
    password = read_password(args)
    user = ctx.authenticator.login(email, password)
    say(f"Logged in as {user.name} ({user.department.value}).")
    _warnings(ctx)


def logout(ctx: AppContext, args) -> None:
    """`logout`: remove the saved session (an ended one too): the last login's, or the one
    `--as`/EPIC_EVENTS_USER names."""
    acting_as = ctx.settings.acting_as
    result = ctx.authenticator.resume(acting_as)
    if result.user is not None:
        ctx.authenticator.logout(result.user)
    elif result.email and (result.message or acting_as is None):
        ctx.authenticator.forget(result.email)
    else:
        say("Not logged in: nothing to do.")
        return
    say("Logged out: your session has ended (a copy of it resumes nothing).")


def signed_in(ctx: AppContext, dev: bool = False) -> CurrentUser:
    """The saved session's user (or the super user in dev mode); NotAuthenticated else.

    The session is the last login's, or the one saved for `--as EMAIL` / EPIC_EVENTS_USER
    (the settings' `acting_as`): a script then acts as the user it names, whoever logged in
    on this machine last."""
    if dev:
        return dev_login(ctx)
    acting_as = ctx.settings.acting_as
    result = ctx.authenticator.resume(acting_as)
    if result.user is None:
        if result.message is None and acting_as is not None:
            raise NotAuthenticated(
                f"No saved session for {result.email}: "
                f"run `epic_events login --email {result.email}` first."
            )
        raise NotAuthenticated(result.message or NOT_LOGGED_IN)
    return result.user


def dev_login(ctx: AppContext) -> CurrentUser:
    """Dev mode's rules, as in the menu: development only, USER_1_PW, said loudly."""
    settings = ctx.settings
    if not settings.is_development:
        raise ConfigurationError(
            "Dev auto-login refused: it only works with EPIC_EVENTS_ENV=development, "
            "and this is production."
        )
    if not settings.user_1_pw:
        raise ConfigurationError("Dev auto-login needs USER_1_PW in the environment or .env.")
    from epic_events.seed_file import read_seed_file

    email = read_seed_file(settings.file_path).super_user.email
    say(f"WARNING: DEVELOPMENT MODE: acting as the super user {email}, without a password.")
    user = ctx.authenticator.login(email, settings.user_1_pw)
    _warnings(ctx)
    return user
