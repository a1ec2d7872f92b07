"""The question queue's tables: the whole queue state lives here, so a restart loses nothing.

A merge keeps both rows: the merged question points at the one it joined
(``merged_into``), so its asker is credited on the tally and ``/split`` can undo
it. Every message that stands for a question (the asker's message, the bot's
post of an anonymous question, a co-asker's message) is mapped to it, so a
reaction or a reply to any of them counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from bot.forget import Person, Recall, phrases_of
from bot.store.db import Database, Row

__all__ = ["QUESTION_MIGRATIONS", "Question", "QuestionStore", "States"]

QUESTION_MIGRATIONS = [
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        platform TEXT NOT NULL,
        community TEXT NOT NULL,
        channel TEXT NOT NULL,
        thread TEXT,
        asker TEXT,
        asker_name TEXT NOT NULL DEFAULT '',
        anonymous INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL,
        original_text TEXT NOT NULL,
        message_id TEXT,
        source TEXT NOT NULL,
        state TEXT NOT NULL,
        pinned INTEGER NOT NULL DEFAULT 0,
        merged_into INTEGER REFERENCES questions (id),
        reject_reason TEXT,
        asked_at TEXT NOT NULL,
        first_answer_at TEXT,
        answered_at TEXT,
        UNIQUE (session_id, number)
    );
    CREATE INDEX questions_asker ON questions (session_id, platform, asker);
    CREATE TABLE question_messages (
        platform TEXT NOT NULL,
        message_id TEXT NOT NULL,
        question_id INTEGER NOT NULL REFERENCES questions (id),
        kind TEXT NOT NULL,
        PRIMARY KEY (platform, message_id)
    );
    CREATE TABLE question_votes (
        question_id INTEGER NOT NULL REFERENCES questions (id),
        platform TEXT NOT NULL,
        voter TEXT NOT NULL,
        via TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (question_id, platform, voter)
    );
    CREATE TABLE question_answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        question_id INTEGER NOT NULL REFERENCES questions (id),
        platform TEXT NOT NULL,
        message_id TEXT,
        author TEXT NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        ts TEXT NOT NULL
    );
    """,
    # who answered (panel or room); merges suggested to moderators below the
    # confident threshold; the messages of a question (a second half, an edit).
    """
    ALTER TABLE questions ADD COLUMN answered_by TEXT;
    ALTER TABLE question_answers ADD COLUMN answerer TEXT NOT NULL DEFAULT 'panel';
    CREATE TABLE question_suggestions (
        question_id INTEGER NOT NULL REFERENCES questions (id),
        into_id INTEGER NOT NULL REFERENCES questions (id),
        score REAL NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (question_id, into_id)
    );
    """,
]


class States:
    PENDING, OPEN, NOW, ANSWERED = "pending", "open", "now", "answered"
    REJECTED, WITHDRAWN, MERGED = "rejected", "withdrawn", "merged"
    DELETED = "deleted"  # the asker deleted the message
    GONE = frozenset({REJECTED, WITHDRAWN, DELETED})
    QUEUED = frozenset({OPEN, NOW})  # in the queue, taking votes
    LIVE = frozenset({PENDING, OPEN, NOW})  # can absorb duplicates


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    session_id: int
    number: int
    platform: str
    community: str
    channel: str
    thread: str | None
    asker: str | None
    asker_name: str
    anonymous: bool
    text: str
    original_text: str
    message_id: str | None
    source: str
    state: str
    pinned: bool
    merged_into: int | None
    reject_reason: str | None
    asked_at: datetime
    first_answer_at: datetime | None
    answered_at: datetime | None
    answered_by: str | None = None  # "panel" or "room"

    @classmethod
    def from_row(cls, row: Row) -> Question:
        values: dict[str, Any] = {f.name: row[f.name] for f in fields(cls)}
        for key in ("asked_at", "first_answer_at", "answered_at"):
            values[key] = datetime.fromisoformat(values[key]) if values[key] else None
        values["anonymous"] = bool(values["anonymous"])
        values["pinned"] = bool(values["pinned"])
        return cls(**values)

    @property
    def voice(self) -> tuple[str, str]:
        """Who this row counts as: the asker, or the row itself when nobody is known."""
        return (self.platform, self.asker) if self.asker else ("#row", str(self.id))


