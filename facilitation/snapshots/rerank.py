"""The reranking step: a small logistic regression over features of (question, passage).

Candidates come from meaning (MiniLM cosine) and keywords (BM25), fused by
reciprocal rank. Each is then described by a few features, and the learned
weights (``rerank_weights.json``, fitted on the dev questions by
``roundtable eval snapshots --train``) turn them into the probability that the
passage holds the answer. That probability is the score thresholds compare.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from facilitation.snapshots import keywords as kw
from facilitation.snapshots.lexical import SENTENCE_MARK, body_terms

__all__ = ["FEATURES", "Query", "Weights", "features", "fit", "load_weights", "section_title"]

FEATURES = (
    "cosine",  # meaning: the passage's cosine to the question
    "bm25",  # keywords: BM25 over the best BM25 of this question's candidates
    "rrf",  # both ranks fused (reciprocal rank fusion, k = 60), scaled to about 0..1
    "coverage",  # the share of the question's term weight (idf) found in the text
    "heading",  # the share of the question's term weight found in the section path or title
    "numbers",  # the share of the question's numbers found in the text
    "quantity",  # the question asks for a number and the passage has one
    "names",  # the share of the question's names and acronyms found in the passage
    "short",  # the passage is under 20 words
    "aside",  # a reference list, footnote or contents line
    "sentence",  # the share of the question's term weight found in the passage's best sentence
    "neighbour",  # the best cosine of the passages just before and after it in its section
    "kind_of_answer",  # asks who / when and the passage names someone / gives a year or date
    "section_meaning",  # cosine of the question to the section title (its last two levels)
)
ASIDES = frozenset({"references", "note", "contents"})
RRF_K = 60


@dataclass(frozen=True, slots=True)
class Query:
    """What the features need from a question, worked out once."""

    text: str
    terms: tuple[str, ...]
    numbers: frozenset[str]
    names: frozenset[str]
    quantity: bool
    asks: str = ""  # "who", "when" or ""

    @classmethod
    def of(cls, text: str) -> Query:
        return cls(
            text,
            tuple(dict.fromkeys(kw.terms(text))),
            frozenset(kw.numbers(text)),
            frozenset(kw.names(text)),
            kw.asks_quantity(text),
            kw.asks_for(text),
        )


@dataclass(frozen=True, slots=True)
class Weights:
    coef: tuple[float, ...]
    intercept: float

    def probability(self, x: Sequence[float]) -> float:
        z = self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps(
            {"features": list(FEATURES), "coef": list(self.coef), "intercept": self.intercept},
            indent=2,
        )


# Used only if the shipped weights are missing or name other features.
DEFAULT = Weights((6.0, 2.0, 2.0, 3.0, 1.0, 1.0, 0.5, 1.0, -1.0, -2.0, 1.0, 1.0, 0.5, 1.0), -8.0)


def load_weights() -> Weights:
    try:
        raw = json.loads(
            resources.files("facilitation.snapshots").joinpath("rerank_weights.json").read_text()
        )
    except (OSError, ValueError):
        return DEFAULT
    if tuple(raw.get("features", ())) != FEATURES:
        return DEFAULT
    return Weights(tuple(float(c) for c in raw["coef"]), float(raw["intercept"]))


@functools.lru_cache(maxsize=20_000)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(kw.terms(text))


@functools.lru_cache(maxsize=20_000)
def _sentence_terms(text: str) -> tuple[frozenset[str], ...]:
    return _by_sentence(body_terms(text))


def _by_sentence(joined: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(s.split()) for s in joined.split(f" {SENTENCE_MARK} "))


def section_title(title: str, heading: str) -> str:
    """What a section is about, as embedded: its last two heading levels, or the title."""
    parts = [p.strip() for p in heading.split("›") if p.strip()]
    return " › ".join(parts[-2:]) if parts else title


def _kind_of_answer(q: Query, text: str, nums: set[str]) -> float:
    """Whether the passage has the kind of thing a who / when question asks for."""
    if q.asks == "who":
        return 1.0 if kw.names(text) - q.names else 0.0
    if q.asks == "when":
        return 1.0 if kw.has_date(text, nums) else 0.0
    return 0.0


def _share(
    wanted: Sequence[str] | frozenset[str], have: frozenset[str], idf: dict[str, float]
) -> float:
    total = sum(idf.get(t, 1.0) for t in wanted)
    return sum(idf.get(t, 1.0) for t in wanted if t in have) / total if total else 0.0


def features(
    q: Query,
    *,
    text: str,
    heading: str,
    kind: str,
    cosine: float,
    bm25: float,
    ranks: tuple[int | None, int | None],
    idf: dict[str, float],
    body_terms: str | None = None,
    neighbour: float = 0.0,
    section_cosine: float = 0.0,
) -> list[float]:
    """The feature vector of one candidate (see :data:`FEATURES`).

    ``body_terms`` are the text's :func:`lexical.body_terms`, if known.
    """
    sentences = _by_sentence(body_terms) if body_terms is not None else _sentence_terms(text)
    body = frozenset().union(*sentences)
    head = _term_set(heading)
    rrf = sum(1.0 / (RRF_K + r) for r in ranks if r is not None) * (RRF_K + 1) / 2
    nums = kw.numbers(text)
    found_numbers = sum(1 for n in q.numbers if n in nums) / len(q.numbers) if q.numbers else 0.0
    return [
        cosine,
        bm25,
        rrf,
        _share(q.terms, body, idf),
        _share(q.terms, head, idf),
        found_numbers,
        1.0 if q.quantity and nums else 0.0,
        _share(q.names, body | head, idf) if q.names else 0.0,
        1.0 if len(text.split()) < 20 else 0.0,
        1.0 if kind in ASIDES else 0.0,
        max((_share(q.terms, t, idf) for t in sentences), default=0.0),
        neighbour,
        _kind_of_answer(q, text, nums),
        section_cosine,
    ]


def fit(
    groups: Sequence[tuple[Sequence[Sequence[float]], Sequence[int]]],
    *,
    l2: float = 0.05,
    steps: int = 4000,
    rate: float = 0.5,
    prior: Sequence[float] | None = None,
) -> Weights:
    """Learn the weights from each question's candidates and which hold the answer.

    The ranking weights maximise the softmax probability of the right passages
    among each question's candidates (a listwise loss, with L2); a one-feature
    logistic regression over the resulting scores (Platt scaling) then turns a
    score into a calibrated probability, so thresholds mean "how likely right".
    """
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415  # lazy: scikit-learn only to fit the reranker (offline), not to score

    data = [(np.asarray(x, float), np.asarray(y, float)) for x, y in groups if len(x)]
    centre = np.asarray(prior if prior is not None else np.zeros(len(FEATURES)), float)
    w = centre.copy()
    ranked = [(x, y) for x, y in data if y.any()]
    for _ in range(steps):
        grad = l2 * (w - centre)
        for x, y in ranked:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            target = y / y.sum()
            grad += x.T @ (p - target) / len(ranked)
        w -= rate * grad
    scores = np.concatenate([x @ w for x, _ in data]).reshape(-1, 1)
    labels = np.concatenate([y for _, y in data]).astype(int)
    platt = LogisticRegression(C=100.0, max_iter=1000).fit(scores, labels)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    coef = [float(a * v) for v in w]
    # a feature the training questions never exercised keeps its prior weight
    every = np.concatenate([x for x, _ in data])
    for j in range(len(FEATURES)):
        if np.ptp(every[:, j]) == 0:
            coef[j] = DEFAULT.coef[j]
    return Weights(tuple(coef), b)
