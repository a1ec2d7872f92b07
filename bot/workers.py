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
* **No two live workers own the same thing.** Each worker writes its share in
  the ``workers`` table; one whose share overlaps a live worker's (the same
  channel, or direct messages on the same platform) is refused at start with
  :class:`SharesOverlap`, which names both and what they would both own.
* **One leader for timed jobs.** :class:`Leadership` holds another advisory
  lock on a connection of its own. The database releases it when the holder's
  connection ends, kill -9 and power cuts included, and the next worker to ask
  (every few seconds) takes it over. Modules ask ``services.leader.leading``
  before running a job that must run once for the whole store (the follow-up
  timers, the retention sweep); each job is also claimed by a row in the store
  (:mod:`bot.timers`), so the seconds in which an old leader has not yet
  noticed its loss cannot double a post. Only a worker that runs every
  platform may lead: a timed post goes to every channel of its event.
* **A dead worker's share is taken over.** The leader watches the other
  workers' name locks (:class:`Crew`). A lock that is free belongs to a worker
  that died: the leader starts a **stand-in** for it in its own process, a
  fresh :class:`~bot.app.Roundtable` with the dead worker's name and share
  that reads everything from the store as a restarted worker would, and posts
  through the leader's adapters. The stand-in takes the dead worker's name
  lock, handles its pending events (posts checked against the shared send
  journal, :mod:`bot.store.pgjournal`, so none is made twice) and the new
  events of its share the leader receives. When the worker starts again it
  asks for its share back; the stand-in finishes what it was handling, writes
  its marks and closes, which lets go of the name.

On SQLite there is one process, so it owns everything and always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from bot.events import Event
from bot.sessions import place_matches
from bot.store.db import Database

__all__ = [
    "WORKER_MIGRATIONS",
    "Crew",
    "Leadership",
    "Share",
    "SharesOverlap",
    "WorkerInUse",
    "lock_key",
    "overlap",
    "take_worker_name",
]

WORKER_MIGRATIONS = [
    """
    CREATE TABLE workers (
        name TEXT PRIMARY KEY,
        share TEXT NOT NULL,
        taken_by TEXT,
        wanted INTEGER NOT NULL DEFAULT 0
    );
    """,
]

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


