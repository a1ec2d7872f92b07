"""The participation log on PostgreSQL, safe for several workers on one store.

It is :class:`~bot.store.log.SQLiteEventLog` with two differences:

* **Storing.** Several workers may store at once (and two may be given the same
  event: a platform redelivers, or two workers see one channel). Each batch is
  one ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: the database decides
  which worker stored an event, and only that worker handles it. Sequence
  numbers come from the table's own sequence, never from ``MAX(seq)``.
* **The send journal** is a table of the store that every worker shares
  (:mod:`bot.store.pgjournal`), so a worker taking over another's events or
  jobs knows what was already posted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.events import Event
from bot.store.codec import UnstorableEvent, check_text, encode_extra
from bot.store.db import Database
from bot.store.journal import Journal
from bot.store.log import Appended, SQLiteEventLog, _row
from bot.store.pgjournal import PgJournal
from bot.store.postgres import PostgresDatabase

__all__ = ["PostgresEventLog", "open_event_log"]

log = logging.getLogger("roundtable.store")

_COLUMNS = (
    "platform, dedup_key, kind, session_id, community, channel, thread, author,"
    " author_name, message_id, reply_to, ts, text, mentions, links, emoji, private"
)
_TYPES = (
    "text[], text[], text[], bigint[], text[], text[], text[], text[],"
    " text[], text[], text[], text[], text[], text[], text[], text[], bigint[]"
)


class PostgresEventLog(SQLiteEventLog):
    """The participation log on PostgreSQL (see the module's docstring)."""

    def __init__(self, db: PostgresDatabase, worker: str = "main") -> None:
        super().__init__(db)
        self._pg = db
        self._worker = worker

    async def _open_journal(self, store_id: str) -> Journal:
        return await PgJournal.open(self._pg, self._pg.url, self._worker)

    async def append(
        self, events: Sequence[Event], sessions: Sequence[int | None]
    ) -> list[Appended]:
        if not events:
            return []
        results: list[Appended] = [Appended()] * len(events)
        prepared: list[tuple[int, tuple[Any, ...], str]] = []
        refused: list[tuple[int, Event, str]] = []
        for i, (event, session_id) in enumerate(zip(events, sessions, strict=True)):
            try:
                check_text("the event's key", event.dedup_key)
                payload = encode_extra(event)  # checks every field, names the one at fault
                prepared.append((i, _row(event, session_id), payload))
            except (UnstorableEvent, TypeError, ValueError, AttributeError) as exc:
                refused.append((i, event, str(exc) or type(exc).__name__))
        async with self.db.transaction():
            # Known events are left out first, so that sequence numbers have no gaps
            # (a conflicting row would use one up); ON CONFLICT settles races only.
            known = await self._known([(str(row[0]), str(row[1])) for _, row, _ in prepared])
            rows: list[tuple[int, tuple[Any, ...], str]] = []
            for i, row, payload in prepared:
                key = (str(row[0]), str(row[1]))
                if key not in known:
                    known.add(key)
                    rows.append((i, row, payload))
            if rows:
                columns = list(zip(*(row for _, row, _ in rows), strict=True))
                await self.db._enter_direct()
                async with self.db._conn.execute(
                    f"INSERT INTO events ({_COLUMNS}) SELECT {_COLUMNS} FROM unnest("
                    + ", ".join(f"?::{t.strip()}" for t in _TYPES.split(","))
                    + f") AS u({_COLUMNS}) ON CONFLICT (platform, dedup_key) DO NOTHING"
                    " RETURNING seq, platform, dedup_key",
                    [list(c) for c in columns],
                ) as cur:
                    stored = await cur.fetchall()
                by_key = {(r["platform"], r["dedup_key"]): int(r["seq"]) for r in stored}
                pending: list[tuple[int, str]] = []
                for i, row, payload in rows:
                    seq = by_key.get((str(row[0]), str(row[1])))
                    if seq is not None:
                        results[i] = Appended(seq=seq)
                        pending.append((seq, payload))
                if pending:
                    await self.db.executemany(
                        "INSERT INTO pending (seq, payload) VALUES (?, ?)", pending
                    )
            for i, event, reason in refused:
                results[i] = Appended(refused=reason)
                await self._quarantine(event, reason)
            await self._flush_handled()
        for _, event, reason in refused:
            log.warning("refused %s into quarantine: %s", type(event).__name__, reason)
        return results


def open_event_log(db: Database, worker: str = "main") -> SQLiteEventLog:
    """The participation log for ``db``'s backend."""
    if isinstance(db, PostgresDatabase):
        return PostgresEventLog(db, worker)
    return SQLiteEventLog(db)
