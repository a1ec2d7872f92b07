"""The report's own tables: ideas put forward with /idea, when the last digest ran, bots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.forget import Person, Recall, phrases_of
from bot.store import Database

__all__ = ["REPORT_MIGRATIONS", "BotList", "Idea", "ReportStore", "load_bots", "load_ideas"]

REPORT_MIGRATIONS = [
    """
    CREATE TABLE report_ideas (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        author TEXT NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        message_id TEXT,
        ts TEXT NOT NULL,
        UNIQUE (platform, message_id)
    );
    CREATE TABLE report_digests (
        session_id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        seq INTEGER NOT NULL
    );
    """,
    """
    CREATE TABLE report_bots (
        platform TEXT NOT NULL,
        author TEXT NOT NULL,
        PRIMARY KEY (platform, author)
    );
    """,
    # when a due digest last counted the messages (at most once a minute), so a
    # restart counts when an uninterrupted run would
    """
    CREATE TABLE report_checks (
        session_id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True, slots=True)
class Idea:
    platform: str
    author: str
    author_name: str
    text: str
    message_id: str | None
    ts: datetime


async def _exists(db: Database, name: str) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return row is not None


async def load_bots(db: Database) -> set[tuple[str, str]]:
    """Authors their platform marked as bots: not participants, never quoted."""
    if not await _exists(db, "report_bots"):
        return set()
    rows = await db.fetchall("SELECT platform, author FROM report_bots")
    return {(r["platform"], r["author"]) for r in rows}


class BotList:
    """The report's export ``"bots"`` (:class:`bot.exports.BotExport`)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def bots(self) -> set[tuple[str, str]]:
        return await load_bots(self._db)


async def load_ideas(db: Database, session_id: int) -> list[Idea]:
    """The ideas of an event, oldest first (none when the table does not exist)."""
    if not await _exists(db, "report_ideas"):
        return []
    rows = await db.fetchall(
        "SELECT platform, author, author_name, text, message_id, ts FROM report_ideas"
        " WHERE session_id = ? ORDER BY id",
        (session_id,),
    )
    return [
        Idea(
            r["platform"],
            r["author"],
            r["author_name"],
            r["text"],
            r["message_id"],
            datetime.fromisoformat(r["ts"]),
        )
        for r in rows
    ]


class ReportStore:
    """Ideas and digest marks; the state survives a restart."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def setup(self) -> None:
        await self.db.migrate("report", REPORT_MIGRATIONS)

    async def add_idea(self, session_id: int, idea: Idea) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO report_ideas (session_id, platform, author, author_name,"
            " text, message_id, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                idea.platform,
                idea.author,
                idea.author_name,
                idea.text,
                idea.message_id,
                idea.ts.isoformat(),
            ),
        )

    async def last_digest(self, session_id: int) -> tuple[datetime, int] | None:
        row = await self.db.fetchone(
            "SELECT ts, seq FROM report_digests WHERE session_id = ?", (session_id,)
        )
        return None if row is None else (datetime.fromisoformat(row["ts"]), int(row["seq"]))

    async def claim_digest(
        self, session_id: int, believed: datetime, ts: datetime, seq: int
    ) -> bool:
        """Move the digest mark from ``believed`` to ``ts``: False if another worker moved it.

        Several workers on one store may each see a message that makes a digest
        due (an event spanning their channels): the one whose move lands posts.
        """
        # a first digest has no row to move yet: one starts at the believed mark
        await self.db.execute(
            "INSERT OR IGNORE INTO report_digests (session_id, ts, seq) VALUES (?, ?, 0)",
            (session_id, believed.isoformat()),
        )
        moved = await self.db.execute(
            "UPDATE report_digests SET ts = ?, seq = ? WHERE session_id = ? AND ts = ?",
            (ts.isoformat(), seq, session_id, believed.isoformat()),
        )
        return bool(moved)

    async def last_check(self, session_id: int) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT ts FROM report_checks WHERE session_id = ?", (session_id,)
        )
        return None if row is None else datetime.fromisoformat(row["ts"])

    async def mark_check(self, session_id: int, ts: datetime) -> None:
        await self.db.execute(
            "INSERT INTO report_checks (session_id, ts) VALUES (?, ?)"
            " ON CONFLICT (session_id) DO UPDATE SET ts = excluded.ts",
            (session_id, ts.isoformat()),
        )

    async def remember_bot(self, platform: str, author: str) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO report_bots (platform, author) VALUES (?, ?)",
            (platform, author),
        )

    # -- personal data (bot.forget.Forgettable) --------------------------------

    name = "report"

    async def recall(self, platform: str, user: str) -> Recall:
        rows = await self.db.fetchall(
            "SELECT author_name, text FROM report_ideas WHERE platform = ? AND author = ?",
            (platform, user),
        )
        phrases: set[str] = set()
        for r in rows:
            phrases |= phrases_of(r["text"])
        return Recall(frozenset(str(r["author_name"]) for r in rows), frozenset(phrases))

    async def forget(self, person: Person) -> Mapping[str, int]:
        """Their ideas go; others' ideas lose the person's name and words."""
        removed = {
            "ideas": await self.db.execute(
                "DELETE FROM report_ideas WHERE platform = ? AND author = ?", person.key
            ),
            "ideas_scrubbed": 0,
            "bots": await self.db.execute(
                "DELETE FROM report_bots WHERE platform = ? AND author = ?", person.key
            ),
        }
        if person.searchable:
            for r in await self.db.fetchall("SELECT id, text FROM report_ideas"):
                clean = person.scrub(r["text"])
                if clean != r["text"]:
                    await self.db.execute(
                        "UPDATE report_ideas SET text = ? WHERE id = ?", (clean, r["id"])
                    )
                    removed["ideas_scrubbed"] += 1
        return removed