class SharesOverlap(RuntimeError):
    """This worker's share overlaps a running worker's."""

    def __init__(self, name: str, other: str, what: str) -> None:
        self.name = name
        self.other = other
        super().__init__(
            f"Worker {name!r} would share {what} with the running worker {other!r}: both"
            " would handle the same events. Give each worker its own channels ([worker]"
            " channels), and direct messages on a platform to one of them ([worker]"
            " direct_messages = false on the others)."
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

    def owns_place(self, place: str) -> bool:
        """Whether this share handles the channel at ``place`` (platform:community:channel)."""
        platform = place.split(":", 1)[0]
        if not self.runs(platform):
            return False
        return not self.channels or any(place_matches(p, place) for p in self.channels)

    def to_json(self) -> str:
        return json.dumps(
            {"platforms": self.platforms, "channels": self.channels, "dm": self.direct_messages}
        )

    @classmethod
    def from_json(cls, name: str, text: str) -> Share:
        data = json.loads(text)
        return cls(name, tuple(data["platforms"]), tuple(data["channels"]), bool(data["dm"]))


def _patterns_meet(a: str, b: str) -> bool:
    want, have = a.split(":", 2), b.split(":", 2)
    return len(want) == len(have) and all(
        x == "*" or y == "*" or x == y for x, y in zip(want, have, strict=True)
    )


def overlap(a: Share, b: Share) -> str | None:
    """What both shares would own (in words), or ``None`` if nothing."""
    if a.platforms and b.platforms:
        common: set[str] | None = set(a.platforms) & set(b.platforms)
        if not common:
            return None
    else:
        common = set(a.platforms or b.platforms) or None  # None: every platform
    on = f" on {', '.join(sorted(common))}" if common else ""
    if a.direct_messages and b.direct_messages:
        return f"direct messages{on}"
    for pa in a.channels or ("*:*:*",):
        for pb in b.channels or ("*:*:*",):
            if not _patterns_meet(pa, pb):
                continue
            platform = pa.split(":", 1)[0] if pa.split(":", 1)[0] != "*" else pb.split(":", 1)[0]
            if common is None or platform == "*" or platform in common:
                return f"the channels {pa!r} and {pb!r}"
    return None


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
    for up to ``interval`` two may believe they lead: timed jobs are claimed in
    the store as well (:mod:`bot.timers`). A worker that is not ``eligible``
    (it does not run every platform) never asks.
    """

    def __init__(
        self,
        url: str | None,
        name: str = "timed-jobs",
        interval: float = 5.0,
        *,
        eligible: bool = True,
    ) -> None:
        self._url = url
        self._key = lock_key(f"leader:{name}")
        self._interval = interval
        self._eligible = eligible
        self._conn: asyncpg.Connection | None = None
        self._gate = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._leading = url is None
        self._watchers: list[Callable[[], Awaitable[None]]] = []
        self.changed = asyncio.Event()

    @classmethod
    def solo(cls) -> Leadership:
        return cls(None)

    @property
    def leading(self) -> bool:
        return self._leading

    def every_check(self, watcher: Callable[[], Awaitable[None]]) -> None:
        """Call ``watcher`` after every check (the takeover of dead workers' shares)."""
        self._watchers.append(watcher)

    async def start(self) -> None:
        if self._url is None or self._task is not None or not self._eligible:
            return
        await self._try()
        self._task = asyncio.create_task(self._keep(), name="leadership")

    async def _try(self) -> None:
        try:
            async with self._gate:
                if self._conn is None or self._conn.is_closed():
                    self._set(False)
                    assert self._url is not None
                    self._conn = await asyncpg.connect(self._url, timeout=10)
                if not self._leading:
                    got = await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key)
                    self._set(bool(got))
                else:
                    await self._conn.fetchval("SELECT 1")  # still connected, so still holding it
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("leadership: lost the store connection (%s); trying again", exc)
            self._set(False)
            if self._conn is not None:
                self._conn.terminate()
                self._conn = None

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        """Run ``sql`` on the leader's own connection (locks taken there go with the lead).

        Raises:
            ConnectionError: there is no connection (so no lead).
        """
        async with self._gate:
            if self._conn is None or self._conn.is_closed():
                raise ConnectionError("no connection to the store")
            rows: list[Any] = await self._conn.fetch(sql, *args)
            return rows

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
            for watcher in self._watchers:
                try:
                    await watcher()
                except Exception:
                    log.exception("the check of the other workers failed")

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


TakeOver = Callable[["Share", int], Awaitable[int | None]]
"""Stand in for a dead worker's share (its pending events stored up to a sequence
number); how many of those it queued, or ``None`` if the worker came back first."""
GiveBack = Callable[[str], Awaitable[None]]
"""Stop standing in for the worker named: finish its events, let go of its name."""


class Crew:
    """This worker among the others on one store: joining, and taking over the dead.

    Args:
        db: the store (its own connection is used only while starting).
        raw: that store's asyncpg connection, and ``gate`` the lock that orders it.
        share: this worker's share.
        leader: this worker's leadership; only the leader takes over.
        handback_wait: how long a returning worker waits for its share back.
        standing_in_for: set on the stand-in a worker runs for a dead worker's
            share: the name of the worker that runs it (it takes the name once,
            without waiting, and notes who took it over).
    """

    def __init__(
        self,
        db: Database,
        raw: asyncpg.Connection,
        gate: asyncio.Lock,
        share: Share,
        leader: Leadership,
        *,
        handback_wait: float = 60.0,
        standing_in_for: str | None = None,
    ) -> None:
        self._db = db
        self._raw = raw
        self._gate = gate
        self.share = share
        self._leader = leader
        self._wait = handback_wait
        self._by = standing_in_for
        self.adopted: dict[str, Share] = {}
        self.takeovers = 0
        self._take_over: TakeOver | None = None
        self._give_back: GiveBack | None = None

    async def _one(self, sql: str, *args: Any) -> Any:
        async with self._gate:
            return await self._raw.fetchval(sql, *args)

    async def join(self) -> None:
        """Take this worker's name; if a live worker took it over, ask for it back and wait.

        Raises:
            WorkerInUse: another process is this worker (or would not hand it back).
        """
        await self._db.migrate("workers", WORKER_MIGRATIONS)
        name = self.share.name
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait
        asked = False
        while not await self._one("SELECT pg_try_advisory_lock($1)", lock_key(f"worker:{name}")):
            taker = await self._one("SELECT taken_by FROM workers WHERE name = $1", name)
            if taker is None or self._by is not None:
                raise WorkerInUse(name)
            if loop.time() > deadline:
                raise WorkerInUse(name) from TimeoutError(
                    f"worker {taker!r} took over this worker's share and did not hand it back"
                )
            if not asked:
                log.warning(
                    "worker %r took over this worker's share while it was down; asking for it back",
                    taker,
                )
                await self._one("UPDATE workers SET wanted = 1 WHERE name = $1", name)
                asked = True
            await asyncio.sleep(0.2)

    async def _alive(self, name: str, *, on_lead: bool = False) -> bool:
        """Whether a process holds worker ``name`` (itself, or a worker standing in for it).

        ``on_lead`` asks on the leader's connection (the store's may be in a unit of work).
        """
        key = lock_key(f"worker:{name}")
        if on_lead:
            rows = await self._leader.fetch("SELECT pg_try_advisory_lock($1) AS got", key)
            free = bool(rows[0]["got"])
            if free:
                await self._leader.fetch("SELECT pg_advisory_unlock($1)", key)
            return not free
        if await self._one("SELECT pg_try_advisory_lock($1)", key):
            await self._one("SELECT pg_advisory_unlock($1)", key)
            return False
        return True

    async def register(self) -> None:
        """Refuse a share that overlaps a live worker's; write this worker's share down.

        Call with the store's setup lock held (workers starting together check in turn).

        Raises:
            SharesOverlap: a live worker (or one taken over) owns part of this share.
        """
        async with self._gate:
            rows = await self._raw.fetch(
                "SELECT name, share, taken_by FROM workers WHERE name <> $1", self.share.name
            )
        for row in rows:
            if row["name"] == self._by:
                continue  # the worker standing in for this one
            what = overlap(self.share, Share.from_json(row["name"], row["share"]))
            if what is not None and await self._alive(row["name"]):
                other = str(row["name"])
                if row["taken_by"]:
                    other += f" (stopped; its share is taken over by {row['taken_by']!r})"
                raise SharesOverlap(self.share.name, other, what)
        await self._one(
            "INSERT INTO workers (name, share, taken_by, wanted) VALUES ($1, $2, $3, 0)"
            " ON CONFLICT (name) DO UPDATE SET share = EXCLUDED.share,"
            " taken_by = EXCLUDED.taken_by, wanted = 0",
            self.share.name,
            self.share.to_json(),
            self._by,
        )

    def watch(self, take_over: TakeOver, give_back: GiveBack) -> None:
        """Take over dead workers' shares while this worker leads (checked with the lead)."""
        self._take_over = take_over
        self._give_back = give_back
        self._leader.every_check(self.check)

    async def check(self) -> None:
        """Hand back shares asked for; take over those of workers that died."""
        if not self.adopted and not self._leader.leading:
            return
        try:
            rows = await self._leader.fetch("SELECT name, share, wanted FROM workers")
        except (ConnectionError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            rows = []
        wanted = {r["name"] for r in rows if r["wanted"]}
        for name in [n for n in self.adopted if n in wanted or not self._leader.leading]:
            assert self._give_back is not None
            del self.adopted[name]
            await self._give_back(name)
            log.info("worker %r is back: its share is handed back to it", name)
        if not self._leader.leading:
            return
        shares = {r["name"]: Share.from_json(r["name"], r["share"]) for r in rows}
        for name, share in shares.items():
            if name == self.share.name or name in self.adopted or name in wanted:
                continue
            await self._maybe_adopt(share, shares)

    async def _maybe_adopt(self, share: Share, shares: dict[str, Share]) -> None:
        assert self._take_over is not None
        if await self._alive(share.name, on_lead=True):
            return
        # A worker that overlaps a live one (it was renamed, say) is left to that one.
        for other, theirs in shares.items():
            if other == share.name or overlap(share, theirs) is None:
                continue
            if other == self.share.name or other in self.adopted:
                return
            if await self._alive(other, on_lead=True):
                return
        top = await self._leader.fetch("SELECT COALESCE(MAX(seq), 0) AS top FROM events")
        count = await self._take_over(share, int(top[0]["top"]))
        if count is None:
            return  # it came back meanwhile
        self.adopted[share.name] = share
        self.takeovers += 1
        log.warning(
            "worker %r has stopped: this worker takes over its share (%d events it had"
            " not handled)",
            share.name,
            count,
        )
