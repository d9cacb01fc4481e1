"""The main menu, built from what the logged-in department may do."""

from __future__ import annotations

from rich.text import Text

from epic_events.controllers.permissions import DEPARTMENT_LABELS, Action
from epic_events.views.clients import clients_menu
from epic_events.views.collaborators import collaborators_menu
from epic_events.views.console import success
from epic_events.views.context import AppContext
from epic_events.views.contracts import contracts_menu
from epic_events.views.events import events_menu
from epic_events.views.menu import LeaveMenu, MenuEntry, run_menu
from epic_events.views.profile import profile_menu
from epic_events.views.text import sanitize


def log_out(ctx: AppContext) -> None:
    ctx.authenticator.logout(ctx.user)
    success(ctx.console, "Logged out: your saved session was removed.")
    ctx.logged_out = True
    raise LeaveMenu()


ENTRIES = [
    MenuEntry("Clients", clients_menu, Action.READ_ALL),
    MenuEntry("Contracts", contracts_menu, Action.READ_ALL),
    MenuEntry("Events", events_menu, Action.READ_ALL),
    MenuEntry("Collaborators", collaborators_menu, Action.COLLABORATOR_LIST),
    MenuEntry("My profile", profile_menu, Action.OWN_PROFILE),
    MenuEntry("Log out", log_out),
]


def title(ctx: AppContext) -> Text:
    user = ctx.user
    label = DEPARTMENT_LABELS[user.department]
    department = user.department.value + ("" if label == user.department.value else f", {label}")
    return Text.assemble(
        ("Epic Events CRM — ", "bold"), (sanitize(user.name), "bold"), (f" ({department})", "dim")
    )


def main_menu(ctx: AppContext) -> None:
    """Run until the user quits (0 or Ctrl-D) or logs out (`ctx.logged_out`)."""
    ctx.logged_out = False
    run_menu(ctx, lambda: title(ctx), ENTRIES, back_label="Quit")
