"""What every screen is handed: the console, the settings, units of work and the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console

from epic_events.config import Settings
from epic_events.controllers.auth import Authenticator, CurrentUser


@dataclass
class AppContext:
    console: Console
    settings: Settings
    uow: Callable[[], object]  # a new unit of work, handed to controllers (opaque to views)
    authenticator: Authenticator
    user: CurrentUser | None = None
    logged_out: bool = field(default=False)
