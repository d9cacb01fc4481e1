"""Screens for collaborators: gestion's administration."""

from __future__ import annotations

from rich.text import Text

from epic_events.controllers import collaborators as controller
from epic_events.controllers import exports
from epic_events.controllers.audit import NOTHING_TO_CHANGE
from epic_events.controllers.permissions import Action, Contact
from epic_events.departments import DepartmentName
from epic_events.errors import ValidationError
from epic_events.validators import (
    validate_department,
    validate_email,
    validate_name,
    validate_password,
    validate_phone,
)
from epic_events.views import pickers
from epic_events.views.browse import browse
from epic_events.views.console import ask, ask_optional, confirm, info, success
from epic_events.views.context import AppContext
from epic_events.views.history import history_screen
from epic_events.views.menu import MenuEntry, run_menu
from epic_events.views.pickers import pick
from epic_events.views.record_screens import collaborator_screen
from epic_events.views.records import show_collaborator
from epic_events.views.renderers import render_collaborator, render_collaborators
from epic_events.views.sessions import sessions_screen
from epic_events.views.text import sanitize

DEPARTMENTS = list(DepartmentName)


def parse_department(raw: str) -> DepartmentName:
    """A department by number (1-3) or by name."""
    cleaned = raw.strip()
    if cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= len(DEPARTMENTS):
        return DEPARTMENTS[int(cleaned) - 1]
    try:
        return validate_department(cleaned)
    except ValidationError:
        raise ValidationError(
            f"Type a number from 1 to {len(DEPARTMENTS)}, or a department name."
        ) from None


def department_choices() -> str:
    return "  ".join(f"[cyan]{n}[/] {d.value}" for n, d in enumerate(DEPARTMENTS, start=1))


def ask_new_password(ctx: AppContext, label: str = "Password") -> str:
    """A new password, typed twice without echo."""
    while True:
        password = ask(ctx.console, label, validate_password, password=True)
        again = ctx.console.input(f"[bold]{label} again[/]: ", password=True)
        if again == password:
            return password
        ctx.console.print("[red]The two passwords differ: please type them again.[/]")


def list_screen(ctx: AppContext) -> None:
    browse(
        ctx,
        fetch=lambda query: controller.list_collaborators(ctx.uow(), ctx.user, query),
        render=render_collaborators,
        open_one=collaborator_screen,
        export=lambda query, path, progress: exports.export_collaborators(
            ctx.uow(), ctx.user, query, path, progress=progress
        ),
    )


def view_screen(ctx: AppContext) -> None:
    collaborator_screen(ctx, pick(ctx, "Collaborator", pickers.collaborators(ctx)).id)


def create_screen(ctx: AppContext) -> None:
    console = ctx.console
    console.print("[bold]New collaborator[/] [dim](Ctrl-C cancels)[/]")
    name = ask(console, "Full name", validate_name)
    email = ask(console, "Email", validate_email)
    phone = ask(console, "Phone", validate_phone)
    console.print(department_choices())
    department = ask(console, "Department", parse_department)
    password = ask_new_password(ctx, "Initial password")
    collaborator = controller.create_collaborator(
        ctx.uow(),
        ctx.user,
        name=name,
        email=email,
        phone=phone,
        department=department,
        password=password,
    )
    success(
        console,
        f"Created collaborator #{collaborator.id} {collaborator.name} ({department.value}).",
    )


def update_screen(ctx: AppContext, collaborator_id: int | None = None) -> None:
    console = ctx.console
    picker = pickers.collaborators(ctx, Action.COLLABORATOR_UPDATE)
    collaborator_id = collaborator_id or pick(ctx, "Collaborator", picker).id
    collaborator = show_collaborator(ctx, collaborator_id)
    info(console, "Type a new value, or press Enter to keep the current one.")
    changes = {
        "name": ask_optional(console, "Full name", validate_name, collaborator.name),
        "email": ask_optional(console, "Email", validate_email, collaborator.email),
        "phone": ask_optional(console, "Phone", validate_phone, collaborator.phone),
    }
    if collaborator.id != ctx.user.id:
        console.print(department_choices())
        department = ask_optional(
            console, "Department", parse_department, collaborator.department.value
        )
        changes["department"] = department
        if confirm(console, "Set a new password for them?"):
            changes["password"] = ask_new_password(ctx, "New password")
    changes = {field: value for field, value in changes.items() if value is not None}
    if not changes:
        raise ValidationError(NOTHING_TO_CHANGE)
    updated = controller.update_collaborator(
        ctx.uow(), ctx.user, collaborator.id, expected_version=collaborator.version, **changes
    )
    if updated.id == ctx.user.id:  # a new email ends the old session: start the new one
        ctx.user = ctx.authenticator.refresh(updated, ctx.user)
    success(console, f"Updated collaborator #{updated.id}: {', '.join(sorted(changes))}.")


