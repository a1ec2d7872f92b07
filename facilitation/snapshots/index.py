"""Retrieval over a corpus's passages: meaning and keywords, fused, then reranked.

Meaning: cosine over normalised MiniLM embeddings, exact for small corpora
(one matrix-vector product) and past ``exact_limit`` passages through a coarse
index (faiss's inverted-file lists) that keeps the latency flat.
Keywords: SQLite FTS5 with BM25 (:mod:`lexical`). The two rankings are fused
by reciprocal rank, and the best candidates are reranked by a small learned
model (:mod:`rerank`) whose probability is the hit's score.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

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
    """An inverted-file index (faiss ``IndexIVFFlat``, inner product) over normalised rows.

    The rows are clustered into ``n_lists`` lists by k-means; ``search`` scores only the
    ``nprobe`` lists nearest the query, exactly. faiss's compiled loops replaced a
    hand-written numpy version: in ``bench_snapshots`` they build and search several
    times faster at the same recall.
    """

    def __init__(
        self,
        vectors: Vectors,
        *,
        n_lists: int | None = None,
        nprobe: int | None = None,
        seed: int = 0,
    ) -> None:
        import faiss  # noqa: PLC0415  (a large import, only needed for large corpora)

        # one query at a time on a shared machine: OpenMP threads would only wait on each other
        faiss.omp_set_num_threads(1)
        n, dim = vectors.shape
        self.n_lists = n_lists or max(1, round(math.sqrt(n)))
        self.nprobe = min(self.n_lists, nprobe or max(8, self.n_lists // 10))
        rows = np.ascontiguousarray(vectors, np.float32)
        train = rows
        if n > 64 * self.n_lists:
            pick = np.random.default_rng(seed).choice(n, size=64 * self.n_lists, replace=False)
            train = rows[np.sort(pick)]
        self._quantizer = faiss.IndexFlatIP(dim)
        self._index = faiss.IndexIVFFlat(
            self._quantizer, dim, self.n_lists, faiss.METRIC_INNER_PRODUCT
        )
        self._index.cp.seed = seed
        self._index.train(train)
        self._index.add(rows)
        self._index.nprobe = self.nprobe

    def search(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.int64], Vectors]:
        """Row numbers and cosines of up to ``k`` best rows, best first."""
        return _faiss_search(self._index, query, k)


class FlatIndex:
    """Exact inner-product search (faiss ``IndexFlatIP``): every row is scored."""

    def __init__(self, vectors: Vectors) -> None:
        import faiss  # noqa: PLC0415

        faiss.omp_set_num_threads(1)
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(np.ascontiguousarray(vectors, np.float32))

    def search(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.int64], Vectors]:
        """Row numbers and cosines of up to ``k`` best rows, best first."""
        return _faiss_search(self._index, query, k)


def _faiss_search(index: Any, query: Vectors, k: int) -> tuple[npt.NDArray[np.int64], Vectors]:
    scores, rows = index.search(np.ascontiguousarray(query[None, :], np.float32), k)
    keep = rows[0] >= 0
    return rows[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)


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
        # exact search past a few thousand rows: faiss's flat scan is several times numpy's
        self.flat = (
            FlatIndex(self.vectors)
            if self.coarse is None and self.vectors is not None and len(self.vectors) > 4096
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
        if self.flat is not None:
            return self.flat.search(query, k)
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
