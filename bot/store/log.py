"""The participation log: every event, written before any module acts on it.

:class:`EventLog` is the interface a second backend (PostgreSQL) would
implement; :class:`SQLiteEventLog` is the default. Besides the log itself it
keeps what makes handling crash-safe (see :mod:`bot.bus`):

* ``pending``: each stored event that is not yet handled, with the fields
  its ``events`` row lacks (:func:`bot.store.codec.encode_extra`; usually
  none), so a restart handles it (and nothing else) again;
* ``quarantine``: events that could not be stored as they are, with the
  reason, for the organiser to look at;
* the send journal (:mod:`bot.store.journal`) of posts made for events not
  yet handled.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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
    Annotation,
    CommandIssued,
    ConversationAssigned,
    Event,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from bot.store.codec import UnstorableEvent, check_text, decode_pending, encode_extra
from bot.store.db import Database
from bot.store.journal import Journal, SendJournal

__all__ = ["CORE_MIGRATIONS", "Appended", "EventLog", "LoggedEvent", "SQLiteEventLog"]

log = logging.getLogger("roundtable.store")

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
    """
    CREATE TABLE pending (
        seq INTEGER PRIMARY KEY,
        payload TEXT NOT NULL
    );
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        platform TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL,
        UNIQUE (platform, dedup_key)
    );
    CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True, slots=True)
class Appended:
    """What became of one event given to :meth:`EventLog.append`.

    ``seq`` is its position when it was stored now; both fields are ``None``
    when it was stored before (a redelivery); ``refused`` says why it went to
    quarantine instead.
    """

    seq: int | None = None
    refused: str | None = None

    @property
    def fresh(self) -> bool:
        return self.seq is not None


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

    journal: Journal

    async def append(
        self, events: Sequence[Event], sessions: Sequence[int | None]
    ) -> list[Appended]: ...

    async def pending(self) -> list[tuple[int, Event]]: ...

    def handling(self, seq: int) -> AbstractAsyncContextManager[None]: ...

    def job(self, mark: str) -> AbstractAsyncContextManager[None]:
        """A unit of work for a timer's job; once it commits, its journal keys go."""
        ...

    async def flush(self) -> None: ...

    async def quarantined(self) -> list[dict[str, str]]: ...

    async def close(self) -> None: ...

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

    async def annotate(self, note: Annotation) -> None:
        """Write what ``note`` says onto the row of the message it is about."""
        ...

    async def blank_text(self, before: datetime) -> int:
        """Blank the words (text, links) of messages older than ``before``; return how many."""
        ...


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
        _json_list(mentions),
        _json_list(links),
        emoji,
        int(event.private),
    )


def _safe_payload(event: Event) -> str:
    """Whatever can be kept of an unstorable event, as plain ASCII JSON."""
    fields = {f.name: getattr(event, f.name, None) for f in dataclasses.fields(event)}
    fields.pop("raw", None)
    return json.dumps({"kind": type(event).__name__, **fields}, default=repr, ensure_ascii=True)


def _safe(text: object) -> str:
    return json.dumps(str(text), ensure_ascii=True)[1:-1]


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