class QuestionStore:
    """Reads and writes the queue; keeps the message-to-question map in memory too."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._messages: dict[tuple[str, str], int] = {}

    async def setup(self) -> None:
        await self._db.migrate("questions", QUESTION_MIGRATIONS)
        rows = await self._db.fetchall(
            "SELECT platform, message_id, question_id FROM question_messages"
        )
        self._messages = {(r["platform"], r["message_id"]): r["question_id"] for r in rows}

    # -- questions ------------------------------------------------------------

    async def add(self, q: dict[str, Any], kind: str = "asked") -> Question:
        """Insert a question (numbered next in its session) and map its message."""
        async with self._db.transaction():
            row = await self._db.fetchone(
                "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM questions WHERE session_id = ?",
                (q["session_id"],),
            )
            number = int(row["n"]) if row else 1
            cols = ["number", *q]
            qid = await self._db.execute(
                f"INSERT INTO questions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                (number, *q.values()),
            )
            if q.get("message_id"):
                await self.map_message(q["platform"], q["message_id"], qid, kind)
        found = await self.by_id(qid)
        assert found is not None
        return found

    async def by_id(self, qid: int) -> Question | None:
        row = await self._db.fetchone("SELECT * FROM questions WHERE id = ?", (qid,))
        return Question.from_row(row) if row else None

    async def get(self, session_id: int, number: int) -> Question | None:
        row = await self._db.fetchone(
            "SELECT * FROM questions WHERE session_id = ? AND number = ?", (session_id, number)
        )
        return Question.from_row(row) if row else None

    async def in_session(self, session_id: int) -> list[Question]:
        rows = await self._db.fetchall(
            "SELECT * FROM questions WHERE session_id = ? ORDER BY number", (session_id,)
        )
        return [Question.from_row(r) for r in rows]

    async def root(self, q: Question) -> Question:
        """The question ``q`` was merged into (itself when not merged)."""
        seen = {q.id}
        while q.merged_into is not None and q.merged_into not in seen:
            parent = await self.by_id(q.merged_into)
            if parent is None:
                break
            seen.add(parent.id)
            q = parent
        return q

    async def group(self, root: Question) -> list[Question]:
        """``root`` and every question merged into it."""
        rows = await self._db.fetchall(
            "SELECT * FROM questions WHERE merged_into = ? ORDER BY number", (root.id,)
        )
        return [root, *(Question.from_row(r) for r in rows)]

    async def update(self, qid: int, **values: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        params = [v.isoformat() if isinstance(v, datetime) else v for v in values.values()]
        await self._db.execute(f"UPDATE questions SET {sets} WHERE id = ?", (*params, qid))

    async def merge(self, qid: int, into: int) -> None:
        """Merge ``qid`` (and whatever was merged into it) into ``into``."""
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE questions SET merged_into = ? WHERE merged_into = ?", (into, qid)
            )
            await self._db.execute(
                "UPDATE questions SET merged_into = ?, state = 'merged', pinned = 0 WHERE id = ?",
                (into, qid),
            )

    async def count_recent(
        self, session_id: int, platform: str, asker: str, since: datetime
    ) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM questions WHERE session_id = ? AND platform = ?"
            " AND asker = ? AND asked_at >= ?",
            (session_id, platform, asker, since.isoformat()),
        )
        return int(row["n"]) if row else 0

    async def answered_voices(self, session_id: int) -> set[tuple[str, str]]:
        """Askers who have had a question answered in this session."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT q.platform, q.asker FROM questions q"
            " LEFT JOIN questions r ON q.merged_into = r.id"
            " WHERE q.session_id = ? AND q.asker IS NOT NULL"
            " AND (q.state = 'answered' OR r.state = 'answered')",
            (session_id,),
        )
        return {(r["platform"], r["asker"]) for r in rows}

    async def suggest(self, qid: int, into: int, score: float, ts: datetime) -> None:
        """Remember that ``qid`` may be a duplicate of ``into`` (moderators decide)."""
        await self._db.execute(
            "INSERT OR REPLACE INTO question_suggestions (question_id, into_id, score, ts)"
            " VALUES (?, ?, ?, ?)",
            (qid, into, score, ts.isoformat()),
        )

    async def suggestions(self, session_id: int) -> list[tuple[Question, Question]]:
        """Suggested merges still open: both questions in the queue, not merged since."""
        rows = await self._db.fetchall(
            "SELECT s.question_id, s.into_id FROM question_suggestions s"
            " JOIN questions q ON q.id = s.question_id WHERE q.session_id = ? ORDER BY s.ts",
            (session_id,),
        )
        out = []
        for r in rows:
            a, b = await self.by_id(int(r["question_id"])), await self.by_id(int(r["into_id"]))
            if (
                a
                and b
                and a.merged_into is None
                and a.state in States.QUEUED
                and b.merged_into is None
                and b.state not in States.GONE
            ):
                out.append((a, b))
        return out

    # -- messages -------------------------------------------------------------

    async def map_message(self, platform: str, message_id: str, qid: int, kind: str) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO question_messages (platform, message_id, question_id, kind)"
            " VALUES (?, ?, ?, ?)",
            (platform, message_id, qid, kind),
        )
        self._messages[(platform, message_id)] = qid

    def question_of(self, platform: str, message_id: str | None) -> int | None:
        """The question a message stands for (no I/O: this runs on every reaction)."""
        if message_id is None:
            return None
        return self._messages.get((platform, message_id))

    # -- votes ----------------------------------------------------------------

    async def add_vote(self, qid: int, platform: str, voter: str, via: str, ts: datetime) -> bool:
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO question_votes (question_id, platform, voter, via, ts)"
            " VALUES (?, ?, ?, ?, ?)",
            (qid, platform, voter, via, ts.isoformat()),
        )
        return changed > 0

    async def remove_vote(self, qid: int, platform: str, voter: str, via: str) -> bool:
        changed = await self._db.execute(
            "DELETE FROM question_votes WHERE question_id = ? AND platform = ? AND voter = ?"
            " AND via = ?",
            (qid, platform, voter, via),
        )
        return changed > 0

    async def voters(self, qids: list[int]) -> set[tuple[str, str]]:
        marks = ", ".join("?" * len(qids))
        rows = await self._db.fetchall(
            f"SELECT platform, voter FROM question_votes WHERE question_id IN ({marks})", qids
        )
        return {(r["platform"], r["voter"]) for r in rows}

    # -- answers --------------------------------------------------------------

    async def votes_in_session(self, session_id: int) -> dict[int, set[tuple[str, str]]]:
        """Who voted for each question of an event (one query for the whole event)."""
        votes: dict[int, set[tuple[str, str]]] = {}
        for row in await self._db.fetchall(
            "SELECT v.question_id, v.platform, v.voter FROM question_votes v"
            " JOIN questions q ON q.id = v.question_id WHERE q.session_id = ?",
            (session_id,),
        ):
            votes.setdefault(int(row["question_id"]), set()).add((row["platform"], row["voter"]))
        return votes

    async def answer_counts(self, session_id: int) -> dict[int, int]:
        """How many answers each question of an event has (one query)."""
        rows = await self._db.fetchall(
            "SELECT a.question_id, COUNT(*) AS n FROM question_answers a"
            " JOIN questions q ON q.id = a.question_id WHERE q.session_id = ?"
            " GROUP BY a.question_id",
            (session_id,),
        )
        return {int(r["question_id"]): int(r["n"]) for r in rows}

    async def add_answer(
        self,
        q: Question,
        platform: str,
        message_id: str | None,
        author: str,
        name: str,
        text: str,
        ts: datetime,
        answerer: str = "panel",
    ) -> bool:
        """Link an answer; the first one marks the question answered and its time.

        ``answerer`` is ``panel`` or ``room``; a panel answer outranks the room's.
        Returns False when that message was already linked to ``q``.
        """
        async with self._db.transaction():
            if message_id is not None:
                row = await self._db.fetchone(
                    "SELECT 1 AS x FROM question_answers WHERE question_id = ? AND platform = ?"
                    " AND message_id = ?",
                    (q.id, platform, message_id),
                )
                if row is not None:
                    return False
            await self._db.execute(
                "INSERT INTO question_answers"
                " (question_id, platform, message_id, author, author_name, text, ts, answerer)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (q.id, platform, message_id, author, name, text, ts.isoformat(), answerer),
            )
            await self._db.execute(
                "UPDATE questions SET state = 'answered', pinned = 0,"
                " first_answer_at = COALESCE(first_answer_at, ?), answered_at = ?,"
                " answered_by = CASE WHEN ? = 'panel' OR answered_by IS NULL THEN ?"
                " ELSE answered_by END WHERE id = ?",
                (ts.isoformat(), ts.isoformat(), answerer, answerer, q.id),
            )
        return True

    async def last_panel_answer(
        self, session_id: int, platform: str, author: str
    ) -> tuple[int, datetime] | None:
        """The question this panellist's latest answer in the event went to, and when."""
        row = await self._db.fetchone(
            "SELECT a.question_id, a.ts FROM question_answers a"
            " JOIN questions q ON q.id = a.question_id"
            " WHERE q.session_id = ? AND a.platform = ? AND a.author = ? AND a.answerer = 'panel'"
            " ORDER BY a.id DESC LIMIT 1",
            (session_id, platform, author),
        )
        if row is None:
            return None
        return int(row["question_id"]), datetime.fromisoformat(row["ts"])

    # -- personal data (bot.forget.Forgettable) --------------------------------

    name = "questions"

    async def recall(self, platform: str, user: str) -> Recall:
        rows = await self._db.fetchall(
            "SELECT asker_name, text, original_text FROM questions"
            " WHERE platform = ? AND asker = ?",
            (platform, user),
        )
        answers = await self._db.fetchall(
            "SELECT author_name, text FROM question_answers WHERE platform = ? AND author = ?",
            (platform, user),
        )
        names = {str(r["asker_name"]) for r in rows} | {str(a["author_name"]) for a in answers}
        phrases: set[str] = set()
        for r in rows:
            phrases |= phrases_of(r["text"]) | phrases_of(r["original_text"])
        for a in answers:
            phrases |= phrases_of(a["text"])
        return Recall(frozenset(names - {""}), frozenset(phrases))

    async def forget(self, person: Person) -> Mapping[str, int]:
        """Their votes and answers go, and their questions (or only their name on them).

        A question others' duplicates were merged into stays, without a name,
        because it is their question too. Others' questions and answers are
        scrubbed of the person's name and words.
        """
        platform, user = person.key
        removed: dict[str, int] = {}
        async with self._db.transaction():
            removed["votes"] = await self._db.execute(
                "DELETE FROM question_votes WHERE platform = ? AND voter = ?", (platform, user)
            )
            removed["answers"] = await self._db.execute(
                "DELETE FROM question_answers WHERE platform = ? AND author = ?", (platform, user)
            )
            theirs = await self._db.fetchall(
                "SELECT id FROM questions WHERE platform = ? AND asker = ?", (platform, user)
            )
            ids = [int(r["id"]) for r in theirs]
            shared: set[int] = set()
            if ids:
                marks = ",".join("?" * len(ids))
                rows = await self._db.fetchall(
                    f"SELECT DISTINCT merged_into FROM questions WHERE merged_into IN ({marks})",
                    ids,
                )
                shared = {int(r["merged_into"]) for r in rows}
            drop = [] if person.keep_questions else [i for i in ids if i not in shared]
            keep = [i for i in ids if i not in drop]
            if keep:
                marks = ",".join("?" * len(keep))
                removed["questions_kept_anonymous"] = await self._db.execute(
                    "UPDATE questions SET asker = NULL, asker_name = '', anonymous = 1"
                    f" WHERE id IN ({marks})",
                    keep,
                )
            if drop:
                marks = ",".join("?" * len(drop))
                for table in ("question_votes", "question_answers", "question_messages"):
                    await self._db.execute(
                        f"DELETE FROM {table} WHERE question_id IN ({marks})", drop
                    )
                await self._db.execute(
                    f"DELETE FROM question_suggestions WHERE question_id IN ({marks})"
                    f" OR into_id IN ({marks})",
                    drop + drop,
                )
                removed["questions"] = await self._db.execute(
                    f"DELETE FROM questions WHERE id IN ({marks})", drop
                )
                self._messages = {k: v for k, v in self._messages.items() if v not in drop}
            removed["texts_scrubbed"] = await self._scrub(person, set(keep))
        return removed

    async def _scrub(self, person: Person, kept: set[int]) -> int:
        if not person.searchable:
            return 0
        changed = 0
        for q in await self._db.fetchall("SELECT id, text, original_text FROM questions"):
            if int(q["id"]) in kept:
                continue  # their own question, kept at their request
            text, original = person.scrub(q["text"]), person.scrub(q["original_text"])
            if (text, original) != (q["text"], q["original_text"]):
                await self._db.execute(
                    "UPDATE questions SET text = ?, original_text = ? WHERE id = ?",
                    (text, original, q["id"]),
                )
                changed += 1
        for a in await self._db.fetchall("SELECT id, text FROM question_answers"):
            clean = person.scrub(a["text"])
            if clean != a["text"]:
                await self._db.execute(
                    "UPDATE question_answers SET text = ? WHERE id = ?", (clean, a["id"])
                )
                changed += 1
        return changed

    async def answers(self, qid: int) -> list[Row]:
        return await self._db.fetchall(
            "SELECT * FROM question_answers WHERE question_id = ? ORDER BY id", (qid,)
        )
