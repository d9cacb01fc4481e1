"""The main menu, built from what the logged-in department may do."""

from __future__ import annotations

import importlib

from rich.text import Text

from epic_events.controllers.permissions import DEPARTMENT_LABELS, Action
from epic_events.views.console import success
from epic_events.views.context import AppContext
from epic_events.views.menu import LeaveMenu, MenuEntry, run_menu
from epic_events.views.text import sanitize


def log_out(ctx: AppContext) -> None:
    ctx.authenticator.logout(ctx.user)
    success(ctx.console, "Logged out: your session has ended (a copy of it resumes nothing).")
    ctx.logged_out = True
    raise LeaveMenu()


def submenu(module: str, name: str):
    """A menu of another module, imported when chosen: the first menu needs none of them."""

    def open_menu(ctx: AppContext) -> None:
        getattr(importlib.import_module(f"epic_events.views.{module}"), name)(ctx)

    return open_menu


ENTRIES = [
    MenuEntry("My dashboard", submenu("dashboard", "dashboard_screen"), Action.READ_ALL),
    MenuEntry("Clients", submenu("clients", "clients_menu"), Action.READ_ALL),
    MenuEntry("Contracts", submenu("contracts", "contracts_menu"), Action.READ_ALL),
    MenuEntry("Events", submenu("events", "events_menu"), Action.READ_ALL),
    MenuEntry(
        "Collaborators",
        submenu("collaborators", "collaborators_menu"),
        Action.COLLABORATOR_LIST,
    ),
    MenuEntry(
        "Recent activity", submenu("history", "recent_activity_screen"), Action.ACTIVITY_READ
    ),
    MenuEntry("My profile", submenu("profile", "profile_menu"), Action.OWN_PROFILE),
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