_INSERT = (
    "INSERT INTO events (platform, dedup_key, kind, session_id, community,"
    " channel, thread, author, author_name, message_id, reply_to, ts, text,"
    " mentions, links, emoji, private) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


class _Handling:
    """``async with log.handling(seq)``: one event's unit of work (a class: one per event)."""

    __slots__ = ("_log", "_scope", "_seq", "_unit")

    def __init__(self, log_: SQLiteEventLog, seq: int) -> None:
        self._log = log_
        self._seq = seq

    async def __aenter__(self) -> None:
        self._scope = self._log.db.unit()
        self._unit = await self._scope.__aenter__()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        log_, unit = self._log, self._unit
        if exc_type is not None:
            await self._scope.__aexit__(exc_type, exc, tb)
            return
        log_._handled.append(self._seq)
        if not unit.active:
            await self._scope.__aexit__(None, None, None)
            return  # nothing written: the mark goes with the next transaction
        done = log_._handled
        try:
            await log_._flush_handled()
        except BaseException as err:
            await self._scope.__aexit__(type(err), err, err.__traceback__)
            raise
        await self._scope.__aexit__(None, None, None)
        await log_.journal.forget(done)


def _dedup_or_repr(event: Event) -> str:
    try:
        return str(event.dedup_key)
    except Exception:
        return repr(event)[:200]


class SQLiteEventLog:
    """The participation log in SQLite: idempotent on (platform, dedup key)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._handled: list[int] = []
        self.journal: Journal = SendJournal(None, "")

    async def setup(self) -> None:
        await self.db.migrate("core", CORE_MIGRATIONS)
        row = await self.db.fetchone("SELECT value FROM store_meta WHERE key = 'store_id'")
        if row is None:
            store_id = secrets.token_hex(8)
            await self.db.execute(
                "INSERT INTO store_meta (key, value) VALUES ('store_id', ?)", (store_id,)
            )
        else:
            store_id = str(row["value"])
        await self.journal.close()
        self.journal = await self._open_journal(store_id)

    async def _open_journal(self, store_id: str) -> Journal:
        path = None if self.db.path == ":memory:" else Path(f"{self.db.path}-outbox")
        return SendJournal(path, store_id)

    async def close(self) -> None:
        await self.flush()
        await self.journal.close()

    async def append(
        self, events: Sequence[Event], sessions: Sequence[int | None]
    ) -> list[Appended]:
        """Store a batch in one transaction; say, per event, what became of it.

        A redelivered event (same platform and dedup key, in this batch or
        stored earlier) is not stored again. An event that cannot be stored
        (see :mod:`bot.store.codec`) is refused into quarantine and costs only
        itself: the rest of the batch is stored.
        """
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
            known = await self._known([(events[i].platform, row[1]) for i, row, _ in prepared])
            rows: list[tuple[int, tuple[Any, ...], str]] = []
            for i, row, payload in prepared:
                where = (str(row[0]), str(row[1]))
                if where not in known:
                    known.add(where)
                    rows.append((i, row, payload))
            if rows:
                await self.db.executemany(_INSERT, [row for _, row, _ in rows])
                top = await self.db.fetchone("SELECT MAX(seq) AS top FROM events")
                assert top is not None
                first = int(top["top"]) - len(rows) + 1
                await self.db.executemany(
                    "INSERT INTO pending (seq, payload) VALUES (?, ?)",
                    [(first + n, payload) for n, (_, _, payload) in enumerate(rows)],
                )
                for n, (i, _, _) in enumerate(rows):
                    results[i] = Appended(seq=first + n)
            for i, event, reason in refused:
                results[i] = Appended(refused=reason)
                await self._quarantine(event, reason)
            await self._flush_handled()
        for _, event, reason in refused:
            log.warning("refused %s into quarantine: %s", type(event).__name__, reason)
        return results

    async def _known(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        known: set[tuple[str, str]] = set()
        by_platform: dict[str, list[str]] = {}
        for platform, key in keys:
            by_platform.setdefault(platform, []).append(key)
        for platform, pkeys in by_platform.items():
            for start in range(0, len(pkeys), 500):
                chunk = pkeys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found = await self.db.fetchall(
                    f"SELECT dedup_key FROM events WHERE platform = ? AND dedup_key IN ({marks})",
                    (platform, *chunk),
                )
                known.update((platform, r["dedup_key"]) for r in found)
        return known

    async def _quarantine(self, event: Event, reason: str) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO quarantine (ts, platform, dedup_key, kind, reason, payload)"
            " VALUES (?,?,?,?,?,?)",
            (
                _safe(getattr(event, "ts", "")),
                _safe(getattr(event, "platform", "")),
                _safe(_dedup_or_repr(event)),
                type(event).__name__,
                _safe(reason),
                _safe_payload(event),
            ),
        )

    async def quarantined(self) -> list[dict[str, str]]:
        """The events refused into quarantine, oldest first."""
        rows = await self.db.fetchall(
            "SELECT ts, platform, dedup_key, kind, reason, payload FROM quarantine ORDER BY id"
        )
        return [dict(r) for r in rows]

    # -- handling -------------------------------------------------------------

    async def pending(self) -> list[tuple[int, Event]]:
        """Stored events not yet handled, in the order they were stored."""
        rows = await self.db.fetchall(
            "SELECT e.*, p.payload AS extra FROM pending p JOIN events e ON e.seq = p.seq"
            " ORDER BY p.seq"
        )
        return [(int(r["seq"]), decode_pending(r, r["extra"])) for r in rows]

    def handling(self, seq: int) -> _Handling:
        """Handle event ``seq``: what is written meanwhile commits with its "handled" mark.

        An event whose handling wrote nothing has its mark buffered and written
        with the next transaction: if the process dies first, handling it
        again changes nothing that was kept.
        """
        return _Handling(self, seq)

    @asynccontextmanager
    async def job(self, mark: str) -> AsyncIterator[None]:
        """A timer job's unit of work (see :func:`bot.bus.job`)."""
        async with self.db.unit():
            yield
        await self.journal.forget([mark])

    async def _flush_handled(self) -> None:
        if not self._handled:
            return
        done, self._handled = self._handled, []
        await self.db.executemany("DELETE FROM pending WHERE seq = ?", [(s,) for s in done])

    async def flush(self) -> None:
        """Write buffered "handled" marks (on shutdown)."""
        async with self.db.transaction():
            await self._flush_handled()

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

    async def annotate(self, note: Annotation) -> None:
        match note:
            case ConversationAssigned():
                await self.db.execute(
                    "UPDATE events SET conversation = ? WHERE platform = ? AND message_id = ?",
                    (note.conversation, note.platform, note.message_id),
                )
            case _:
                raise TypeError(f"the log does not store {note.kind}")

    async def blank_text(self, before: datetime) -> int:
        return await self.db.execute(
            "UPDATE events SET text = NULL, links = '[]' WHERE ts < ? AND text IS NOT NULL"
            " AND kind IN ('MessagePosted', 'MessageEdited', 'CommandIssued')",
            (before.isoformat(),),
        )
