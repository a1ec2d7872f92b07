"""Read-only views of other modules' tables: the question queue and snapshots.

Those modules are optional and own their schemas, so every table and column
is looked up before use (``sqlite_master`` and ``PRAGMA table_info``); an
export works without them and includes them when they are there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.sessions import Session
from bot.store import Database
from facilitation.ledger.data import Question
from facilitation.ledger.store import table_columns, table_exists

__all__ = ["QuestionTables", "snapshot_rows"]

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
    """The question queue's tables (``facilitation/questions/store.py``), read-only.

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

    async def for_session(self, session: Session) -> list[Question]:
        """Every question row of the event; anonymous ones are attributed to nobody."""
        rows = await self.db.fetchall(
            "SELECT * FROM questions WHERE session_id = ? ORDER BY id", (session.id,)
        )
        ids = [int(r["id"]) for r in rows]
        votes: Counter[int] = Counter()
        answers: dict[int, list[str]] = {}
        if ids and self.has_votes:
            for v in await self.db.fetchall(
                "SELECT question_id, COUNT(*) AS n FROM question_votes WHERE question_id IN"
                " (SELECT id FROM questions WHERE session_id = ?) GROUP BY question_id",
                (session.id,),
            ):
                votes[int(v["question_id"])] = int(v["n"])
        texts: dict[int, list[tuple[str, str, str]]] = {}
        if ids and self.has_answers:
            acols = set(await table_columns(self.db, "question_answers"))
            for a in await self.db.fetchall(
                "SELECT * FROM question_answers WHERE question_id IN"
                " (SELECT id FROM questions WHERE session_id = ?) ORDER BY id",
                (session.id,),
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


async def snapshot_rows(db: Database, session_id: int) -> list[dict[str, Any]] | None:
    """The research snapshots offered in an event, with what followed each (or ``None``)."""
    if not await table_exists(db, "snapshot_posts"):
        return None
    posts = await db.fetchall(
        "SELECT * FROM snapshot_posts WHERE session_id = ? ORDER BY id", (session_id,)
    )
    effects: dict[int, Counter[str]] = {}
    if posts and await table_exists(db, "snapshot_effects"):
        marks = ",".join("?" * len(posts))
        for r in await db.fetchall(
            f"SELECT post_id, kind, COUNT(*) AS n FROM snapshot_effects WHERE post_id IN ({marks})"
            " GROUP BY post_id, kind",
            [p["id"] for p in posts],
        ):
            effects.setdefault(int(r["post_id"]), Counter())[str(r["kind"])] = int(r["n"])
    out = []
    for p in posts:
        row = {k: p[k] for k in p.keys() if k != "embedding"}  # noqa: SIM118 (sqlite Row)
        row["effects"] = dict(effects.get(int(p["id"]), Counter()))
        out.append(row)
    return out
