"""Logging in: resume the saved session, or ask for email and password."""

from __future__ import annotations

import sys
import time

from epic_events.controllers.auth import CurrentUser
from epic_events.errors import InvalidCredentials, NotAuthenticated, ValidationError
from epic_events.views.console import ask, error, info, success, warning
from epic_events.views.context import AppContext

# After a few failures each new attempt waits longer (1, 2, 4, 8 s), to slow guessing.
FREE_ATTEMPTS = 3
MAX_DELAY_S = 8


def _required(label: str):
    def check(raw: str) -> str:
        if not raw.strip():
            raise ValidationError(f"{label} is required.")
        return raw.strip()

    return check


def _show_warnings(ctx: AppContext) -> None:
    for message in ctx.authenticator.warnings:
        warning(ctx.console, message)
    ctx.authenticator.warnings.clear()


def welcome(ctx: AppContext, user: CurrentUser, resumed: bool = False) -> None:
    """Greet the user; after a typed login, show their dashboard (a resumed session goes
    straight to the menu, which has it too)."""
    verb = "Welcome back" if resumed else "Logged in as"
    success(ctx.console, f"{verb} {user.name} ({user.department.value}).")
    if not resumed:
        from epic_events.views.dashboard import show_dashboard
        from epic_events.views.menu import run_action

        ctx.user = user
        run_action(ctx, show_dashboard)


def sign_in(ctx: AppContext) -> CurrentUser | None:
    """The saved session when still valid, else the login form; None means quit."""
    result = ctx.authenticator.resume()
    if result.user is not None:
        welcome(ctx, result.user, resumed=True)
        return result.user
    if result.message:
        warning(ctx.console, result.message)
    return login_form(ctx, email_hint=result.email)


def login_form(ctx: AppContext, email_hint: str | None = None) -> CurrentUser | None:
    """Ask for email and password until they match; Ctrl-D quits, Ctrl-C starts over."""
    console = ctx.console
    console.print("\n[bold]Epic Events CRM[/] — please log in [dim](Ctrl-D quits)[/]")
    failures = 0
    while True:
        try:
            email = ask(console, "Email", _required("Email"), default=email_hint)
            password = console.input("[bold]Password[/]: ", password=True)
            user = ctx.authenticator.login(email, password)
        except EOFError:
            console.print()
            return None
        except KeyboardInterrupt:
            console.print()
            info(console, "Cancelled.")
            continue
        except (NotAuthenticated, ValidationError) as problem:
            error(console, problem.message)
            email_hint = email
            if isinstance(problem, InvalidCredentials | ValidationError):
                failures += 1
                if failures >= FREE_ATTEMPTS:
                    delay = min(2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S)
                    console.print(f"[dim]Please wait {delay} s before trying again…[/]")
                    time.sleep(delay)
                    _discard_typeahead()
            continue
        welcome(ctx, user)
        _show_warnings(ctx)
        return user


def _discard_typeahead() -> None:
    """Forget what was typed during the wait: it must not land in the next prompt."""
    try:
        import termios

        if sys.stdin.isatty():
            termios.tcflush(sys.stdin, termios.TCIFLUSH)
    except (ImportError, OSError, ValueError):  # not a terminal, or no termios
        pass
