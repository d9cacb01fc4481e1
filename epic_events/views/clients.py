"""Screens for clients: everyone reads; commerce creates and updates; gestion reassigns."""

from __future__ import annotations

from epic_events.controllers import clients as controller
from epic_events.controllers import exports
from epic_events.controllers.audit import NOTHING_TO_CHANGE
from epic_events.controllers.permissions import Action, Contact
from epic_events.errors import ValidationError
from epic_events.paging import Page
from epic_events.validators import (
    validate_company,
    validate_email,
    validate_name,
    validate_phone,
)
from epic_events.views import pickers
from epic_events.views.archiving import archive_screen, restore_screen
from epic_events.views.browse import archivable_list
from epic_events.views.console import ask, ask_optional, confirm, info, success
from epic_events.views.context import AppContext
from epic_events.views.history import history_screen
from epic_events.views.menu import MenuEntry, run_menu
from epic_events.views.pickers import pick
from epic_events.views.record_screens import client_screen
from epic_events.views.records import show_client
from epic_events.views.renderers import CLIENT_SORTS, render_clients
from epic_events.views.saving import save_kept


def _browser(title: str, **filters):
    return archivable_list(
        title,
        fetch=controller.list_clients,
        render=render_clients,
        export=exports.export_clients,
        open_one=client_screen,
        sorts=CLIENT_SORTS,
        **filters,
    )


list_screen = _browser("Clients")
my_clients_screen = _browser("My clients", mine=True)


def view_screen(ctx: AppContext) -> None:
    client_screen(ctx, pick(ctx, "Client", pickers.clients(ctx, archived=None)).id)


def create_screen(ctx: AppContext) -> None:
    console = ctx.console
    console.print("[bold]New client[/] [dim](Ctrl-C cancels)[/]")
    fields = {"full_name": ask(console, "Full name", lambda raw: validate_name(raw, "Full name"))}

    def new_email(raw: str) -> str:
        """Checked when typed: a client already known by this email is shown, not made twice."""
        email = validate_email(raw)
        known = controller.find_duplicates(
            ctx.uow(), ctx.user, email=email, full_name="", company_name=""
        )
        known = [client for client in known if client.email == email]
        if known:
            shown = Page(items=known, number=1, size=len(known), total=len(known))
            console.print(render_clients(shown, title="Already known"))
            raise ValidationError(
                f"Client #{known[0].id} has this email: update it instead, or type another."
            )
        return email

    fields["email"] = ask(console, "Email", new_email)
    fields["phone"] = ask(console, "Phone", validate_phone)
    fields["company_name"] = ask(console, "Company name", validate_company)
    same = controller.find_duplicates(
        ctx.uow(),
        ctx.user,
        email=fields["email"],
        full_name=fields["full_name"],
        company_name=fields["company_name"],
    )
    if same:
        shown = Page(items=same, number=1, size=len(same), total=len(same))
        console.print(render_clients(shown, title="Already known"))
        if any(client.email == fields["email"] for client in same):
            raise ValidationError(
                "A client with this email exists (above): update it instead of creating another."
            )
        if not confirm(console, "A client with this name and company exists: create anyway?"):
            info(console, "No client was created.")
            return
    client = controller.create_client(ctx.uow(), ctx.user, **fields)
    success(console, f"Created client #{client.id} {client.full_name}; you are its contact.")


def update_screen(ctx: AppContext, client_id: int | None = None) -> None:
    console = ctx.console
    client_id = client_id or pick(ctx, "Client", pickers.clients(ctx, Action.CLIENT_UPDATE)).id
    controller.check_update_client(ctx.uow(), ctx.user, client_id)
    client = show_client(ctx, client_id).client
    info(console, "Type a new value, or press Enter to keep the current one.")
    changes = {
        "full_name": ask_optional(
            console, "Full name", lambda raw: validate_name(raw, "Full name"), client.full_name
        ),
        "email": ask_optional(console, "Email", validate_email, client.email),
        "phone": ask_optional(console, "Phone", validate_phone, client.phone),
        "company_name": ask_optional(
            console, "Company name", validate_company, client.company_name
        ),
    }
    changes = {field: value for field, value in changes.items() if value is not None}
    if not changes:
        raise ValidationError(NOTHING_TO_CHANGE)
    updated = save_kept(
        ctx,
        lambda current: controller.update_client(
            ctx.uow(), ctx.user, client.id, expected_version=current.version, **changes
        ),
        client,
        lambda: show_client(ctx, client.id).client,
    )
    if updated is not None:
        success(console, f"Updated client #{updated.id}.")


def reassign_screen(ctx: AppContext, client_id: int | None = None) -> None:
    console = ctx.console
    client_id = client_id or pick(ctx, "Client", pickers.clients(ctx, Action.CLIENT_REASSIGN)).id
    client = show_client(ctx, client_id).client
    commercials = pickers.collaborators(ctx, Action.CLIENT_REASSIGN, contact=Contact.COMMERCIAL)
    commercial = pick(ctx, "New commercial contact", commercials, show=True, only=True)
    updated = controller.reassign_client(ctx.uow(), ctx.user, client.id, commercial.id)
    success(
        console,
        f"Client #{updated.id} is now followed by {updated.commercial_name}, with its contracts.",
    )


ENTRIES = [
    MenuEntry("List and search clients", list_screen, Action.READ_ALL),
    MenuEntry("My clients", my_clients_screen, Action.FILTER_MY_CLIENTS),
    MenuEntry("View a client", view_screen, Action.READ_ALL),
    MenuEntry("Create a client", create_screen, Action.CLIENT_CREATE),
    MenuEntry("Update one of my clients", update_screen, Action.CLIENT_UPDATE),
    MenuEntry("Reassign a client's commercial contact", reassign_screen, Action.CLIENT_REASSIGN),
    MenuEntry("History of a client", history_screen("client"), Action.READ_ALL),
    MenuEntry("Archive a client", archive_screen("client", show_client), Action.ARCHIVE),
    MenuEntry("Restore an archived client", restore_screen("client"), Action.ARCHIVE),
]


def clients_menu(ctx: AppContext) -> None:
    run_menu(ctx, "Clients", ENTRIES)
