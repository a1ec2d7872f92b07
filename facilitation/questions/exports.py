"""The question queue's export: an event's questions, for the ledger, report and threads.

Declared in the plugin spec as ``"questions"`` (:class:`bot.exports.QuestionExport`).
The tables are read as they are, whatever migration they have reached (an export
may read an old database before the module ever ran on it): optional tables and
columns are looked up first, and a store that never held a queue answers ``None``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.exports import Question
from bot.store import Database, table_columns, table_exists

__all__ = ["QuestionExports", "QuestionTables"]

_NOT_ASKED = ("rejected", "withdrawn", "deleted")


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass
class QuestionTables:
    """The question queue's tables, read for others (:class:`bot.exports.QuestionExport`).

    Read: ``questions`` (id, session_id, number, platform, asker, anonymous,
    text, state, merged_into, asked_at, first_answer_at, answered_at,
    message_id), ``question_votes`` (question_id, platform, voter) and
    ``question_answers`` (question_id, message_id, author). Optional columns and
    tables are looked up first, so an older or newer schema degrades gracefully.
    """

    db: Database
    cols: set[str]
    has_votes: bool
    has_answers: bool

    @classmethod
    async def detect(cls, db: Database) -> QuestionTables | None:
        if not await table_exists(db, "questions"):
            return None
        cols = set(await table_columns(db, "questions"))
        if not {"id", "session_id", "platform", "asker", "state", "asked_at"} <= cols:
            return None
        return cls(
            db,
            cols,
            await table_exists(db, "question_votes"),
            await table_exists(db, "question_answers"),
        )

    async def for_session(self, session_id: int) -> list[Question]:
        """Every question row of the event; anonymous ones are attributed to nobody."""
        rows = await self.db.fetchall(
            "SELECT * FROM questions WHERE session_id = ? ORDER BY id", (session_id,)
        )
        ids = [int(r["id"]) for r in rows]
        votes: Counter[int] = Counter()
        answers: dict[int, list[str]] = {}
        if ids and self.has_votes:
            for v in await self.db.fetchall(
                "SELECT question_id, COUNT(*) AS n FROM question_votes WHERE question_id IN"
                " (SELECT id FROM questions WHERE session_id = ?) GROUP BY question_id",
                (session_id,),
            ):
                votes[int(v["question_id"])] = int(v["n"])
        texts: dict[int, list[tuple[str, str, str]]] = {}
        if ids and self.has_answers:
            acols = set(await table_columns(self.db, "question_answers"))
            for a in await self.db.fetchall(
                "SELECT * FROM question_answers WHERE question_id IN"
                " (SELECT id FROM questions WHERE session_id = ?) ORDER BY id",
                (session_id,),
            ):
                if a["message_id"]:
                    answers.setdefault(int(a["question_id"]), []).append(str(a["message_id"]))
                if "text" in acols and a["text"]:
                    name = str(a["author_name"]) if "author_name" in acols else ""
                    texts.setdefault(int(a["question_id"]), []).append(
                        (str(a["message_id"] or ""), name, str(a["text"]))
                    )
        numbers = {
            int(r["id"]): str(r["number"]) if "number" in self.cols else str(r["id"]) for r in rows
        }
        first_answer = "first_answer_at" if "first_answer_at" in self.cols else "answered_at"
        out = []
        for r in rows:
            anonymous = bool(r["anonymous"]) if "anonymous" in self.cols else False
            qid = int(r["id"])
            merged = r["merged_into"] if "merged_into" in self.cols else None
            out.append(
                Question(
                    id=str(r["number"]) if "number" in self.cols else str(qid),
                    platform=str(r["platform"]),
                    asker=None if anonymous or not r["asker"] else (r["platform"], r["asker"]),
                    text=r["text"] if "text" in self.cols else None,
                    asked_at=_dt(r["asked_at"]),
                    answered_at=_dt(r[first_answer]) if first_answer in self.cols else None,
                    votes=votes.get(qid, 0),
                    state=str(r["state"]),
                    message_id=r["message_id"] if "message_id" in self.cols else None,
                    answer_ids=tuple(answers.get(qid, ())),
                    merged_into=None if merged is None else numbers.get(int(merged), str(merged)),
                    recorded_answers=tuple(texts.get(qid, ())),
                    answered_by=r["answered_by"] if "answered_by" in self.cols else None,
                    counted=r["state"] not in (*_NOT_ASKED, "merged"),
                    asked=r["state"] not in _NOT_ASKED,
                )
            )
        return out


class QuestionExports:
    """:class:`bot.exports.QuestionExport` over the queue's tables (found on first use)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._tables: QuestionTables | None = None

    async def for_session(self, session_id: int) -> list[Question] | None:
        if self._tables is None:
            self._tables = await QuestionTables.detect(self._db)
        if self._tables is None:
            return None
        return await self._tables.for_session(session_id)

    async def asked_by(self, platform: str, user: str) -> list[dict[str, Any]]:
        if not await table_exists(self._db, "questions"):
            return []
        rows = await self._db.fetchall(
            "SELECT * FROM questions WHERE asker = ? AND platform = ? ORDER BY id", (user, platform)
        )
        return [{k: q[k] for k in q.keys()} for q in rows]  # noqa: SIM118 (sqlite Row)
