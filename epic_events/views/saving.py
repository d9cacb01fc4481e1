"""Saving a form without losing it: when someone else saved the record since the form read
it (optimistic locking refuses the save), what was typed is kept and can be applied to the
record as it now is, after the user has seen it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from epic_events.errors import ChangedMeanwhile
from epic_events.views.console import confirm, error, info
from epic_events.views.context import AppContext

R = TypeVar("R")
T = TypeVar("T")


def save_kept(
    ctx: AppContext, save: Callable[[R], T], record: R, reload: Callable[[], R]
) -> T | None:
    """`save(record)` (the typed changes over `record`, at its version); when it was changed
    meanwhile, `reload()` shows the record as it now is and the user may apply the same
    changes to it (None: they chose not to; nothing was saved)."""
    while True:
        try:
            return save(record)
        except ChangedMeanwhile as problem:
            error(
                ctx.console,
                f"{problem.record} was changed by someone else since you opened it: "
                "your changes are kept.",
            )
            record = reload()
            if not confirm(ctx.console, "Apply your changes to it as it is now?", default=True):
                info(ctx.console, "Nothing was saved.")
                return None
