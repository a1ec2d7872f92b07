"""What the dashboard's web server works with (its own module: the views use it too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.module import Services
from facilitation.dashboard.actions import Commander
from facilitation.dashboard.auth import Auth
from facilitation.dashboard.hub import Hub
from facilitation.dashboard.sources import Sources

__all__ = ["Dashboard"]


@dataclass(frozen=True)
class Dashboard:
    """What the web server works with."""

    services: Services
    auth: Auth
    hub: Hub
    sources: Sources
    commander: Commander
    url: Callable[[], str]
