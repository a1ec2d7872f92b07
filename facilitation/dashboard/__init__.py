"""The live dashboard: the queue, conversations, snapshots and figures in the browser."""

from __future__ import annotations

from facilitation.dashboard.config import DashboardConfig
from facilitation.dashboard.module import DashboardModule

__all__ = ["DashboardConfig", "DashboardModule"]
