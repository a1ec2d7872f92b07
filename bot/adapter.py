"""The adapter protocol every platform implements, and the base every adapter is built on.

:class:`PlatformAdapter` owns what is the same on every platform, so it is done one
way: start-up (refused twice, the token checked first), handing events to the bot
(:meth:`~PlatformAdapter.deliver`), refusing to send before start-up, and closing.
A platform adds only its own parts: :meth:`~PlatformAdapter.token_problems`,
:meth:`~PlatformAdapter.connect`, :meth:`~PlatformAdapter.perform` and
:meth:`~PlatformAdapter.disconnect`.

Failures, the same on every platform:

- a token missing or malformed, or refused by the platform: :class:`TokenError`,
  raised by ``start`` (a missing one before anything connects);
- ``send`` before ``start`` or after ``aclose``: :class:`NotStarted`;
- an outage or a refusal while sending: the client library's own error, raised by
  ``send``; the bot's outbox records the action as failed and carries on;
- a rate limit: the client library waits and retries (each adapter configures it);
- the bot failing to store an event: ``deliver`` raises, and the adapter lets the
  platform know where it can (an HTTP error, so the platform sends it again); where
  it cannot (Discord), it keeps the event and tries again, and what is still not
  stored when it closes is handed back through :meth:`~PlatformAdapter.leftovers`.
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from bot.actions import Action, MessageRef
from bot.events import Capabilities, Event

__all__ = [
    "Adapter",
    "AdapterError",
    "Interactive",
    "NotStarted",
    "PlatformAdapter",
    "Sink",
    "TokenError",
    "split_text",
]

log = logging.getLogger("roundtable.adapters")

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


class AdapterError(Exception):
    """A platform adapter cannot do what it was asked; ``platform`` says which one."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(message)
        self.platform = platform


class TokenError(AdapterError):
    """A token (or secret) is missing, malformed, or refused by the platform.

    Raised by ``start`` on every platform: before connecting when it is missing or
    malformed, as soon as the platform answers when it is refused. The message
    names the environment variable and says what to do.
    """


class NotStarted(AdapterError):
    """``send`` was called before ``start`` (or after ``aclose``)."""


class PlatformAdapter(ABC):
    """The base of every adapter: start-up, token check, delivery, sending, closing.

    Subclasses set ``name`` and ``capabilities`` (one declaration, a class
    attribute) and implement the four hooks. ``start`` calls
    :meth:`token_problems`, then :meth:`connect`; if connecting fails for any
    reason, :meth:`aclose` runs before the error is raised, so nothing is left
    open. ``aclose`` is safe to call twice.
    """

    name: str
    capabilities: Capabilities

    def __init__(self) -> None:
        self._sink: Sink | None = None

    @property
    def started(self) -> bool:
        return self._sink is not None

    def token_problems(self) -> list[str]:
        """What is wrong with the tokens this adapter was given, as sentences (none: fine)."""
        return []

    @abstractmethod
    async def connect(self) -> None:
        """Connect and begin receiving; return once ready. A refused token: :class:`TokenError`."""

    @abstractmethod
    async def perform(self, action: Action) -> list[MessageRef]:
        """Perform one action on the platform; return the messages it produced."""

    @abstractmethod
    async def disconnect(self) -> None:
        """Stop receiving, let events already received reach the bot, close connections."""

    async def start(self, sink: Sink) -> None:
        if self._sink is not None:
            raise AdapterError(self.name, f"the {self.name} adapter is already started")
        problems = self.token_problems()
        if problems:
            raise TokenError(self.name, "; ".join(problems))
        self._sink = sink
        try:
            await self.connect()
        except BaseException:
            with contextlib.suppress(Exception):
                await self.aclose()
            raise

    async def deliver(self, event: Event) -> object:
        """Hand one received event to the bot; ``None`` once closed.

        Returns what the bot's sink returns (``False``: known already or refused).
        Raises when the bot could not store it: the caller tells the platform,
        where the platform can be told, so that it sends the event again.
        """
        sink = self._sink
        if sink is None:
            return None
        return await sink(event)

    async def send(self, action: Action) -> list[MessageRef]:
        if self._sink is None:
            raise NotStarted(self.name, f"{self.name}: send() before start() or after aclose()")
        return await self.perform(action)

    def leftovers(self) -> list[Event]:
        """Events received but not handed to the bot when it closed, oldest first.

        Only a platform that never sends an event again has any (Discord); the
        bot keeps them (:mod:`bot.store.inbox`) and stores them at the next start.
        """
        return []

    async def aclose(self) -> None:
        try:
            await self.disconnect()
        finally:
            self._sink = None


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
