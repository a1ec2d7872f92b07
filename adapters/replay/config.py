"""The ``[replay]`` section: where replayed transcripts appear to come from."""

from __future__ import annotations

from bot.config import Section

__all__ = ["ReplayConfig"]


class ReplayConfig(Section):
    platform: str = "replay"
    community: str = "demo"
    channel: str = "main"
