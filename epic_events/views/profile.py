"""Screens for one's own profile: everyone."""

from __future__ import annotations

from dataclasses import replace

from epic_events.controllers import collaborators as controller
from epic_events.controllers.audit import NOTHING_TO_CHANGE
from epic_events.controllers.permissions import Action
from epic_events.errors import PermissionDenied, ValidationError
from epic_events.validators import validate_name, validate_phone
from epic_events.views.collaborators import ask_new_password
from epic_events.views.console import (
    ask_optional,
    error,
    info,
    pause,
    prompt_text,
    success,
    warning,
)
from epic_events.views.context import AppContext
from epic_events.views.menu import MenuEntry, run_menu
from epic_events.views.renderers import render_collaborator


def view_profile(ctx: AppContext) -> None:
    ctx.console.print(
        render_collaborator(controller.get_collaborator(ctx.uow(), ctx.user, ctx.user.id))
    )
    pause(ctx.console)


def edit_profile(ctx: AppContext) -> None:
    me = controller.get_collaborator(ctx.uow(), ctx.user, ctx.user.id)
    info(ctx.console, "Type a new value, or press Enter to keep the current one.")
    name = ask_optional(ctx.console, "Full name", validate_name, me.name)
    phone = ask_optional(ctx.console, "Phone", validate_phone, me.phone)
    if name is None and phone is None:
        raise ValidationError(NOTHING_TO_CHANGE)
    updated = controller.update_own_profile(
        ctx.uow(), ctx.user, name=name, phone=phone, expected_version=me.version
    )
    ctx.user = replace(ctx.user, name=updated.name)
    success(ctx.console, "Your profile was updated.")


CURRENT_PASSWORD_TRIES = 3


def ask_current_password(ctx: AppContext) -> str:
    """The current password, checked before anything else is asked (three tries)."""
    for _ in range(CURRENT_PASSWORD_TRIES):
        current = ctx.console.input(prompt_text("Current password"), password=True)
        try:
            controller.check_own_password(ctx.uow(), ctx.user, current)
            return current
        except PermissionDenied as problem:
            error(ctx.console, problem.message)
    raise PermissionDenied("The current password was wrong three times: nothing was changed.")


def change_password(ctx: AppContext) -> None:
    current = ask_current_password(ctx)
    new = ask_new_password(ctx, "New password")
    updated = controller.change_own_password(
        ctx.uow(), ctx.user, current_password=current, new_password=new
    )
    ctx.user = ctx.authenticator.refresh(updated, ctx.user)
    for message in ctx.authenticator.warnings:
        warning(ctx.console, message)
    ctx.authenticator.warnings.clear()
    success(ctx.console, "Your password was changed; your other sessions have ended.")


ENTRIES = [
    MenuEntry("View my profile", view_profile, Action.OWN_PROFILE),
    MenuEntry("Edit my name or phone", edit_profile, Action.OWN_PROFILE),
    MenuEntry("Change my password", change_password, Action.OWN_PROFILE),
]


def profile_menu(ctx: AppContext) -> None:
    run_menu(ctx, "My profile", ENTRIES)
