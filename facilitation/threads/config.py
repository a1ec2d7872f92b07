"""The ``[threads]`` config section."""

from __future__ import annotations

from pydantic import Field

from bot.config import Section

__all__ = ["ThreadsConfig"]


class ThreadsConfig(Section):
    """Threading a fast conversation.

    Attributes:
        enabled: link messages into conversations and offer /catchup and /threads.
        idle_minutes: a conversation quiet this long is no longer "open".
        suggest_threads: on platforms with native threads, suggest moving a long
            side conversation into a thread (never moves anything itself).
        open_threads: open the thread instead of only suggesting it.
        side_min_messages: how long a side conversation gets before the suggestion.
    """

    enabled: bool = True
    idle_minutes: float = Field(default=30.0, gt=0)
    suggest_threads: bool = True
    open_threads: bool = False
    side_min_messages: int = Field(default=8, ge=3)