def ask_successors(ctx: AppContext, collaborator, *, deleting: bool = False):
    """Who takes over what a leaving collaborator holds, asked before the confirmation:
    one commercial for all their clients (with their contracts), one support contact for
    all their upcoming events. Returns (commercial, support, what the confirmation says)."""
    held = controller.leaving(ctx.uow(), ctx.user, collaborator.id)
    commercial = support = None
    said = []
    if held.clients or held.contracts:
        info(
            ctx.console,
            f"{sanitize(collaborator.name)} follows {held.clients} client(s) "
            f"({held.contracts} contract(s)): one commercial takes them all over.",
        )
        commercials = pickers.collaborators(
            ctx, Action.COLLABORATOR_DEACTIVATE, contact=Contact.COMMERCIAL
        ).without(collaborator.id)
        commercial = pick(ctx, "Hand their clients to", commercials, show=True, only=True)
        said.append(f"their {held.clients} client(s) go to {sanitize(commercial.name)}")
    if held.upcoming_events:
        info(
            ctx.console,
            f"{sanitize(collaborator.name)} supports {held.upcoming_events} upcoming event(s): "
            "one support contact takes them all over"
            + (f" ({REMOVE}: leave them without support)." if deleting else "."),
        )
        staff = pickers.collaborators(
            ctx, Action.COLLABORATOR_DEACTIVATE, contact=Contact.SUPPORT
        ).without(collaborator.id)
        support = pick(
            ctx,
            "Hand their events to",
            staff,
            show=True,
            only=True,
            none=REMOVE if deleting else None,
        )
        if support is not None:
            said.append(f"their {held.upcoming_events} event(s) go to {sanitize(support.name)}")
    return commercial, support, said


REMOVE = "-"


def activation_screen(ctx: AppContext, collaborator_id: int | None = None) -> None:
    console = ctx.console
    picker = pickers.collaborators(ctx, Action.COLLABORATOR_DEACTIVATE)
    collaborator_id = collaborator_id or pick(ctx, "Collaborator", picker).id
    collaborator = show_collaborator(ctx, collaborator_id)
    commercial = support = None
    if collaborator.active:
        commercial, support, said = ask_successors(ctx, collaborator)
        handed = f" In one go, {' and '.join(said)}." if said else ""
        question = Text(
            f"Deactivate {sanitize(collaborator.name)}? They can no longer log in; their "
            f"sessions end now; nothing of theirs is lost.{handed}"
        )
    else:
        question = Text(f"Reactivate {sanitize(collaborator.name)}?")
    if not confirm(console, question):
        info(console, "Nothing was changed.")
        return
    updated = controller.set_active(
        ctx.uow(),
        ctx.user,
        collaborator.id,
        active=not collaborator.active,
        expected_version=collaborator.version,
        clients_to=None if commercial is None else commercial.id,
        events_to=None if support is None else support.id,
    )
    state = "active again" if updated.active else "deactivated"
    success(console, f"Collaborator #{updated.id} is {state}.")


def delete_screen(ctx: AppContext, collaborator_id: int | None = None) -> None:
    console = ctx.console
    picker = pickers.collaborators(ctx, Action.COLLABORATOR_DELETE)
    collaborator_id = collaborator_id or pick(ctx, "Collaborator", picker).id
    collaborator = controller.check_delete_collaborator(
        ctx.uow(), ctx.user, collaborator_id, handing_over=True
    )
    console.print(render_collaborator(collaborator))
    commercial, support, said = ask_successors(ctx, collaborator, deleting=True)
    handed = f" In one go, {' and '.join(said)}." if said else ""
    question = Text.assemble(
        ("Delete ", "bold"),
        (sanitize(collaborator.name), "bold"),
        (" for good?", "bold"),
        (handed, ""),
    )
    if not confirm(console, question):
        info(console, "Nothing was deleted.")
        return
    controller.delete_collaborator(
        ctx.uow(),
        ctx.user,
        collaborator.id,
        expected_version=collaborator.version,
        clients_to=None if commercial is None else commercial.id,
        events_to=None if support is None else support.id,
    )
    success(console, f"Deleted collaborator #{collaborator.id}.")


ENTRIES = [
    MenuEntry("List and search collaborators", list_screen, Action.COLLABORATOR_LIST),
    MenuEntry("View a collaborator", view_screen, Action.COLLABORATOR_LIST),
    MenuEntry("Create a collaborator", create_screen, Action.COLLABORATOR_CREATE),
    MenuEntry("Update a collaborator", update_screen, Action.COLLABORATOR_UPDATE),
    MenuEntry(
        "Deactivate or reactivate a collaborator",
        activation_screen,
        Action.COLLABORATOR_DEACTIVATE,
    ),
    MenuEntry("Delete a collaborator", delete_screen, Action.COLLABORATOR_DELETE),
    MenuEntry(
        "History of a collaborator", history_screen("collaborator"), Action.COLLABORATOR_LIST
    ),
    MenuEntry("Active sessions", sessions_screen, Action.SESSIONS_MANAGE),
]


def collaborators_menu(ctx: AppContext) -> None:
    run_menu(ctx, "Collaborators", ENTRIES)
