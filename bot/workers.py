"""Several ``roundtable run`` workers on one PostgreSQL store.

A network running many communities at once can run several workers on one
PostgreSQL store (:mod:`bot.store.postgres`), each owning a **share** of the
work, named in its ``[worker]`` section: some platforms, some channels, and on
Discord some shards (``[discord] shard_ids``). What keeps their effects exactly
once:

* **Stored once.** Every event goes through ``INSERT ... ON CONFLICT DO
  NOTHING`` (:mod:`bot.store.pglog`): whichever worker stores it first handles
  it; to every other worker that sees it, it is a known event, dropped.
* **Handled by its owner.** Before storing, a worker drops what is outside its
  share (another worker stores and handles it), so each channel's events are
  handled in order by one worker; after a restart a worker handles again only
  the pending events of its own share.
* **One process per worker name.** A worker holds a PostgreSQL advisory lock
  on its name for as long as it runs; a second process with the same name is
  refused (:class:`WorkerInUse`), as a second process on a SQLite file is.
* **One leader for timed jobs.** :class:`Leadership` holds another advisory
  lock on a connection of its own. The database releases it when the holder's
  connection ends, kill -9 and power cuts included, and the next worker to ask
  (every few seconds) takes it over. Modules ask ``services.leader.leading``
  before running a job that must run once for the whole store.

On SQLite there is one process, so it owns everything and always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass

import asyncpg

from bot.events import Event
from bot.sessions import place_matches

__all__ = ["Leadership", "Share", "WorkerInUse", "lock_key", "take_worker_name"]

log = logging.getLogger("roundtable.workers")


def lock_key(text: str) -> int:
    """A stable 63-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


class WorkerInUse(RuntimeError):
    """Another running process already is this worker."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"A worker named {name!r} is already running on this store. Give each worker its"
            " own [worker] name (and its own share), or stop the other one first."
        )


@dataclass(frozen=True, slots=True)
class Share:
    """What one worker owns: platforms, channel patterns, and direct messages.

    Empty ``platforms`` or ``channels`` mean all of them. Channel patterns are
    ``platform:community:channel`` places, ``*`` for any part.
    """

    name: str = "main"
    platforms: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    direct_messages: bool = True

    @property
    def everything(self) -> bool:
        return not self.platforms and not self.channels and self.direct_messages

    def runs(self, platform: str) -> bool:
        return not self.platforms or platform in self.platforms

    def owns(self, event: Event) -> bool:
        if not self.runs(event.platform):
            return False
        if event.private:
            return self.direct_messages
        return not self.channels or any(place_matches(p, event.place) for p in self.channels)


async def take_worker_name(conn: asyncpg.Connection, name: str) -> None:
    """Hold ``name`` for this process (on its store connection) until it ends.

    Raises:
        WorkerInUse: another live process holds it.
    """
    held = await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(f"worker:{name}"))
    if not held:
        raise WorkerInUse(name)


class Leadership:
    """Whether this worker leads the store's timed jobs (one worker at a time).

    ``Leadership.solo()`` always leads (SQLite: one process). Otherwise a task
    asks for the lock every ``interval`` seconds on a connection of its own;
    losing that connection loses the lead (and another worker takes it). A
    worker whose connection drops while it lives notices at its next check, so
    for up to ``interval`` two may believe they lead: timed jobs must be safe to
    run twice (the retention sweep is).
    """

    def __init__(self, url: str | None, name: str = "timed-jobs", interval: float = 5.0) -> None:
        self._url = url
        self._key = lock_key(f"leader:{name}")
        self._interval = interval
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._leading = url is None
        self.changed = asyncio.Event()

    @classmethod
    def solo(cls) -> Leadership:
        return cls(None)

    @property
    def leading(self) -> bool:
        return self._leading

    async def start(self) -> None:
        if self._url is None or self._task is not None:
            return
        await self._try()
        self._task = asyncio.create_task(self._keep(), name="leadership")

    async def _try(self) -> None:
        try:
            if self._conn is None or self._conn.is_closed():
                self._set(False)
                assert self._url is not None
                self._conn = await asyncpg.connect(self._url, timeout=10)
            if not self._leading:
                got = bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key))
                self._set(got)
            else:
                await self._conn.fetchval("SELECT 1")  # still connected, so still holding it
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("leadership: lost the store connection (%s); trying again", exc)
            self._set(False)
            if self._conn is not None:
                self._conn.terminate()
                self._conn = None

    def _set(self, leading: bool) -> None:
        if leading != self._leading:
            self._leading = leading
            log.info("this worker %s the timed jobs", "now leads" if leading else "no longer leads")
            self.changed.set()
            self.changed = asyncio.Event()

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._try()

    async def wait_leading(self, within: float) -> bool:
        """Wait (up to ``within`` seconds) until this worker leads; whether it does."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while not self._leading:
                    await self.changed.wait()
        return self._leading

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        if self._url is not None:
            self._leading = False
