"""Replays a transcript through the real event loop, and prints what the bot does."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from adapters.base import PlatformAdapter, describe
from adapters.replay.translate import parse_transcript
from bot.actions import Action, DirectMessage, MessageRef, OpenThread, Reply, Say, UploadFile
from bot.clock import FakeClock
from bot.events import Capabilities, Event, MessagePosted

__all__ = ["ReplayAdapter"]


class ReplayAdapter(PlatformAdapter):
    """Feeds a list of events to the bot, then waits for the bot to settle.

    Args:
        events: the transcript's events, in order.
        speed: ``None`` for as fast as possible, ``1.0`` for the original pace,
            ``60`` for a minute per second.
        clock: when given, it is set to each event's time before the event is
            fed, so cadences and rate limits follow the transcript's time.
        settle: awaited after each event in lock-step mode (the bot's
            ``drain``), so the bot answers before the next message arrives.
        out: where the bot's actions are printed (``None`` prints nothing).
        name: the platform name the events carry.
        id_prefix: starts the ids of the bot's own posts (a replay resumed on a
            database that already has posts needs ids of its own).
    """

    capabilities = Capabilities(
        native_threads=True,
        reactions=True,
        direct_messages=True,
        file_upload=True,
        slash_commands=False,
        pins=True,
        edits=True,
        message_limit=4000,
    )

    def __init__(
        self,
        events: list[Event],
        *,
        speed: float | None = None,
        clock: FakeClock | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
        out: TextIO | None = sys.stdout,
        name: str = "replay",
        names: dict[str, str] | None = None,
        id_prefix: str = "bot-",
    ) -> None:
        super().__init__()
        self.name = name
        self._events = events
        self._speed = speed
        self._clock = clock
        self._settle = settle
        self._out = out
        self._ids = itertools.count(1)
        self._id_prefix = id_prefix
        self._task: asyncio.Task[None] | None = None
        self._names = dict(names or {})
        # Everyone's name from the start: a resumed replay answers events stored
        # before a restart before it reads their lines again.
        for event in events:
            if isinstance(event, MessagePosted):
                self._names.setdefault(event.author, event.display_name)
        self.fed = 0
        self.sent: list[Action] = []
        self.done = asyncio.Event()

    @classmethod
    def from_file(cls, path: Path, **kwargs: object) -> ReplayAdapter:
        with path.open(encoding="utf-8", errors="replace") as fh:
            events = list(parse_transcript(fh, platform=str(kwargs.get("name", "replay"))))
        return cls(events, **kwargs)  # type: ignore[arg-type]

    async def connect(self) -> None:
        self._task = asyncio.create_task(self._feed(), name="replay-feed")

    async def wait(self) -> None:
        """Wait until the whole transcript has been fed (and settled)."""
        if self._task is not None:
            await self._task

    async def _feed(self) -> None:
        previous = None
        try:
            for event in self._events:
                if self._speed and previous is not None:
                    gap = (event.ts - previous).total_seconds() / self._speed
                    if gap > 0:
                        await asyncio.sleep(min(gap, 30.0))
                previous = event.ts
                if self._clock is not None:
                    self._clock.set(event.ts)
                if isinstance(event, MessagePosted):
                    self._names.setdefault(event.author, event.display_name)
                    self._echo(event)
                await self.deliver(event)
                self.fed += 1
                if self._settle is not None:
                    await self._settle()
        finally:
            self.done.set()

    def _echo(self, event: MessagePosted) -> None:
        if self._out is None:
            return
        where = " (privately)" if event.private else ""
        self._out.write(f"{event.ts:%H:%M} {event.display_name}{where}: {event.text}\n")

    async def perform(self, action: Action) -> list[MessageRef]:
        self.sent.append(action)
        ref_id = f"{self._id_prefix}{next(self._ids)}"
        if self._out is not None:
            self._out.write(self._render(action) + "\n")
            self._out.flush()
        match action:
            case Say(target=t) | Reply(target=t) | OpenThread(target=t):
                return [MessageRef(self.name, t.channel, ref_id, t.thread)]
            case DirectMessage(user=user):
                return [MessageRef(self.name, f"dm-{user}", ref_id)]
            case UploadFile(target=t):
                return [MessageRef(self.name, t.channel, ref_id)]
        return []

    def _render(self, action: Action) -> str:
        text = describe(action, self.capabilities, person=lambda user: self._names.get(user, user))
        return "  🤖 " + text.replace("\n", "\n      ")

    async def disconnect(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
