"""Keyword search over a corpus's passages: SQLite FTS5 with BM25, in memory.

Passages are indexed as their search terms (:func:`keywords.terms`: stemmed
content words and whole numbers, so "412,000" and "2.4" are one token each)
in three columns, the document title, the section path and the text, with
the section path weighted most: a question naming a section's subject finds
its passages even where the text never repeats the name.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Sequence

from facilitation.snapshots.keywords import terms
from facilitation.snapshots.store import StoredPassage

__all__ = ["SENTENCE_MARK", "KeywordIndex", "body_terms"]

# BM25 column weights: title, section path, text
WEIGHTS = (0.5, 2.0, 1.0)
COMMON = 0.05  # a word in more than this share (and 2,000) of passages is not looked up...
MAX_TERMS = 8  # ...and at most this many of the rarest words are


def _doc(text: str) -> str:
    return " ".join(terms(text))


_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+(?=\S)")
SENTENCE_MARK = "|"  # between sentences in ``body_terms`` (FTS5's tokenizer drops it)


def body_terms(text: str) -> str:
    """A passage's terms, space-joined, with ``SENTENCE_MARK`` between its sentences."""
    return f" {SENTENCE_MARK} ".join(" ".join(terms(s)) for s in _SENTENCE_END_RE.split(text))


class KeywordIndex:
    """BM25 ranking of passages for a query's terms; row numbers follow ``passages``."""

    def __init__(self, passages: Sequence[StoredPassage]) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(title, heading, body,"
            " tokenize = \"unicode61 tokenchars '.-'\")"
        )
        self.df: Counter[str] = Counter()
        # each passage's terms by sentence: the reranker splits them instead of re-tokenising
        self.body_terms: list[str] = []
        rows = []
        for i, p in enumerate(passages):
            body = body_terms(p.text)
            self.df.update(set(body.split()) - {SENTENCE_MARK})
            self.body_terms.append(body)
            rows.append((i, _doc(p.title), _doc(p.heading), body))
        self._db.executemany("INSERT INTO fts (rowid, title, heading, body) VALUES (?,?,?,?)", rows)
        self._db.commit()
        self.n = len(passages)

    def search(self, query_terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """(row, BM25 score, higher is better) of up to ``limit`` passages sharing a term."""
        unique = list(dict.fromkeys(t for t in query_terms if t))
        if not unique or not self.n:
            return []
        # Words in a large share of the passages rank almost nothing but cost a score for
        # every passage holding them: look up the rarest few (the reranker still sees all).
        unique.sort(key=lambda t: self.df.get(t, 0))
        rare = [t for t in unique if self.df.get(t, 0) <= max(COMMON * self.n, 2_000)]
        unique = (rare or unique[:2])[:MAX_TERMS]
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in unique)
        w = ", ".join(str(x) for x in WEIGHTS)
        with self._lock:
            found = self._db.execute(
                f"SELECT rowid, -bm25(fts, {w}) FROM fts WHERE fts MATCH ?"
                f" ORDER BY bm25(fts, {w}) LIMIT ?",
                (match, limit),
            ).fetchall()
        return [(int(r), float(s)) for r, s in found]

    def close(self) -> None:
        self._db.close()
