"""Timed actions that survive a restart: stored, due by the clock object, fired once.

A module schedules a timer under a key of its own (``followup:12:7d``); the key
makes scheduling idempotent, so a module may schedule the same thing at every
start. :meth:`TimerBook.fire_due` runs every timer whose time has come, in time
order, through the handler its owner registered, and marks it done with what
happened. A timer due while the bot was down is simply due at the next check:
it fires once, late, and says so in the log.

Crash-safe like an event's handling: with ``job`` (the outbox's
:meth:`~bot.outbox.Outbox.job`), each firing is one unit of work whose posts go
through the send journal under the timer's key. Killed midway (a reminder sent
to three of ten people), nothing of the firing is kept but the posts already
made; the timer is due again after the restart, and the posts already made are
not made again (the journal gives their ids back), so none is lost or doubled.
Without ``job`` a timer is marked before its handler runs and one interrupted
is not repeated (:meth:`TimerBook.recover`).

Several workers on one store: only the leader fires (the owner checks
``services.leader``), and each firing claims its timer in the store first, so
the moment two workers both believe they lead cannot fire one twice.

Who checks: the module that owns the book, on every event the bus delivers
(a replay's clock follows its transcript, so a replay spanning days fires its
follow-ups at the right moments) and from a light poll on the real clock while
the bot is idle.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.store.db import Database

__all__ = ["TIMER_MIGRATIONS", "Timer", "TimerBook"]

log = logging.getLogger("roundtable.timers")

TIMER_MIGRATIONS = [
    """
    CREATE TABLE timers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        due TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT 'waiting',
        fired_at TEXT,
        note TEXT
    );
    CREATE INDEX timers_waiting ON timers (state, due);
    """,
]

LATE = timedelta(minutes=5)
"""A timer fired this much after its time is logged as one missed while the bot was down."""


@dataclass(frozen=True, slots=True)
class Timer:
    id: int
    key: str
    kind: str
    due: datetime
    payload: Mapping[str, Any]


Handler = Callable[[Timer], Awaitable[str]]
"""Does the timed action; returns a note on what happened (stored with the timer)."""
Job = Callable[[str], AbstractAsyncContextManager[None]]
"""Runs one firing as a unit of work with journaled posts (:meth:`bot.outbox.Outbox.job`)."""


class TimerBook:
    """One table of timers; handlers by kind."""

    def __init__(self, db: Database, clock: Clock, job: Job | None = None) -> None:
        self._db = db
        self._clock = clock
        self._job = job
        self._handlers: dict[str, Handler] = {}
        self._next: datetime | None = None
        self._firing = False

    async def setup(self) -> None:
        await self._db.migrate("timers", TIMER_MIGRATIONS)
        await self._refresh()

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def _refresh(self) -> None:
        row = await self._db.fetchone("SELECT MIN(due) AS due FROM timers WHERE state = 'waiting'")
        self._next = datetime.fromisoformat(row["due"]) if row and row["due"] else None

    async def schedule(
        self, key: str, kind: str, due: datetime, payload: Mapping[str, Any] | None = None
    ) -> bool:
        """Schedule once: an existing ``key`` keeps its time and state. True if new."""
        if await self._db.fetchone("SELECT 1 FROM timers WHERE key = ?", (key,)) is not None:
            return False
        await self._db.execute(
            "INSERT INTO timers (key, kind, due, payload) VALUES (?, ?, ?, ?)",
            (key, kind, due.isoformat(), json.dumps(dict(payload or {}), sort_keys=True)),
        )
        if self._next is None or due < self._next:
            self._next = due
        return True

    async def cancel(self, key: str) -> bool:
        done = await self._db.execute(
            "UPDATE timers SET state = 'cancelled' WHERE key = ? AND state = 'waiting'", (key,)
        )
        return bool(done)

    async def waiting(self, kind: str | None = None) -> list[Timer]:
        rows = await self._db.fetchall(
            "SELECT * FROM timers WHERE state = 'waiting' AND (? IS NULL OR kind = ?)"
            " ORDER BY due, id",
            (kind, kind),
        )
        return [_timer(r) for r in rows]

    async def fired(self, key: str) -> tuple[str, str | None] | None:
        """(state, note) of the timer ``key``, if there is one."""
        row = await self._db.fetchone("SELECT state, note FROM timers WHERE key = ?", (key,))
        return None if row is None else (str(row["state"]), row["note"])

    def due_soon(self, now: datetime) -> bool:
        """Whether anything may be due (no I/O: checked on every event)."""
        return self._next is not None and self._next <= now

    async def fire_due(self, *, fresh: bool = False) -> int:
        """Fire every timer due by the clock now, oldest first; how many fired.

        ``fresh`` reads the next due time from the store first: on a shared store
        another worker may have scheduled a timer this one has not heard of.
        """
        now = self._clock.now()
        if fresh and not self._firing:
            await self._refresh()
        if self._firing or not self.due_soon(now):
            return 0
        self._firing = True
        fired = 0
        try:
            rows = await self._db.fetchall(
                "SELECT * FROM timers WHERE state = 'waiting' AND due <= ? ORDER BY due, id",
                (now.isoformat(),),
            )
            for row in rows:
                timer = _timer(row)
                unit = self._job(f"timer.{timer.key}") if self._job else nullcontext()
                async with unit:
                    # marked first: without a job, a crash in the handler does not
                    # repeat a post on restart; with one, this commits with the rest.
                    # The mark is also the claim: of two workers on one store firing
                    # at once, the second waits for the first's unit, then finds the
                    # timer no longer waiting, and leaves it.
                    claimed = await self._db.execute(
                        "UPDATE timers SET state = 'firing', fired_at = ?"
                        " WHERE id = ? AND state = 'waiting'",
                        (now.isoformat(), timer.id),
                    )
                    if not claimed:
                        log.info("timer %s was fired by another worker", timer.key)
                        continue
                    if now - timer.due > LATE:
                        log.info("timer %s was due at %s: sent now, once", timer.key, timer.due)
                    note, state = await self._run(timer)
                    await self._db.execute(
                        "UPDATE timers SET state = ?, note = ? WHERE id = ?",
                        (state, note, timer.id),
                    )
                fired += 1
            await self._refresh()
        finally:
            self._firing = False
        return fired

    async def _run(self, timer: Timer) -> tuple[str, str]:
        handler = self._handlers.get(timer.kind)
        if handler is None:
            log.warning("timer %s: nothing handles %r; kept as failed", timer.key, timer.kind)
            return f"no handler for {timer.kind}", "failed"
        try:
            return await handler(timer), "done"
        except Exception as exc:
            log.exception("timer %s failed", timer.key)
            return f"{type(exc).__name__}: {exc}", "failed"

    async def recover(self) -> int:
        """After a crash: a timer left 'firing' may or may not have posted; not repeated."""
        return await self._db.execute(
            "UPDATE timers SET state = 'failed', note = 'interrupted by a restart; not repeated'"
            " WHERE state = 'firing'"
        )


def _timer(row: Any) -> Timer:
    return Timer(
        int(row["id"]),
        str(row["key"]),
        str(row["kind"]),
        datetime.fromisoformat(row["due"]),
        json.loads(row["payload"] or "{}"),
    )
