"""Archive and restore screens (gestion), shared by clients, contracts and events."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from epic_events.controllers import archive as controller
from epic_events.controllers.permissions import Action
from epic_events.views import pickers
from epic_events.views.console import confirm, info, success
from epic_events.views.context import AppContext
from epic_events.views.pickers import pick

ACTIONS: dict[str, tuple[Callable, Callable]] = {
    "client": (controller.archive_client, controller.restore_client),
    "contract": (controller.archive_contract, controller.restore_contract),
    "event": (controller.archive_event, controller.restore_event),
}


def _with(counts) -> str:
    if not counts:
        return ""
    parts = [
        f"{number} {what if number != 1 else what.removesuffix('s')}"
        for what, number in counts.items()
        if number
    ]
    return f", with {' and '.join(parts)}" if parts else ""


def archive_screen(entity: str, show: Callable[[AppContext, int], object]):
    def screen(ctx: AppContext, record_id: int | None = None) -> None:
        picker = pickers.of_entity(ctx, entity, Action.ARCHIVE)
        record_id = record_id or pick(ctx, entity.capitalize(), picker).id
        show(ctx, record_id)
        question = Text(
            f"Archive {entity} #{record_id}? It is hidden and read-only until restored."
        )
        if not confirm(ctx.console, question):
            info(ctx.console, "Nothing was archived.")
            return
        counts = ACTIONS[entity][0](ctx.uow(), ctx.user, record_id)
        success(ctx.console, f"Archived {entity} #{record_id}{_with(counts)}.")

    return screen


def restore_screen(entity: str):
    def screen(ctx: AppContext, record_id: int | None = None) -> None:
        picker = pickers.of_entity(ctx, entity, Action.ARCHIVE, archived=True)
        record_id = record_id or pick(ctx, f"Archived {entity}", picker).id
        counts = ACTIONS[entity][1](ctx.uow(), ctx.user, record_id)
        success(ctx.console, f"Restored {entity} #{record_id}{_with(counts)}.")

    return screen
