"""The threads module after a restart: the live map rebuilt, thread offers remembered.

Each channel's conversation map lives in memory. After a restart (or a crash)
it is rebuilt from the participation log the first time the channel is needed:
every message this module linked before (its ``events.conversation`` is set),
of the same event, earlier than the message being handled, is linked again in
order. Linking is deterministic, so the map (and the conversation ids later
messages get) is the one an uninterrupted run would have.

Which conversations were already offered a thread is a decision, not
something the log can tell: it is kept in ``thread_offers``, written in the
unit of work of the message that made the offer (see :mod:`bot.bus`).
Conversation ids are message ids: nothing there names a person.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.store import Database
from facilitation.threads.message import ThreadMessage

__all__ = ["OFFER_MIGRATIONS", "Offers", "linked_before"]

OFFER_MIGRATIONS = [
    """
    CREATE TABLE thread_offers (
        place TEXT NOT NULL,
        conversation TEXT NOT NULL,
        PRIMARY KEY (place, conversation)
    );
    """,
]


class Offers:
    """Conversations already offered a thread, per channel."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def setup(self) -> None:
        await self._db.migrate("threads", OFFER_MIGRATIONS)

    async def made(self, place: str) -> set[str]:
        rows = await self._db.fetchall(
            "SELECT conversation FROM thread_offers WHERE place = ?", (place,)
        )
        return {str(r["conversation"]) for r in rows}

    async def add(self, place: str, conversation: str) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO thread_offers (place, conversation) VALUES (?, ?)",
            (place, conversation),
        )


async def linked_before(
    db: Database, platform: str, community: str, channel: str, before: int | None
) -> list[ThreadMessage]:
    """The channel's messages linked earlier in the same event, oldest first.

    ``before`` is the log position of the message being handled (``None``:
    everything stored). The event is the one that message belongs to; outside
    an event, the messages since the last one ended.
    """
    top = before if before is not None else 1 << 62
    here = await db.fetchone(
        "SELECT session_id FROM events WHERE seq = ?", (before,) if before is not None else (0,)
    )
    session = here["session_id"] if here is not None else None
    if session is not None:
        where, args = "session_id = ?", (session,)
    else:
        last = await db.fetchone(
            "SELECT MAX(seq) AS s FROM events WHERE platform = ? AND community = ?"
            " AND channel = ? AND session_id IS NOT NULL AND seq < ?",
            (platform, community, channel, top),
        )
        after = int(last["s"]) if last is not None and last["s"] is not None else 0
        where, args = "session_id IS NULL AND seq > ?", (after,)
    rows = await db.fetchall(
        "SELECT message_id, author, author_name, text, ts, reply_to, thread, mentions"
        " FROM events WHERE platform = ? AND community = ? AND channel = ? AND kind = ?"
        f" AND conversation IS NOT NULL AND seq < ? AND {where} ORDER BY seq",
        (platform, community, channel, "MessagePosted", top, *args),
    )
    return [
        ThreadMessage(
            id=str(r["message_id"]),
            author=str(r["author"]),
            text=str(r["text"] or ""),
            ts=datetime.fromisoformat(r["ts"]),
            reply_to=r["reply_to"],
            thread=r["thread"],
            mentions=tuple(json.loads(r["mentions"])),
            author_name=str(r["author_name"]),
        )
        for r in rows
    ]
