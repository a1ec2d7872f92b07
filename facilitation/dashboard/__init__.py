"""The live dashboard: the queue, conversations, snapshots and figures in the browser."""

from __future__ import annotations

from facilitation.dashboard.config import DashboardConfig

__all__ = ["DashboardConfig", "DashboardModule"]


def __getattr__(name: str) -> object:
    # the module imports bot.*, and bot.config imports this package's config: load it late
    if name == "DashboardModule":
        from facilitation.dashboard.module import DashboardModule

        return DashboardModule
    raise AttributeError(name)
