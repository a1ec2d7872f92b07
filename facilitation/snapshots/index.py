"""Retrieval over a corpus's passages: meaning and keywords, fused, then reranked.

Meaning: cosine over normalised MiniLM embeddings, exact for small corpora
(one matrix-vector product) and past ``exact_limit`` passages through a coarse
index (spherical k-means lists, as in IVF) that keeps the latency flat.
Keywords: SQLite FTS5 with BM25 (:mod:`lexical`). The two rankings are fused
by reciprocal rank, and the best candidates are reranked by a small learned
model (:mod:`rerank`) whose probability is the hit's score.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from facilitation.snapshots.lexical import KeywordIndex
from facilitation.snapshots.rerank import (
    RRF_K,
    Query,
    Weights,
    features,
    load_weights,
    section_title,
)
from facilitation.snapshots.store import StoredPassage

__all__ = ["CoarseIndex", "Hit", "PassageIndex", "section_vectors"]

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage and how well it fits: ``score`` is the reranker's probability."""

    passage: StoredPassage
    score: float
    cosine: float
    keywords: float
    features: tuple[float, ...] = ()


async def section_vectors(
    passages: Sequence[StoredPassage],
    embed: Callable[[list[str]], Awaitable[Vectors]],
) -> tuple[list[int], Vectors]:
    """Each passage's row in the embeddings of the corpus's section titles (one per title)."""
    titles: dict[str, int] = {}
    of = [titles.setdefault(section_title(p.title, p.heading), len(titles)) for p in passages]
    if not titles:
        return of, np.zeros((0, 0), np.float32)
    vectors = await embed(list(titles))
    return of, np.ascontiguousarray(vectors, np.float32)


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
    """Searches one corpus by meaning and keywords, and reranks what both find.

    Args:
        passages: the corpus's passages.
        vectors: their normalised embeddings, one row each (``None``: keywords only).
        exact_limit: above this many passages, use the coarse index.
        weights: the reranker's weights (default: the shipped ones).
    """

    def __init__(
        self,
        passages: Sequence[StoredPassage],
        vectors: Vectors | None,
        *,
        exact_limit: int = 20_000,
        weights: Weights | None = None,
        sections: tuple[Sequence[int], Vectors] | None = None,
    ) -> None:
        self.passages = list(passages)
        self.vectors = None if vectors is None else np.ascontiguousarray(vectors, np.float32)
        self.weights = weights or load_weights()
        self.lexical = KeywordIndex(self.passages)
        # each passage's section title (see rerank.section_title) as a row of section vectors
        self.sections = sections
        # the passages just before and after each one in the same section (rows are in order)
        self.neighbours: list[tuple[int, ...]] = [
            tuple(
                j
                for j in (i - 1, i + 1)
                if 0 <= j < len(self.passages)
                and self.passages[j].path == p.path
                and self.passages[j].heading == p.heading
            )
            for i, p in enumerate(self.passages)
        ]
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

    def cosines(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.int64], Vectors]:
        """The ``k`` nearest rows by cosine (exact, or through the coarse index)."""
        assert self.vectors is not None
        if self.coarse is not None:
            return self.coarse.search(query, k)
        scores = self.vectors @ query
        top = _top(scores, k)
        return top, scores[top]

    def idf(self, words: Collection[str]) -> dict[str, float]:
        """Inverse document frequency of words the corpus uses (others say nothing)."""
        df, n = self.lexical.df, len(self.passages)
        return {w: math.log(1 + n / df[w]) for w in words if df.get(w)}

    def candidates(
        self,
        query: Vectors | None,
        q: Query,
        *,
        depth: int,
        exclude: Collection[int] = (),
        source: str | None = None,
    ) -> list[tuple[int, int | None, int | None, float]]:
        """(row, rank by meaning, rank by keywords, BM25 share) of the fused candidates."""
        n = len(self.passages)
        want = n if source is not None else min(n, depth + len(exclude))

        def keep(row: int) -> bool:
            p = self.passages[row]
            return p.id not in exclude and (source is None or p.path.endswith(source))

        dense: dict[int, int] = {}
        if query is not None and self.vectors is not None:
            rows, _ = self.cosines(query.astype(np.float32, copy=False), want)
            for row in rows.tolist():
                if keep(row) and len(dense) < depth:
                    dense[row] = len(dense) + 1
        lexical: dict[int, int] = {}
        bm25: dict[int, float] = {}
        for row, s in self.lexical.search(q.terms, want):
            if keep(row) and len(lexical) < depth:
                lexical[row] = len(lexical) + 1
                bm25[row] = s
        best = max(bm25.values(), default=0.0) or 1.0
        fused = sorted(
            set(dense) | set(lexical),
            key=lambda r: -sum(1 / (RRF_K + x) for x in (dense.get(r), lexical.get(r)) if x),
        )
        return [(r, dense.get(r), lexical.get(r), bm25.get(r, 0.0) / best) for r in fused[:depth]]

    def search(
        self,
        query: Vectors | None,
        text: str = "",
        *,
        k: int = 3,
        exclude: Collection[int] = (),
        candidates: int = 30,
        source: str | None = None,
    ) -> list[Hit]:
        """The best ``k`` passages for a query vector and its text, most likely first.

        Args:
            query: the query's normalised embedding; ``None`` searches by keywords only.
            text: the query's words.
            exclude: passage ids never to return (already posted).
            candidates: how many fused candidates are reranked.
            source: only passages from a file whose name ends with this.
        """
        if not self.passages:
            return []
        q = Query.of(text)
        if query is None or self.vectors is None:
            query = None
        found = self.candidates(query, q, depth=candidates, exclude=exclude, source=source)
        idf = self.idf({*q.terms, *q.names})
        hits: list[Hit] = []
        for row, dense_rank, lexical_rank, bm25 in found:
            p = self.passages[row]
            cos, near, section = 0.0, 0.0, 0.0
            if query is not None and self.vectors is not None:
                cos = float(self.vectors[row] @ query)
                around = [float(self.vectors[j] @ query) for j in self.neighbours[row]]
                near = max(around, default=cos)
                if self.sections is not None:
                    of, section_vectors = self.sections
                    section = float(section_vectors[of[row]] @ query)
            x = features(
                q,
                text=p.text,
                heading=f"{p.title} {p.heading}",
                kind=p.kind,
                cosine=cos,
                bm25=bm25,
                ranks=(dense_rank, lexical_rank),
                idf=idf,
                body_terms=self.lexical.body_terms[row],
                neighbour=near,
                section_cosine=section,
            )
            hits.append(Hit(p, self.weights.probability(x), cos, x[3], tuple(x)))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def close(self) -> None:
        self.lexical.close()
