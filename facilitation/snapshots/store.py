"""The snapshots tables: documents, passages, posted snapshots and what followed them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from bot.forget import Person, Recall
from bot.store import Database
from bot.store.db import Row

__all__ = ["SNAPSHOT_MIGRATIONS", "PostRow", "SnapshotStore", "StoredPassage"]

SNAPSHOT_MIGRATIONS = [
    """
    CREATE TABLE snapshot_documents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        corpus TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT,
        model TEXT,
        ingested_at TEXT NOT NULL,
        UNIQUE (corpus, path)
    );
    CREATE TABLE snapshot_passages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL REFERENCES snapshot_documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        heading TEXT NOT NULL,
        page INTEGER,
        text TEXT NOT NULL,
        embedding BLOB
    );
    CREATE INDEX snapshot_passages_document ON snapshot_passages (document_id);
    CREATE TABLE snapshot_posts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER,
        passage_id INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        state TEXT NOT NULL,
        score REAL,
        passage_text TEXT NOT NULL,
        source TEXT NOT NULL,
        url TEXT,
        said TEXT NOT NULL,
        place TEXT NOT NULL,
        thread TEXT,
        asked_by TEXT,
        decided_by TEXT,
        created_at TEXT NOT NULL,
        posted_at TEXT,
        message_ids TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX snapshot_posts_session ON snapshot_posts (session_id);
    CREATE TABLE snapshot_effects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        post_id INTEGER NOT NULL REFERENCES snapshot_posts (id),
        kind TEXT NOT NULL,
        message_id TEXT NOT NULL,
        author TEXT NOT NULL,
        ts TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        UNIQUE (post_id, kind, message_id, author, detail)
    );
    """,
    # passage kinds (text, table, references, note) and the parser a document was read by
    """
    ALTER TABLE snapshot_passages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
    ALTER TABLE snapshot_documents ADD COLUMN parser INTEGER NOT NULL DEFAULT 0;
    """,
    # each conversation window's messages (ids only: their words are in the log), so
    # a restart rebuilds the windows and offers a snapshot when a clean run would
    """
    CREATE TABLE snapshot_windows (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL,
        thread TEXT NOT NULL,
        platform TEXT NOT NULL,
        message_id TEXT NOT NULL
    );
    CREATE INDEX snapshot_windows_session ON snapshot_windows (session_id, thread, id);
    """,
]

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StoredPassage:
    """A passage with its document's title, link and file."""

    id: int
    corpus: str
    title: str
    url: str | None
    path: str
    heading: str
    page: int | None
    text: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class PostRow:
    id: int
    session_id: int | None
    passage_id: int
    trigger: str
    state: str
    passage_text: str
    source: str
    url: str | None
    said: str
    place: str
    thread: str | None
    asked_by: str | None
    created_at: datetime
    posted_at: datetime | None
    message_ids: tuple[str, ...]


def _post(r: Row) -> PostRow:
    return PostRow(
        id=r["id"],
        session_id=r["session_id"],
        passage_id=r["passage_id"],
        trigger=r["trigger"],
        state=r["state"],
        passage_text=r["passage_text"],
        source=r["source"],
        url=r["url"],
        said=r["said"],
        place=r["place"],
        thread=r["thread"],
        asked_by=r["asked_by"],
        created_at=datetime.fromisoformat(r["created_at"]),
        posted_at=datetime.fromisoformat(r["posted_at"]) if r["posted_at"] else None,
        message_ids=tuple(json.loads(r["message_ids"])),
    )


