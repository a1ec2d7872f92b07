"""The module protocol: what every facilitation module gets, and what it must provide."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.bus import Bus
from bot.clock import Clock
from bot.commands import CommandRouter
from bot.config import Config
from bot.embeddings import AsyncEmbedder, Embedder, MiniLMEmbedder, StaticEmbedder
from bot.events import Event, MessagePosted
from bot.exports import Exports
from bot.forget import PersonalData
from bot.offload import Offload
from bot.outbox import Outbox
from bot.people import LinkBook
from bot.prompts import Prompts
from bot.roles import RoleBook
from bot.sessions import SessionRegistry
from bot.store import Database, EventLog
from bot.workers import Leadership

__all__ = ["EmbedderProvider", "Module", "Services"]

log = logging.getLogger("roundtable.models")


class Module(Protocol):
    """A facilitation module: sets up its tables, then subscribes to what it needs."""

    name: str

    async def setup(self) -> None: ...

    def register(self, bus: Bus, commands: CommandRouter) -> None: ...

    async def aclose(self) -> None: ...


class EmbedderProvider:
    """Loads the embedding model once, on first use, off the event loop.

    ``get()`` returns ``None`` when models are switched off in the config, so
    modules can fall back to cheaper signals. ``tokens()`` is the one token-table
    embedder (:class:`StaticEmbedder`) every module shares. :meth:`prewarm` is the
    bus's stored-batch hook (:meth:`bot.bus.Bus.on_stored`).
    """

    @classmethod
    def of(cls, embedder: Embedder) -> EmbedderProvider:
        """A provider handing out ``embedder``, already made (tools, tests)."""
        provider = cls(None)
        provider._embedder = AsyncEmbedder(embedder)
        return provider

    def __init__(
        self,
        model: str | None,
        *,
        enabled: bool = True,
        max_length: int = 128,
        threads: int | None = None,
    ) -> None:
        self._model = None if model in (None, "bundled") else model
        self._enabled = enabled
        self._max_length = max_length
        self._threads = threads
        self._embedder: AsyncEmbedder | None = None
        self._static: dict[int, StaticEmbedder | None] = {}
        self._lock = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def loaded(self) -> AsyncEmbedder | None:
        """The embedder if it has been loaded already (never loads it)."""
        return self._embedder

    async def get(self) -> AsyncEmbedder | None:
        if not self._enabled:
            return None
        async with self._lock:
            if self._embedder is None:
                log.info("loading the embedding model")
                inner = await asyncio.to_thread(
                    MiniLMEmbedder,
                    self._model,
                    max_length=self._max_length,
                    threads=self._threads,
                )
                self._embedder = AsyncEmbedder(inner)
        return self._embedder

    def prewarm(self, events: Sequence[Event]) -> None:
        """Embed a stored batch's chat messages in one call, off the loop, if a model is loaded.

        Never loads the model (the first module to need it does) and never waits.
        A message stored alone is left to the modules (they may not need it at all;
        when they do, it costs the same call).
        """
        embedder = self._embedder
        if embedder is None or not self._enabled:
            return
        texts = [
            e.text
            for e in events
            if isinstance(e, MessagePosted) and not e.from_bot and e.text.strip()
        ]
        if len(texts) > 1:
            embedder.prewarm(texts)

    async def tokens(self, max_length: int = 64) -> StaticEmbedder | None:
        """The bundled MiniLM's token-table vectors, loaded once (off the loop) for all.

        ``None`` when models are off, or the model files cannot be read (a warning
        says so; callers fall back as without models).
        """
        if not self._enabled:
            return None
        async with self._lock:
            if max_length not in self._static:
                try:
                    found = await asyncio.to_thread(StaticEmbedder, max_length=max_length)
                except Exception:  # no model files: callers carry on without token vectors
                    log.warning("token vectors unavailable", exc_info=True)
                    found = None
                self._static[max_length] = found
        return self._static[max_length]

    def close(self) -> None:
        if self._embedder is not None:
            self._embedder.close()


@dataclass(frozen=True)
class Services:
    """The shared parts a module may take (pass each module only what it uses)."""

    config: Config
    db: Database
    log: EventLog
    sessions: SessionRegistry
    roles: RoleBook
    prompts: Prompts
    outbox: Outbox
    clock: Clock
    embedder: EmbedderProvider
    personal: PersonalData
    exports: Exports
    people: LinkBook
    """Accounts a person linked across platforms (``/link``): one person, one vote."""
    # Whether this process runs the store's timed jobs (always, on SQLite; one worker at
    # a time on a shared PostgreSQL store: see bot.workers).
    leader: Leadership = field(default_factory=Leadership.solo)
    # Whether this worker handles the channel at a place (platform:community:channel):
    # always on SQLite; its share (and shares it took over) on a shared store.
    owns_place: Callable[[str], bool] = field(default=lambda _place: True)
    # The worker process for rendering and writing files (reports, exports): bot.offload.
    offload: Offload = field(default_factory=Offload)
