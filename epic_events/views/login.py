"""Logging in: resume the saved session, or ask for email and password."""

from __future__ import annotations

from epic_events.controllers.auth import CurrentUser
from epic_events.errors import NotAuthenticated, ValidationError
from epic_events.views.console import ask, error, info, success, warning
from epic_events.views.context import AppContext
from epic_events.views.terminal import keys_held_back


def _required_email(raw: str) -> str:
    if not raw.strip():
        raise ValidationError("Email is required.")
    return raw.strip()


def _required_password(raw: str) -> str:
    """The password exactly as typed: never trimmed, only refused when nothing was typed."""
    if raw == "":
        raise ValidationError("Password is required.")
    return raw


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
    result = ctx.authenticator.resume(ctx.settings.acting_as)
    if result.user is not None:
        welcome(ctx, result.user, resumed=True)
        return result.user
    if result.message:
        warning(ctx.console, result.message)
    return login_form(ctx, email_hint=result.email)


def login_form(ctx: AppContext, email_hint: str | None = None) -> CurrentUser | None:
    """Ask for email and password until they match; Ctrl-D quits, Ctrl-C starts over.

    An empty field is asked again here and never sent, so it is no attempt. Failed attempts
    are counted, and slowed, by the database alone (`Authenticator.login`): the same count for
    every program on every machine, and no wait in this form on top of it.
    """
    console = ctx.console
    console.print("\n[bold]Epic Events CRM[/] — please log in [dim](Ctrl-D quits)[/]")
    while True:
        try:
            email = ask(console, "Email", _required_email, default=email_hint)
            password = ask(console, "Password", _required_password, password=True)
            with keys_held_back():
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
            continue
        welcome(ctx, user)
        _show_warnings(ctx)
        return user