class SnapshotStore:
    """Reads and writes the snapshots tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def setup(self) -> None:
        await self.db.migrate("snapshots", SNAPSHOT_MIGRATIONS)

    # conversation windows

    async def window_add(
        self, session_id: int, thread: str | None, platform: str, message_id: str, size: int
    ) -> None:
        """Add a message to a window that keeps its last ``size``."""
        key = thread or ""
        await self.db.execute(
            "INSERT INTO snapshot_windows (session_id, thread, platform, message_id)"
            " VALUES (?, ?, ?, ?)",
            (session_id, key, platform, message_id),
        )
        await self.db.execute(
            "DELETE FROM snapshot_windows WHERE session_id = ? AND thread = ? AND id NOT IN"
            " (SELECT id FROM snapshot_windows WHERE session_id = ? AND thread = ?"
            " ORDER BY id DESC LIMIT ?)",
            (session_id, key, session_id, key, size),
        )

    async def window_clear(self, session_id: int, thread: str | None) -> None:
        await self.db.execute(
            "DELETE FROM snapshot_windows WHERE session_id = ? AND thread = ?",
            (session_id, thread or ""),
        )

    async def windows(self, session_id: int) -> dict[str | None, list[tuple[str, str, str]]]:
        """Each window's messages, oldest first: (platform, message id, text from the log).

        A message the log no longer has words for (someone opted out, retention)
        is left out.
        """
        rows = await self.db.fetchall(
            "SELECT w.thread, w.platform, w.message_id, e.text FROM snapshot_windows w"
            " JOIN events e ON e.platform = w.platform AND e.message_id = w.message_id"
            " AND e.kind = 'MessagePosted'"
            " WHERE w.session_id = ? AND e.text IS NOT NULL ORDER BY w.id",
            (session_id,),
        )
        out: dict[str | None, list[tuple[str, str, str]]] = {}
        for r in rows:
            out.setdefault(r["thread"] or None, []).append(
                (r["platform"], r["message_id"], r["text"])
            )
        return out

    async def end_windows(self, session_id: int) -> None:
        await self.db.execute("DELETE FROM snapshot_windows WHERE session_id = ?", (session_id,))

    # personal data (bot.forget.Forgettable): who asked, decided, reacted

    name = "snapshots"

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()

    async def forget(self, person: Person) -> Mapping[str, int]:
        platform, user = person.key
        place = f"{platform}:%"
        removed: dict[str, int] = {}
        async with self.db.transaction():
            removed["effects"] = await self.db.execute(
                "DELETE FROM snapshot_effects WHERE author = ? AND post_id IN"
                " (SELECT id FROM snapshot_posts WHERE place LIKE ?)",
                (user, place),
            )
            removed["requests"] = await self.db.execute(
                "UPDATE snapshot_posts SET asked_by = NULL WHERE asked_by = ? AND place LIKE ?",
                (user, place),
            )
            await self.db.execute(
                "UPDATE snapshot_posts SET decided_by = NULL WHERE decided_by = ? AND place LIKE ?",
                (user, place),
            )
            removed["posts_scrubbed"] = 0
            if person.searchable:
                for r in await self.db.fetchall("SELECT id, said FROM snapshot_posts"):
                    clean = person.scrub(r["said"])
                    if clean != r["said"]:
                        await self.db.execute(
                            "UPDATE snapshot_posts SET said = ? WHERE id = ?", (clean, r["id"])
                        )
                        removed["posts_scrubbed"] += 1
        return removed

    # documents and passages

    async def document(self, corpus: str, path: str) -> tuple[int, str, str | None, int] | None:
        """(id, sha256, model, parser version) of a stored document, if any."""
        row = await self.db.fetchone(
            "SELECT id, sha256, model, parser FROM snapshot_documents"
            " WHERE corpus = ? AND path = ?",
            (corpus, path),
        )
        return (row["id"], row["sha256"], row["model"], row["parser"]) if row else None

    async def documents(self, corpus: str) -> list[tuple[int, str]]:
        rows = await self.db.fetchall(
            "SELECT id, path FROM snapshot_documents WHERE corpus = ? ORDER BY id", (corpus,)
        )
        return [(r["id"], r["path"]) for r in rows]

    async def corpora(self) -> list[str]:
        rows = await self.db.fetchall("SELECT DISTINCT corpus FROM snapshot_documents")
        return sorted(r["corpus"] for r in rows)

    async def replace_document(
        self,
        *,
        corpus: str,
        path: str,
        sha256: str,
        kind: str,
        title: str,
        url: str | None,
        model: str | None,
        ingested_at: datetime,
        passages: Sequence[tuple[int, str, int | None, str, str]],
        vectors: Vectors | None,
        parser: int = 0,
    ) -> int:
        """Store a document and its passages, replacing an earlier version in one go."""
        async with self.db.transaction():
            await self.db.execute(
                "DELETE FROM snapshot_documents WHERE corpus = ? AND path = ?", (corpus, path)
            )
            doc_id = await self.db.execute(
                "INSERT INTO snapshot_documents"
                " (corpus, path, sha256, kind, title, url, model, ingested_at, parser)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (corpus, path, sha256, kind, title, url, model, ingested_at.isoformat(), parser),
            )
            rows = [
                (
                    doc_id,
                    ordinal,
                    heading,
                    page,
                    text,
                    None if vectors is None else vectors[i].astype(np.float32).tobytes(),
                    passage_kind,
                )
                for i, (ordinal, heading, page, text, passage_kind) in enumerate(passages)
            ]
            await self.db.executemany(
                "INSERT INTO snapshot_passages"
                " (document_id, ordinal, heading, page, text, embedding, kind)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return doc_id

    async def remove_document(self, doc_id: int) -> None:
        await self.db.execute("DELETE FROM snapshot_documents WHERE id = ?", (doc_id,))

    async def passages(self, corpus: str) -> tuple[list[StoredPassage], Vectors | None]:
        """Every passage of ``corpus`` and its embeddings (``None`` when any is missing)."""
        rows = await self.db.fetchall(
            "SELECT p.id, p.heading, p.page, p.text, p.kind, p.embedding, d.title, d.url, d.path"
            " FROM snapshot_passages p JOIN snapshot_documents d ON d.id = p.document_id"
            " WHERE d.corpus = ? ORDER BY p.id",
            (corpus,),
        )
        passages = [
            StoredPassage(
                r["id"],
                corpus,
                r["title"],
                r["url"],
                r["path"],
                r["heading"],
                r["page"],
                r["text"],
                r["kind"],
            )
            for r in rows
        ]
        blobs = [r["embedding"] for r in rows]
        if not blobs or any(b is None for b in blobs):
            return passages, None
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
        return passages, vectors.copy()

    # posts

    async def add_post(
        self,
        *,
        session_id: int | None,
        passage_id: int,
        trigger: str,
        state: str,
        score: float | None,
        passage_text: str,
        source: str,
        url: str | None,
        said: str,
        place: str,
        thread: str | None,
        asked_by: str | None,
        created_at: datetime,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO snapshot_posts (session_id, passage_id, trigger, state, score,"
            " passage_text, source, url, said, place, thread, asked_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                passage_id,
                trigger,
                state,
                score,
                passage_text,
                source,
                url,
                said,
                place,
                thread,
                asked_by,
                created_at.isoformat(),
            ),
        )

    async def mark_posted(self, post_id: int, when: datetime, message_ids: Sequence[str]) -> None:
        await self.db.execute(
            "UPDATE snapshot_posts SET state = 'posted', posted_at = ?, message_ids = ?"
            " WHERE id = ?",
            (when.isoformat(), json.dumps(list(message_ids)), post_id),
        )

    async def decide(self, post_id: int, state: str, by: str) -> None:
        await self.db.execute(
            "UPDATE snapshot_posts SET state = ?, decided_by = ? WHERE id = ?",
            (state, by, post_id),
        )

    async def post(self, post_id: int) -> PostRow | None:
        row = await self.db.fetchone("SELECT * FROM snapshot_posts WHERE id = ?", (post_id,))
        return _post(row) if row else None

    async def posts(self, session_id: int) -> list[PostRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM snapshot_posts WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [_post(r) for r in rows]

    # effects

    async def add_effect(
        self, post_id: int, kind: str, message_id: str, author: str, ts: datetime, detail: str = ""
    ) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO snapshot_effects (post_id, kind, message_id, author, ts, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (post_id, kind, message_id, author, ts.isoformat(), detail),
        )
