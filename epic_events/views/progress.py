"""A progress bar for long work (the demo load), fed by (table, done, total) callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from epic_events.views.console import make_console


@contextmanager
def bulk_progress() -> Iterator:
    """Yield a callback `progress(table, done, total)` that draws one bar per table."""
    bars = Progress(
        TextColumn("{task.description:>14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=make_console(),
        transient=False,
    )
    tasks: dict[str, int] = {}

    def progress(table: str, done: int, total: int) -> None:
        if table not in tasks:
            tasks[table] = bars.add_task(table, total=total)
        bars.update(tasks[table], completed=done)

    with bars:
        yield progress
