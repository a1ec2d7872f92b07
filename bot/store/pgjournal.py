"""The send journal on PostgreSQL: a table every worker of the store shares.

See :mod:`bot.store.journal` for what the journal is for. Here it is the
``send_journal`` table, written on a connection of its own so that each claim
and each "sent" commits at once, outside the unit of work of the event being
handled (which may yet roll back). Because the table is the store's, not one
worker's:

* a worker that takes over a dead worker's pending events (:mod:`bot.workers`)
  finds what that worker already posted for them, and does not post it again;
* two workers running the same timer job at once (the moment a leader is
  replaced) cannot both post: a claim is ``INSERT ... ON CONFLICT DO NOTHING``,
  and the second finds the first's claim.

Rows hold message ids only, never text, and go once their event (or job) is
handled. A worker killed after its commit and before the deletion leaves rows
of a handled event behind; they are never read again, and the next worker to
open the journal deletes those of events no longer pending.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

import asyncpg

from bot.actions import MessageRef
from bot.store.db import Database
from bot.store.journal import Journaled, unit_of

__all__ = ["JOURNAL_MIGRATIONS", "PgJournal"]

log = logging.getLogger("roundtable.store")

JOURNAL_MIGRATIONS = [
    """
    CREATE TABLE send_journal (
        key TEXT PRIMARY KEY,
        unit TEXT NOT NULL,
        worker TEXT NOT NULL,
        refs TEXT
    );
    CREATE INDEX send_journal_unit ON send_journal (unit);
    """,
]


class PgJournal:
    """The ``send_journal`` table, on a connection of its own (see the module)."""

    def __init__(self, url: str, worker: str) -> None:
        self._url = url
        self._worker = worker
        self._conn: asyncpg.Connection | None = None
        self._gate = asyncio.Lock()
        self._mine: set[str] = set()  # units with keys written (or found) by this process

    @classmethod
    async def open(cls, db: Database, url: str, worker: str) -> PgJournal:
        await db.migrate("send_journal", JOURNAL_MIGRATIONS)
        journal = cls(url, worker)
        try:
            async with journal._gate:
                conn = await journal._connection()
                await conn.execute(
                    "DELETE FROM send_journal WHERE unit ~ '^[0-9]+$'"
                    " AND unit::bigint NOT IN (SELECT seq FROM pending)"
                )
        except BaseException:
            if journal._conn is not None:
                journal._conn.terminate()
            raise
        return journal

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._url, timeout=30)
        return self._conn

    async def claim(self, key: str) -> Journaled | None:
        unit = unit_of(key)
        async with self._gate:
            conn = await self._connection()
            self._mine.add(unit)
            row = await conn.fetchrow(
                "INSERT INTO send_journal (key, unit, worker) VALUES ($1, $2, $3)"
                " ON CONFLICT (key) DO NOTHING RETURNING key",
                key,
                unit,
                self._worker,
            )
            if row is not None:
                return None
            refs = await conn.fetchval("SELECT refs FROM send_journal WHERE key = $1", key)
        if refs is None:
            return Journaled(sent=False)
        return Journaled(sent=True, refs=tuple(MessageRef(*r) for r in json.loads(refs)))

    async def sent(self, key: str, refs: tuple[MessageRef, ...]) -> None:
        text = json.dumps([[r.platform, r.channel, r.message_id, r.thread] for r in refs])
        async with self._gate:
            conn = await self._connection()
            await conn.execute("UPDATE send_journal SET refs = $2 WHERE key = $1", key, text)

    async def failed(self, key: str) -> None:
        async with self._gate:
            conn = await self._connection()
            await conn.execute("DELETE FROM send_journal WHERE key = $1", key)

    async def forget(self, units: Sequence[int | str]) -> None:
        gone = [str(u) for u in units if str(u) in self._mine]
        if not gone:
            return  # nothing was posted for these: no round trip
        async with self._gate:
            conn = await self._connection()
            await conn.execute("DELETE FROM send_journal WHERE unit = ANY($1::text[])", gone)
            self._mine.difference_update(gone)

    async def close(self) -> None:
        async with self._gate:
            if self._conn is not None:
                try:
                    await self._conn.close()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    self._conn.terminate()
                self._conn = None
