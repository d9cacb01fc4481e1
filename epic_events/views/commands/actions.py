"""Commands that change something: the menu's forms, with options instead of prompts.

Each calls the controller the menu's screen calls, with the values as typed: the
controllers check the rights and the ownership, and validate with the forms' validators
(so with their messages). The record changed is printed as `show` prints it.
"""

from __future__ import annotations

import json
import sys

from epic_events.controllers import archive, clients, collaborators, contracts, events
from epic_events.errors import Conflict, ValidationError
from epic_events.validators import validate_password
from epic_events.views.commands.reads import show_record, write_record
from epic_events.views.commands.session import confirmed, read_password, say
from epic_events.views.context import AppContext
from epic_events.views.renderers import render_collaborator
from epic_events.views.text import format_money


def _given(**values) -> dict:
    """The options given (not None): what an update changes."""
    return {name: value for name, value in values.items() if value is not None}


def _done(ctx: AppContext, args, entity: str, record_id: int, message: str) -> None:
    say(message)
    show_record(ctx, entity, record_id, args.format)


# -- clients -----------------------------------------------------------------------------------


def create_client(ctx: AppContext, args) -> None:
    fields = {
        "full_name": args.name,
        "email": args.email,
        "phone": args.phone,
        "company_name": args.company,
    }
    same = clients.find_duplicates(
        ctx.uow(), ctx.user, email=args.email, full_name=args.name, company_name=args.company
    )
    if same and not args.yes:  # the menu asks; a command is told with --yes
        known = ", ".join(f"#{client.id}" for client in same)
        raise Conflict(
            f"A client with this name and company, or this email, exists ({known}): "
            "update it instead, or add --yes to create another with this name."
        )
    client = clients.create_client(ctx.uow(), ctx.user, **fields)
    _done(ctx, args, "clients", client.id, f"Created client #{client.id}; you are its contact.")


def update_client(ctx: AppContext, args) -> None:
    changes = _given(
        full_name=args.name, email=args.email, phone=args.phone, company_name=args.company
    )
    client = clients.update_client(
        ctx.uow(), ctx.user, args.id, expected_version=args.expect_version, **changes
    )
    _done(ctx, args, "clients", client.id, f"Updated client #{client.id}.")


def reassign_client(ctx: AppContext, args) -> None:
    client = clients.reassign_client(ctx.uow(), ctx.user, args.id, args.commercial)
    _done(
        ctx,
        args,
        "clients",
        client.id,
        f"Client #{client.id} is now followed by {client.commercial_name}, with its contracts.",
    )


# -- contracts ---------------------------------------------------------------------------------


def create_contract(ctx: AppContext, args) -> None:
    contract = contracts.create_contract(
        ctx.uow(), ctx.user, client_id=args.client, total_amount=args.total, amount_due=args.due
    )
    _done(ctx, args, "contracts", contract.id, f"Created contract #{contract.id} (unsigned).")


def update_contract(ctx: AppContext, args) -> None:
    contract = contracts.update_contract(
        ctx.uow(),
        ctx.user,
        args.id,
        expected_version=args.expect_version,
        **_given(total_amount=args.total, amount_due=args.due),
    )
    _done(
        ctx,
        args,
        "contracts",
        contract.id,
        f"Updated contract #{contract.id}: total {format_money(contract.total_amount)}, "
        f"due {format_money(contract.amount_due)}.",
    )


def sign_contract(ctx: AppContext, args) -> None:
    contract = contracts.check_update_contract(ctx.uow(), ctx.user, args.id, signing=True)
    if contract.signed:
        raise Conflict(f"Contract #{contract.id} is already signed.")
    question = (
        f"Sign contract #{contract.id} of {contract.client_name} "
        f"for {format_money(contract.total_amount)}?"
    )
    if not confirmed(args, question):
        say("The contract was not signed.")
        return
    signed = contracts.sign_contract(
        ctx.uow(), ctx.user, contract.id, expected_version=contract.version
    )
    _done(ctx, args, "contracts", signed.id, f"Contract #{signed.id} is signed.")


# -- events ------------------------------------------------------------------------------------


def create_event(ctx: AppContext, args) -> None:
    event = events.create_event(
        ctx.uow(),
        ctx.user,
        contract_id=args.contract,
        name=args.name,
        start_at=args.start,
        end_at=args.end,
        location=args.location,
        attendees=args.attendees,
        notes=args.notes or "",
    )
    _done(ctx, args, "events", event.id, f"Created event #{event.id}; it has no support yet.")


def update_event(ctx: AppContext, args) -> None:
    changes = _given(
        name=args.name,
        start_at=args.start,
        end_at=args.end,
        location=args.location,
        attendees=args.attendees,
        notes=args.notes,
    )
    event = events.update_event(
        ctx.uow(), ctx.user, args.id, expected_version=args.expect_version, **changes
    )
    _done(ctx, args, "events", event.id, f"Updated event #{event.id}.")


def assign_support(ctx: AppContext, args) -> None:
    event = events.assign_support(ctx.uow(), ctx.user, args.id, args.support)
    who = event.support_name if event.support_name is not None else "nobody"
    _done(ctx, args, "events", event.id, f"Event #{event.id} is now supported by {who}.")


# -- archive -----------------------------------------------------------------------------------

ARCHIVE = {
    "clients": (archive.archive_client, archive.restore_client),
    "contracts": (archive.archive_contract, archive.restore_contract),
    "events": (archive.archive_event, archive.restore_event),
}


