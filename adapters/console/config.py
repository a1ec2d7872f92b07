"""The ``[console]`` section: who you are in the terminal room, and the room's name."""

from __future__ import annotations

from bot.config import Section

__all__ = ["ConsoleConfig"]


class ConsoleConfig(Section):
    me: str = "you"
    community: str = "local"
    channel: str = "room"
