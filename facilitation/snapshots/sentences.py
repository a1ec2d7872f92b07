"""The answer sentence scored on its own: a second look at the reranker's best candidates.

A passage's embedding blurs its few sentences together, so a passage whose one
sentence answers the question can lose to a passage that is about the topic
throughout. Each of the best candidates' sentences is embedded on its own
(MiniLM, cached) and the best sentence's cosine to the query joins the
reranker's score:

    p = sigmoid(SCALE * (logit(reranker probability) + WEIGHT * best cosine) + SHIFT)

``WEIGHT`` was chosen leaving one dev corpus out at a time (dev, long_dev and
pdf_dev: pooled top-1 64% -> 71%), and ``SCALE`` / ``SHIFT`` were fitted on the
dev candidates (Platt scaling), so the result is still the probability that the
passage holds the answer and the thresholds keep their meaning.
"""

from __future__ import annotations

import asyncio
import functools
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from facilitation.snapshots.index import Hit
from facilitation.snapshots.passages import sentences

__all__ = ["AHEAD", "DEPTH", "SentenceScorer", "ceiling", "combined"]

Vectors = npt.NDArray[np.float32]

AHEAD = 5_000  # most sentences embedded when a corpus is loaded (the rest as they are met)
DEPTH = 12  # how many of the reranker's best candidates get the second look
WEIGHT = 8.0
SCALE = 0.709
SHIFT = -3.522


@functools.lru_cache(maxsize=20_000)
def _split(text: str) -> tuple[str, ...]:
    """A passage's sentences, worked out once (pysbd takes milliseconds a passage)."""
    return tuple(sentences(text)) or (text,)


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def combined(p: float, best: float) -> float:
    """The probability from the reranker's ``p`` and the best sentence's cosine ``best``."""
    z = SCALE * (_logit(p) + WEIGHT * best) + SHIFT
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def ceiling(p: float) -> float:
    """The most a hit with the reranker's ``p`` can score after the second look.

    The combined score grows with the cosine, and a cosine is at most 1, so
    when no candidate's ceiling reaches a threshold, no sentence need be embedded
    to know that nothing will (the snapshots skip the step then).
    """
    return combined(p, 1.0)


class SentenceScorer:
    """Rescores hits by their best sentence's cosine to the query.

    Args:
        embed: embeds texts into normalised rows (``AsyncEmbedder.embed``).
        cache_size: sentence vectors kept (a corpus's sentences recur across lookups).
    """

    def __init__(
        self, embed: Callable[[list[str]], Awaitable[Vectors]], cache_size: int = 50_000
    ) -> None:
        self._embed = embed
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._size = cache_size

    async def _vectors(self, texts: Sequence[str]) -> list[Vectors]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, row in zip(missing, await self._embed(missing), strict=True):
                self._cache[text] = np.asarray(row, np.float32)
        out = []
        for t in texts:
            self._cache.move_to_end(t)
            out.append(self._cache[t])
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return out

    async def warm(self, passages: Sequence[str], limit: int = AHEAD) -> int:
        """Embed the passages' sentences now, in one call, up to ``limit`` sentences.

        Called as a corpus is loaded, so the lookups while an event runs find every
        sentence's vector ready instead of embedding a few at a time. Splitting
        runs in a thread (pysbd is slow). Returns how many sentences were embedded.
        """

        def split() -> list[str]:
            found: dict[str, None] = {}
            for text in passages:
                for sentence in _split(text):
                    if len(found) >= limit:
                        return list(found)
                    found.setdefault(sentence)
            return list(found)

        texts = await asyncio.to_thread(split)
        missing = [t for t in texts if t not in self._cache]
        await self._vectors(missing)
        return len(missing)

    async def rescore(self, hits: Sequence[Hit], query: Vectors, k: int) -> list[Hit]:
        """The ``k`` best of ``hits`` by the combined probability, most likely first."""
        if not hits:
            return []
        per_hit = [_split(h.passage.text) for h in hits]
        rows = await self._vectors([s for ss in per_hit for s in ss])
        q = np.asarray(query, np.float32)
        out: list[Hit] = []
        at = 0
        for hit, ss in zip(hits, per_hit, strict=True):
            best = max(float(r @ q) for r in rows[at : at + len(ss)])
            at += len(ss)
            score = combined(hit.score, best)
            out.append(replace(hit, score=score, features=(*hit.features, best)))
        out.sort(key=lambda h: -h.score)
        return out[:k]
