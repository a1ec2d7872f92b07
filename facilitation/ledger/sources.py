"""Read-only views of other modules' tables: the question queue and snapshots.

Those modules are optional and own their schemas, so every table and column
is looked up before use (``sqlite_master`` and ``PRAGMA table_info``); an
export works without them and includes them when they are there.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.sessions import Session
from bot.store import Database
from facilitation.ledger.data import Question
from facilitation.ledger.store import PersonKey, table_columns, table_exists

__all__ = ["QuestionTables", "snapshot_rows"]

# candidates for each field, in order of preference
_Q_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "question_id"),
    "session": ("session_id",),
    "platform": ("platform",),
    "asker": ("asker", "author", "asked_by", "user"),
    "text": ("text", "question", "body"),
    "state": ("state", "status"),
    "asked_at": ("asked_at", "created_at", "ts"),
    "answered_at": ("answered_at",),
    "votes": ("votes", "vote_count", "upvotes"),
    "message_id": ("message_id",),
    "answers": ("answer_ids", "answer_message_ids", "answer_message_id", "answered_by_message"),
    "anonymous": ("anonymous", "is_anonymous"),
}
_V_FIELDS: dict[str, tuple[str, ...]] = {
    "question": ("question_id",),
    "platform": ("platform",),
    "voter": ("voter", "user", "author"),
}


def _pick(columns: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {
        name: next(c for c in options if c in columns)
        for name, options in fields.items()
        if any(c in columns for c in options)
    }


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _ids(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    text = str(value)
    if text.startswith("["):
        return tuple(str(v) for v in json.loads(text))
    return (text,)


@dataclass
class QuestionTables:
    """The question queue's tables, as far as the ledger needs them.

    Assumed shape (checked column by column): a ``questions`` table with a
    session id, platform, asker, text, state, asked/answered times and answer
    message ids, and a ``question_votes`` table of (question id, platform, voter).
    """

    db: Database
    table: str
    cols: dict[str, str]
    votes_table: str | None
    vcols: dict[str, str]

    @classmethod
    async def detect(cls, db: Database) -> QuestionTables | None:
        if not await table_exists(db, "questions"):
            return None
        cols = _pick(await table_columns(db, "questions"), _Q_FIELDS)
        if not {"id", "session"} <= cols.keys():
            return None
        votes_table = None
        vcols: dict[str, str] = {}
        for name in ("question_votes", "votes"):
            if await table_exists(db, name):
                picked = _pick(await table_columns(db, name), _V_FIELDS)
                if {"question", "voter"} <= picked.keys():
                    votes_table, vcols = name, picked
                    break
        return cls(db, "questions", cols, votes_table, vcols)

    async def _vote_counts(self) -> Counter[str]:
        if self.votes_table is None:
            return Counter()
        rows = await self.db.fetchall(
            f"SELECT {self.vcols['question']} AS q, COUNT(*) AS n FROM {self.votes_table}"
            f" GROUP BY {self.vcols['question']}"
        )
        return Counter({str(r["q"]): int(r["n"]) for r in rows})

    async def for_session(self, session: Session) -> list[Question]:
        c = self.cols
        rows = await self.db.fetchall(
            f"SELECT * FROM {self.table} WHERE {c['session']} = ? ORDER BY {c['id']}",
            (session.id,),
        )
        votes = await self._vote_counts() if "votes" not in c else Counter()
        default_platform = next(iter(sorted(session.platforms)), "")
        out = []
        for r in rows:

            def get(name: str, row: Any = r) -> Any:
                return row[c[name]] if name in c else None

            platform = str(get("platform") or default_platform)
            asker = get("asker")
            anonymous = bool(get("anonymous"))
            out.append(
                Question(
                    id=str(get("id")),
                    platform=platform,
                    asker=None if anonymous or not asker else (platform, str(asker)),
                    text=get("text"),
                    asked_at=_dt(get("asked_at")),
                    answered_at=_dt(get("answered_at")),
                    votes=int(get("votes") or votes.get(str(get("id")), 0)),
                    state=str(get("state") or ""),
                    message_id=get("message_id"),
                    answer_ids=_ids(get("answers")),
                )
            )
        return out

    async def forget(self, who: PersonKey, *, keep_questions: bool) -> dict[str, int]:
        """Remove a person's votes, and their questions (or just their name on them)."""
        platform, user = who
        removed: dict[str, int] = {}
        if self.votes_table is not None:
            where = f"{self.vcols['voter']} = ?"
            params: tuple[str, ...] = (user,)
            if "platform" in self.vcols:
                where += f" AND {self.vcols['platform']} = ?"
                params = (user, platform)
            removed["votes"] = await self.db.execute(
                f"DELETE FROM {self.votes_table} WHERE {where}", params
            )
        if "asker" not in self.cols:
            return removed
        where = f"{self.cols['asker']} = ?"
        params = (user,)
        if "platform" in self.cols:
            where += f" AND {self.cols['platform']} = ?"
            params = (user, platform)
        if keep_questions:
            sets = f"{self.cols['asker']} = NULL"
            if "anonymous" in self.cols:
                sets += f", {self.cols['anonymous']} = 1"
            removed["questions_made_anonymous"] = await self.db.execute(
                f"UPDATE {self.table} SET {sets} WHERE {where}", params
            )
        else:
            ids = await self.db.fetchall(f"SELECT {self.cols['id']} AS id FROM {self.table} WHERE {where}", params)
            if self.votes_table is not None and ids:
                marks = ",".join("?" * len(ids))
                await self.db.execute(
                    f"DELETE FROM {self.votes_table} WHERE {self.vcols['question']} IN ({marks})",
                    [r["id"] for r in ids],
                )
            removed["questions"] = await self.db.execute(
                f"DELETE FROM {self.table} WHERE {where}", params
            )
        return removed


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
