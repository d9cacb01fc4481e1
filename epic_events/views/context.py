"""What every screen is handed: the console, the settings, units of work and the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console

from epic_events.config import Settings
from epic_events.controllers.auth import Authenticator, CurrentUser

if TYPE_CHECKING:
    from epic_events.db import UnitOfWork


@dataclass
class AppContext:
    console: Console
    settings: Settings
    uow: Callable[[], UnitOfWork]
    authenticator: Authenticator
    user: CurrentUser | None = None
    logged_out: bool = field(default=False)
