"""The adapter protocol every platform implements, and what adapters share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from bot.actions import Action, MessageRef
from bot.events import Capabilities, Event

__all__ = ["Adapter", "Interactive", "Sink", "split_text"]

Sink = Callable[[Event], Awaitable[object]]
"""Where an adapter pushes the events it receives (the bot's event loop)."""


@runtime_checkable
class Adapter(Protocol):
    """A platform connection.

    ``start`` connects and begins pushing events into ``sink``; it returns once
    the connection is up (listening continues in background tasks). ``send``
    performs one action and returns the messages it produced (a long text may be
    split into several). ``aclose`` disconnects cleanly.
    """

    name: str
    capabilities: Capabilities

    async def start(self, sink: Sink) -> None: ...

    async def send(self, action: Action) -> list[MessageRef]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Interactive(Protocol):
    """An adapter that ends by itself (the console room at end of input, a replay)."""

    async def wait(self) -> None: ...


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Prefers paragraph breaks, then line breaks, then spaces, so that a report
    posted into a channel stays readable; a single over-long word is cut hard.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        chunk = rest[:cut].rstrip()
        if chunk:
            parts.append(chunk)
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
