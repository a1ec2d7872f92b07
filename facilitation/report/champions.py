"""Ideas with champions: numbers for /idea, who took an idea on, and the news since.

An idea put forward with ``/idea`` gets a number in its event (kept even if an
earlier idea is removed by an opt-out, so "idea 3" stays idea 3). ``/champion N``
adds the caller as a champion; ``/update N text`` records news. The report, the
follow-up posts and the "since last time" post read them through
:func:`ideas_of` (the report's export ``"ideas"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.exports import IdeaRow, IdeaUpdate
from bot.forget import Person, Recall, phrases_of
from bot.store import Database

__all__ = ["CHAMPION_MIGRATIONS", "ChampionStore", "IdeaList", "NumberedIdea", "ideas_of"]

CHAMPION_MIGRATIONS = [
    """
    CREATE TABLE report_idea_numbers (
        idea_id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        UNIQUE (session_id, number)
    );
    CREATE TABLE report_champions (
        idea_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        ts TEXT NOT NULL,
        PRIMARY KEY (idea_id, platform, user)
    );
    CREATE TABLE report_idea_updates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        idea_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        author TEXT NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        ts TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True, slots=True)
class NumberedIdea:
    id: int
    number: int
    platform: str
    author: str
    text: str


async def _exists(db: Database, name: str) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return row is not None


class ChampionStore:
    """Numbers, champions and updates of ideas (the report module's own tables)."""

    name = "report_champions"  # bot.forget.Forgettable

    def __init__(self, db: Database) -> None:
        self.db = db

    async def setup(self) -> None:
        await self.db.migrate("report_champions", CHAMPION_MIGRATIONS)

    async def numbered(self, session_id: int) -> list[NumberedIdea]:
        """The event's ideas with their numbers (new ideas numbered next, in order)."""
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO report_idea_numbers (idea_id, session_id, number)"
                " SELECT i.id, i.session_id, (SELECT COALESCE(MAX(number), 0) FROM"
                " report_idea_numbers WHERE session_id = ?) + ROW_NUMBER() OVER (ORDER BY i.id)"
                " FROM report_ideas i LEFT JOIN report_idea_numbers n ON n.idea_id = i.id"
                " WHERE i.session_id = ? AND n.idea_id IS NULL",
                (session_id, session_id),
            )
        rows = await self.db.fetchall(
            "SELECT i.id, n.number, i.platform, i.author, i.text FROM report_ideas i"
            " JOIN report_idea_numbers n ON n.idea_id = i.id WHERE i.session_id = ?"
            " ORDER BY n.number",
            (session_id,),
        )
        return [
            NumberedIdea(int(r["id"]), int(r["number"]), r["platform"], r["author"], r["text"])
            for r in rows
        ]

    async def find(self, session_id: int, number: int) -> NumberedIdea | None:
        return next((i for i in await self.numbered(session_id) if i.number == number), None)

    async def champion(
        self, idea: NumberedIdea, platform: str, user: str, name: str, ts: datetime
    ) -> bool:
        known = await self.db.fetchone(
            "SELECT 1 FROM report_champions WHERE idea_id = ? AND platform = ? AND user = ?",
            (idea.id, platform, user),
        )
        if known is not None:
            return False
        await self.db.execute(
            "INSERT INTO report_champions (idea_id, platform, user, name, ts)"
            " VALUES (?, ?, ?, ?, ?)",
            (idea.id, platform, user, name, ts.isoformat()),
        )
        return True

    async def champions(self, idea_id: int) -> list[tuple[str, str, str]]:
        """(platform, user, name) of each champion, first first."""
        rows = await self.db.fetchall(
            "SELECT platform, user, name FROM report_champions WHERE idea_id = ? ORDER BY ts",
            (idea_id,),
        )
        return [(r["platform"], r["user"], r["name"]) for r in rows]

    async def update(
        self, idea: NumberedIdea, platform: str, author: str, name: str, text: str, ts: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO report_idea_updates (idea_id, platform, author, author_name, text, ts)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (idea.id, platform, author, name, text, ts.isoformat()),
        )

    # -- personal data (bot.forget.Forgettable) ---------------------------------

    async def recall(self, platform: str, user: str) -> Recall:
        rows = await self.db.fetchall(
            "SELECT author_name AS name, text FROM report_idea_updates"
            " WHERE platform = ? AND author = ?"
            " UNION ALL SELECT name, '' FROM report_champions WHERE platform = ? AND user = ?",
            (platform, user, platform, user),
        )
        phrases: set[str] = set()
        for r in rows:
            phrases |= phrases_of(r["text"])
        return Recall(frozenset(str(r["name"]) for r in rows if r["name"]), frozenset(phrases))

    async def forget(self, person: Person) -> Mapping[str, int]:
        """They stop championing; their updates go; others' updates lose their name."""
        removed = {
            "champions": await self.db.execute(
                "DELETE FROM report_champions WHERE platform = ? AND user = ?", person.key
            ),
            "idea_updates": await self.db.execute(
                "DELETE FROM report_idea_updates WHERE platform = ? AND author = ?", person.key
            ),
            "idea_updates_scrubbed": 0,
        }
        # numbers of ideas that are gone (the report's idea rows went with the person)
        await self.db.execute(
            "DELETE FROM report_idea_numbers WHERE idea_id NOT IN (SELECT id FROM report_ideas)"
        )
        await self.db.execute(
            "DELETE FROM report_champions WHERE idea_id NOT IN (SELECT id FROM report_ideas)"
        )
        await self.db.execute(
            "DELETE FROM report_idea_updates WHERE idea_id NOT IN (SELECT id FROM report_ideas)"
        )
        if person.searchable:
            for r in await self.db.fetchall("SELECT id, text FROM report_idea_updates"):
                clean = person.scrub(r["text"])
                if clean != r["text"]:
                    await self.db.execute(
                        "UPDATE report_idea_updates SET text = ? WHERE id = ?", (clean, r["id"])
                    )
                    removed["idea_updates_scrubbed"] += 1
        return removed


async def ideas_of(db: Database, session_id: int) -> list[IdeaRow]:
    """The event's ideas with numbers, champions and updates, oldest first."""
    if not await _exists(db, "report_ideas") or not await _exists(db, "report_idea_numbers"):
        return []
    store = ChampionStore(db)
    out: list[IdeaRow] = []
    for idea in await store.numbered(session_id):
        author = await db.fetchone("SELECT author_name FROM report_ideas WHERE id = ?", (idea.id,))
        updates = await db.fetchall(
            "SELECT platform, author, author_name, text, ts FROM report_idea_updates"
            " WHERE idea_id = ? ORDER BY id",
            (idea.id,),
        )
        out.append(
            IdeaRow(
                number=idea.number,
                text=idea.text,
                author=(idea.platform, idea.author),
                author_name=str(author["author_name"]) if author else "",
                champions=tuple(((p, u), n) for p, u, n in await store.champions(idea.id)),
                updates=tuple(
                    IdeaUpdate(
                        (u["platform"], u["author"]),
                        u["author_name"],
                        u["text"],
                        datetime.fromisoformat(u["ts"]),
                    )
                    for u in updates
                ),
            )
        )
    return out


class IdeaList:
    """The report's export ``"ideas"`` (:class:`bot.exports.IdeaExport`)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_session(self, session_id: int) -> list[IdeaRow]:
        return await ideas_of(self._db, session_id)
