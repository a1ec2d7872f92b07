"""Retrieval over a corpus's passages: cosine over normalised embeddings, keywords on top.

Small corpora are searched exactly (one matrix-vector product). Past
``exact_limit`` passages a coarse index (spherical k-means lists, as in IVF)
keeps the latency flat: only the lists nearest the query are scored. Keyword
boosting re-ranks the best candidates by shared rare words.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from facilitation.snapshots.keywords import KeywordScorer, content_words
from facilitation.snapshots.store import StoredPassage

__all__ = ["CoarseIndex", "Hit", "PassageIndex"]

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Hit:
    passage: StoredPassage
    score: float
    cosine: float
    keywords: float


class CoarseIndex:
    """Spherical k-means lists over normalised rows; ``search`` scores ``nprobe`` lists.

    Rows are stored list by list, so each probed list is one contiguous slice.
    """

    def __init__(
        self,
        vectors: Vectors,
        *,
        n_lists: int | None = None,
        nprobe: int | None = None,
        iterations: int = 8,
        seed: int = 0,
    ) -> None:
        n = len(vectors)
        self.n_lists = n_lists or max(1, round(math.sqrt(n)))
        self.nprobe = min(self.n_lists, nprobe or max(8, self.n_lists // 10))
        rng = np.random.default_rng(seed)
        sample = vectors[rng.choice(n, size=min(n, 64 * self.n_lists), replace=False)]
        centroids = sample[rng.choice(len(sample), size=self.n_lists, replace=False)].copy()
        for _ in range(iterations):
            labels = np.argmax(sample @ centroids.T, axis=1)
            sums = np.zeros_like(centroids)
            np.add.at(sums, labels, sample)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            filled = norms[:, 0] > 0
            centroids[filled] = sums[filled] / norms[filled]
        labels = np.concatenate(
            [np.argmax(vectors[i : i + 8192] @ centroids.T, axis=1) for i in range(0, n, 8192)]
        )
        order = np.argsort(labels, kind="stable")
        self.centroids = centroids
        self.rows = order.astype(np.int64)
        self.vectors = np.ascontiguousarray(vectors[order])
        counts = np.bincount(labels, minlength=self.n_lists)
        self.offsets = np.concatenate([[0], np.cumsum(counts)])

    def search(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.int64], Vectors]:
        """Row numbers (into the original order) and cosines of up to ``k`` best rows."""
        near = np.argpartition(-(self.centroids @ query), self.nprobe - 1)[: self.nprobe]
        rows: list[npt.NDArray[np.int64]] = []
        scores: list[Vectors] = []
        for c in near:
            lo, hi = int(self.offsets[c]), int(self.offsets[c + 1])
            if hi > lo:
                scores.append(self.vectors[lo:hi] @ query)
                rows.append(self.rows[lo:hi])
        all_rows = np.concatenate(rows)
        all_scores = np.concatenate(scores)
        top = _top(all_scores, k)
        return all_rows[top], all_scores[top]


def _top(scores: Vectors, k: int) -> npt.NDArray[np.int64]:
    if k >= len(scores):
        return np.argsort(-scores).astype(np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part])].astype(np.int64)


class PassageIndex:
    """Searches one corpus by meaning, with optional keyword boosting.

    Args:
        passages: the corpus's passages.
        vectors: their normalised embeddings, one row each (``None``: keywords only).
        exact_limit: above this many passages, use the coarse index.
    """

    def __init__(
        self,
        passages: Sequence[StoredPassage],
        vectors: Vectors | None,
        *,
        exact_limit: int = 20_000,
    ) -> None:
        self.passages = list(passages)
        self.vectors = None if vectors is None else np.ascontiguousarray(vectors, np.float32)
        self._words: list[set[str]] | None = None
        self._scorer: KeywordScorer | None = None
        self.coarse = (
            CoarseIndex(self.vectors)
            if self.vectors is not None and len(self.vectors) > exact_limit
            else None
        )

    def __len__(self) -> int:
        return len(self.passages)

    @property
    def has_vectors(self) -> bool:
        return self.vectors is not None and len(self.passages) > 0

    def _keywords(self) -> tuple[list[set[str]], KeywordScorer]:
        # built on first use: a corpus searched by meaning only never pays for it
        if self._words is None or self._scorer is None:
            self._words = [content_words(f"{p.heading} {p.text}") for p in self.passages]
            self._scorer = KeywordScorer(self._words)
        return self._words, self._scorer

    def cosines(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.int64], Vectors]:
        """The ``k`` nearest rows by cosine (exact, or through the coarse index)."""
        assert self.vectors is not None
        if self.coarse is not None:
            return self.coarse.search(query, k)
        scores = self.vectors @ query
        top = _top(scores, k)
        return top, scores[top]

    def search(
        self,
        query: Vectors | None,
        text: str = "",
        *,
        k: int = 3,
        boost: float = 0.1,
        exclude: Collection[int] = (),
        candidates: int = 24,
        source: str | None = None,
    ) -> list[Hit]:
        """The best ``k`` passages for a query vector and/or its text.

        Args:
            query: the query's normalised embedding; ``None`` searches by keywords only.
            text: the query's words, for keyword boosting.
            boost: weight of the keyword score added to the cosine.
            exclude: passage ids never to return (already posted).
            candidates: how many nearest passages by cosine are re-ranked.
            source: only passages from a file whose name ends with this.
        """
        if not self.passages:
            return []
        if query is None or self.vectors is None:
            return self._keyword_search(text, k, exclude, source)
        want = min(len(self.passages), max(candidates, k) + len(exclude))
        if source is not None:
            want = len(self.passages)
        rows, cos = self.cosines(query.astype(np.float32, copy=False), want)
        query_words = content_words(text) if boost and text else set()
        words, scorer = self._keywords() if query_words else ([], None)
        hits: list[Hit] = []
        for row, c in zip(rows.tolist(), cos.tolist(), strict=True):
            p = self.passages[row]
            if p.id in exclude or (source and not p.path.endswith(source)):
                continue
            kw = scorer.score(query_words, words[row]) if scorer else 0.0
            hits.append(Hit(p, c + boost * kw, c, kw))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def _keyword_search(
        self, text: str, k: int, exclude: Collection[int], source: str | None
    ) -> list[Hit]:
        query_words = content_words(text)
        if not query_words:
            return []
        words, scorer = self._keywords()
        hits = [
            Hit(p, s, 0.0, s)
            for p, w in zip(self.passages, words, strict=True)
            if p.id not in exclude
            and (source is None or p.path.endswith(source))
            and (s := scorer.score(query_words, w)) > 0
        ]
        hits.sort(key=lambda h: -h.score)
        return hits[:k]