def _with(counts) -> str:
    parts = [f"{number} {what}" for what, number in (counts or {}).items() if number]
    return f", with {' and '.join(parts)}" if parts else ""


def archive_record(ctx: AppContext, args) -> None:
    entity = args.action[0]
    one = entity.removesuffix("s")
    archive.check_archive(ctx.uow(), ctx.user, entity, args.id)  # refused before asking
    if not confirmed(args, f"Archive {one} #{args.id}? It is hidden and read-only until restored."):
        say("Nothing was archived.")
        return
    counts = ARCHIVE[entity][0](ctx.uow(), ctx.user, args.id)
    _done(ctx, args, entity, args.id, f"Archived {one} #{args.id}{_with(counts)}.")


def restore_record(ctx: AppContext, args) -> None:
    entity = args.action[0]
    counts = ARCHIVE[entity][1](ctx.uow(), ctx.user, args.id)
    one = entity.removesuffix("s")
    _done(ctx, args, entity, args.id, f"Restored {one} #{args.id}{_with(counts)}.")


# -- collaborators -----------------------------------------------------------------------------


def _new_password(args, label: str) -> str:
    return read_password(args, label, validate=validate_password, twice=True)


def create_collaborator(ctx: AppContext, args) -> None:
    collaborators.check_create_collaborator(ctx.uow(), ctx.user)  # refused before asking
    password = _new_password(args, "Initial password")
    collaborator = collaborators.create_collaborator(
        ctx.uow(),
        ctx.user,
        name=args.name,
        email=args.email,
        phone=args.phone,
        department=args.department,
        password=password,
    )
    _done(
        ctx,
        args,
        "collaborators",
        collaborator.id,
        f"Created collaborator #{collaborator.id} ({collaborator.department.value}).",
    )


def update_collaborator(ctx: AppContext, args) -> None:
    changes = _given(name=args.name, email=args.email, phone=args.phone)
    if args.department is not None:
        changes["department"] = args.department
    if args.password_stdin:
        changes["password"] = _new_password(args, "New password")
    if not changes:
        from epic_events.controllers.audit import NOTHING_TO_CHANGE

        raise ValidationError(NOTHING_TO_CHANGE)
    updated = collaborators.update_collaborator(
        ctx.uow(), ctx.user, args.id, expected_version=args.expect_version, **changes
    )
    if updated.id == ctx.user.id:  # a new email ends the old session: start the new one
        ctx.user = ctx.authenticator.refresh(updated, ctx.user)
    _done(ctx, args, "collaborators", updated.id, f"Updated collaborator #{updated.id}.")


def _set_active(ctx: AppContext, args, active: bool) -> None:
    handing = {
        "clients_to": getattr(args, "clients_to", None),
        "events_to": getattr(args, "events_to", None),
    }
    updated = collaborators.set_active(ctx.uow(), ctx.user, args.id, active=active, **handing)
    state = "active again" if updated.active else "deactivated"
    say(f"Collaborator #{updated.id} is {state}.")
    write_record(ctx, args.format, updated, render_collaborator(updated))


def deactivate_collaborator(ctx: AppContext, args) -> None:
    collaborator = collaborators.get_collaborator(ctx.uow(), ctx.user, args.id)
    question = f"Deactivate {collaborator.name} (#{collaborator.id})? Their sessions end now."
    if not confirmed(args, question):
        say("Nothing was changed.")
        return
    _set_active(ctx, args, False)


def reactivate_collaborator(ctx: AppContext, args) -> None:
    _set_active(ctx, args, True)


def delete_collaborator(ctx: AppContext, args) -> None:
    handing = args.clients_to is not None
    collaborator = collaborators.check_delete_collaborator(
        ctx.uow(), ctx.user, args.id, handing_over=handing
    )
    if not confirmed(args, f"Delete collaborator #{collaborator.id} {collaborator.name} for good?"):
        say("Nothing was deleted.")
        return
    collaborators.delete_collaborator(
        ctx.uow(),
        ctx.user,
        collaborator.id,
        expected_version=collaborator.version,
        clients_to=args.clients_to,
        events_to=args.events_to,
    )
    say(f"Deleted collaborator #{collaborator.id}.")
    if args.format == "json":
        sys.stdout.write(json.dumps({"id": collaborator.id, "deleted": True}) + "\n")


# -- my profile --------------------------------------------------------------------------------


def show_profile(ctx: AppContext, args) -> None:
    me = collaborators.get_collaborator(ctx.uow(), ctx.user, ctx.user.id)
    write_record(ctx, args.format, me, render_collaborator(me))


def update_profile(ctx: AppContext, args) -> None:
    updated = collaborators.update_own_profile(
        ctx.uow(), ctx.user, name=args.name, phone=args.phone
    )
    say("Your profile was updated.")
    write_record(ctx, args.format, updated, render_collaborator(updated))


def change_password(ctx: AppContext, args) -> None:
    current = read_password(args, "Current password")
    new = _new_password(args, "New password")
    updated = collaborators.change_own_password(
        ctx.uow(), ctx.user, current_password=current, new_password=new
    )
    ctx.user = ctx.authenticator.refresh(updated, ctx.user)
    say("Your password was changed; your other sessions have ended.")


def end_session(ctx: AppContext, args) -> None:
    """`sessions end ID` (gestion): that person's next action asks them to log in again."""
    from epic_events.controllers import sessions

    if not confirmed(args, f"End session #{args.id}? Its owner will have to log in again."):
        say("Nothing was changed.")
        return
    sessions.end_session(ctx.uow(), ctx.user, args.id)
    say(f"Session #{args.id} has ended.")
