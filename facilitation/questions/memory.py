"""What the questions module remembers between restarts: who was told, when it last spoke.

Two small decisions shape what the bot posts: the private hint ("I put your
message in the panel's queue... /withdraw N") goes to each person once per
event, and a text acknowledgement goes to a channel at most once per
``ack_interval_seconds``. Kept only in memory, a restart (or a crash) forgot
both, and people got the hint again for their next question. Here they are
rows of the module's own tables, written in the unit of work of the event
that caused them (see :mod:`bot.bus`), so they survive a crash exactly when
the post they stand for does; they are read once at start.

The "told" rows name a person, so they are forgotten with them
(:class:`bot.forget.Forgettable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.forget import Person, Recall
from bot.store import Database

__all__ = ["MEMORY_MIGRATIONS", "QuestionMemory"]

MEMORY_MIGRATIONS = [
    """
    CREATE TABLE question_told (
        session_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        person TEXT NOT NULL,
        what TEXT NOT NULL,
        PRIMARY KEY (session_id, platform, person, what)
    );
    CREATE TABLE question_spoke (
        place TEXT PRIMARY KEY,
        at TEXT NOT NULL
    );
    """,
]

Told = tuple[int, str, str, str]  # session, platform, person, what


class QuestionMemory:
    """Write-through memory: reads come from a copy loaded at start."""

    name = "questions.memory"

    def __init__(self, db: Database) -> None:
        self._db = db
        self._told: set[Told] = set()
        self._spoke: dict[str, datetime] = {}

    async def setup(self) -> None:
        await self._db.migrate("questions_memory", MEMORY_MIGRATIONS)
        rows = await self._db.fetchall(
            "SELECT session_id, platform, person, what FROM question_told"
        )
        self._told = {(r["session_id"], r["platform"], r["person"], r["what"]) for r in rows}
        spoke = await self._db.fetchall("SELECT place, at FROM question_spoke")
        self._spoke = {r["place"]: datetime.fromisoformat(r["at"]) for r in spoke}

    def was_told(self, session_id: int, platform: str, person: str, what: str) -> bool:
        return (session_id, platform, person, what) in self._told

    async def told(self, session_id: int, platform: str, person: str, what: str) -> None:
        key = (session_id, platform, person, what)
        if key in self._told:
            return
        await self._db.execute(
            "INSERT OR IGNORE INTO question_told (session_id, platform, person, what)"
            " VALUES (?, ?, ?, ?)",
            key,
        )
        self._told.add(key)

    def last_spoke(self, place: str) -> datetime | None:
        return self._spoke.get(place)

    async def spoke(self, place: str, at: datetime) -> None:
        await self._db.execute(
            "INSERT INTO question_spoke (place, at) VALUES (?, ?)"
            " ON CONFLICT (place) DO UPDATE SET at = excluded.at",
            (place, at.isoformat()),
        )
        self._spoke[place] = at

    # -- personal data (bot.forget.Forgettable) --------------------------------

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()  # ids only: nothing that finds them in others' words

    async def forget(self, person: Person) -> Mapping[str, int]:
        platform, user = person.key
        removed = await self._db.execute(
            "DELETE FROM question_told WHERE platform = ? AND person = ?", (platform, user)
        )
        self._told = {t for t in self._told if (t[1], t[2]) != (platform, user)}
        return {"told": removed}
