"""The participation log: every event, written before any module acts on it.

:class:`EventLog` is the interface a second backend (PostgreSQL) would
implement; :class:`SQLiteEventLog` is the default.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.actions import (
    Action,
    DirectMessage,
    MessageRef,
    OpenThread,
    Pin,
    React,
    Reply,
    Say,
    UploadFile,
)
from bot.events import (
    CommandIssued,
    Event,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from bot.store.db import Database

__all__ = ["CORE_MIGRATIONS", "EventLog", "LoggedEvent", "SQLiteEventLog"]

CORE_MIGRATIONS = [
    """
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        session_id INTEGER,
        community TEXT NOT NULL,
        channel TEXT NOT NULL,
        thread TEXT,
        author TEXT NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        message_id TEXT,
        reply_to TEXT,
        ts TEXT NOT NULL,
        text TEXT,
        mentions TEXT NOT NULL DEFAULT '[]',
        links TEXT NOT NULL DEFAULT '[]',
        emoji TEXT,
        private INTEGER NOT NULL DEFAULT 0,
        conversation TEXT,
        UNIQUE (platform, dedup_key)
    );
    CREATE INDEX events_session ON events (session_id, seq);
    CREATE INDEX events_message ON events (platform, message_id);
    CREATE INDEX events_author ON events (platform, author);
    CREATE TABLE actions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        session_id INTEGER,
        platform TEXT NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT,
        thread TEXT,
        message_id TEXT,
        recipient TEXT,
        text TEXT,
        refs TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL,
        error TEXT
    );
    CREATE TABLE errors (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        subscriber TEXT NOT NULL,
        event_key TEXT,
        error TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One row of the participation log, as reports and exports read it."""

    seq: int
    platform: str
    kind: str
    session_id: int | None
    community: str
    channel: str
    thread: str | None
    author: str
    author_name: str
    message_id: str | None
    reply_to: str | None
    ts: datetime
    text: str | None
    mentions: tuple[str, ...]
    links: tuple[str, ...]
    emoji: str | None
    private: bool
    conversation: str | None


class EventLog(Protocol):
    """What the bot needs from a participation-log backend."""

    async def setup(self) -> None: ...

    async def append(
        self, events: Sequence[Event], sessions: Sequence[int | None]
    ) -> list[bool]: ...

    async def record_action(
        self,
        action: Action,
        refs: Sequence[MessageRef],
        status: str,
        error: str | None,
        ts: datetime,
        session_id: int | None,
    ) -> None: ...

    async def record_error(
        self, subscriber: str, event_key: str | None, error: str, ts: datetime
    ) -> None: ...

    async def events(self, session_id: int | None = None) -> list[LoggedEvent]: ...


def _row(event: Event, session_id: int | None) -> tuple[Any, ...]:
    text = message_id = reply_to = emoji = None
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    match event:
        case MessagePosted():
            text, message_id, reply_to = event.text, event.message_id, event.reply_to
            mentions, links = event.mentions, event.links
        case MessageEdited():
            text, message_id, mentions, links = (
                event.text,
                event.message_id,
                event.mentions,
                event.links,
            )
        case MessageDeleted():
            message_id = event.message_id
        case ReactionAdded() | ReactionRemoved():
            message_id, emoji = event.message_id, event.emoji
        case CommandIssued():
            text, message_id, reply_to = event.text, event.message_id, event.reply_to
    return (
        event.platform,
        event.dedup_key,
        event.kind,
        session_id,
        event.community,
        event.channel,
        event.thread,
        event.author,
        event.author_name,
        message_id,
        reply_to,
        event.ts.isoformat(),
        text,
        json.dumps(list(mentions)),
        json.dumps(list(links)),
        emoji,
        int(event.private),
    )


def _json_list(items: tuple[str, ...]) -> str:
    return json.dumps(list(items)) if items else "[]"


def _describe(
    action: Action,
) -> tuple[str, str | None, str | None, str | None, str | None, str | None]:
    """(platform, channel, thread, message_id, recipient, text) of an action."""
    match action:
        case Say(target=t, text=text):
            return t.platform, t.channel, t.thread, None, None, text
        case Reply(target=t, message_id=m, text=text):
            return t.platform, t.channel, t.thread, m, None, text
        case React(target=t, message_id=m, emoji=e):
            return t.platform, t.channel, t.thread, m, None, e
        case OpenThread(target=t, message_id=m, name=name, text=text):
            return t.platform, t.channel, t.thread, m, None, f"{name}\n{text}".strip()
        case Pin(target=t, message_id=m):
            return t.platform, t.channel, t.thread, m, None, None
        case DirectMessage(platform=p, user=u, text=text):
            return p, None, None, None, u, text
        case UploadFile(target=t, path=path, comment=c, private_to=u):
            return t.platform, t.channel, t.thread, None, u, f"{path.name}\n{c}".strip()
    raise TypeError(f"not an action: {action!r}")


def row_to_logged(row: Any) -> LoggedEvent:
    return LoggedEvent(
        seq=row["seq"],
        platform=row["platform"],
        kind=row["kind"],
        session_id=row["session_id"],
        community=row["community"],
        channel=row["channel"],
        thread=row["thread"],
        author=row["author"],
        author_name=row["author_name"],
        message_id=row["message_id"],
        reply_to=row["reply_to"],
        ts=datetime.fromisoformat(row["ts"]),
        text=row["text"],
        mentions=tuple(json.loads(row["mentions"])),
        links=tuple(json.loads(row["links"])),
        emoji=row["emoji"],
        private=bool(row["private"]),
        conversation=row["conversation"],
    )


class SQLiteEventLog:
    """The participation log in SQLite: idempotent on (platform, dedup key)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def setup(self) -> None:
        await self.db.migrate("core", CORE_MIGRATIONS)

    async def append(self, events: Sequence[Event], sessions: Sequence[int | None]) -> list[bool]:
        """Store a batch in one transaction; return, per event, whether it was new.

        A redelivered event (same platform and dedup key, in this batch or
        stored earlier) is not stored again and comes back ``False``.
        """
        if not events:
            return []
        keys = [(e.platform, e.dedup_key) for e in events]
        known: set[tuple[str, str]] = set()
        by_platform: dict[str, list[str]] = {}
        for platform, key in keys:
            by_platform.setdefault(platform, []).append(key)
        for platform, pkeys in by_platform.items():
            for start in range(0, len(pkeys), 500):
                chunk = pkeys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = await self.db.fetchall(
                    f"SELECT dedup_key FROM events WHERE platform = ? AND dedup_key IN ({marks})",
                    (platform, *chunk),
                )
                known.update((platform, r["dedup_key"]) for r in rows)
        fresh: list[bool] = []
        rows_to_write = []
        for event, event_key, session_id in zip(events, keys, sessions, strict=True):
            is_new = event_key not in known
            fresh.append(is_new)
            if is_new:
                known.add(event_key)
                rows_to_write.append(_row(event, session_id))
        if rows_to_write:
            await self.db.executemany(
                "INSERT OR IGNORE INTO events (platform, dedup_key, kind, session_id, community,"
                " channel, thread, author, author_name, message_id, reply_to, ts, text,"
                " mentions, links, emoji, private) VALUES"
                " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows_to_write,
            )
        return fresh

    async def record_action(
        self,
        action: Action,
        refs: Sequence[MessageRef],
        status: str,
        error: str | None,
        ts: datetime,
        session_id: int | None,
    ) -> None:
        platform, channel, thread, message_id, recipient, text = _describe(action)
        await self.db.execute(
            "INSERT INTO actions (ts, session_id, platform, kind, channel, thread, message_id,"
            " recipient, text, refs, status, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                ts.isoformat(),
                session_id,
                platform,
                type(action).__name__,
                channel,
                thread,
                message_id,
                recipient,
                text,
                json.dumps([r.message_id for r in refs]),
                status,
                error,
            ),
        )

    async def record_error(
        self, subscriber: str, event_key: str | None, error: str, ts: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO errors (ts, subscriber, event_key, error) VALUES (?,?,?,?)",
            (ts.isoformat(), subscriber, event_key, error),
        )

    async def events(self, session_id: int | None = None) -> list[LoggedEvent]:
        if session_id is None:
            rows = await self.db.fetchall("SELECT * FROM events ORDER BY seq")
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
            )
        return [row_to_logged(r) for r in rows]
