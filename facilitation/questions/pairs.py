"""Features of a pair of questions, for a learned duplicate model (measured, not used live).

MiniLM's cosine alone cannot tell a paraphrase ("how long does a rapid charger take
from 10 to 80%?" / "on a fast charger, how many minutes for 10% to 80%?") from a
different question on the same topic ("is chicken manure too strong?" / "is sheep
manure better than cow?"): both sit around 0.7-0.8. These features are what a
moderator reads besides the meaning: do the two ask about the same things
(content words, lemmatised, typos forgiven), the same names and numbers, with the
same kind of question (how long / why / which...), is one of them negated?

``python -m facilitation.questions.calibrate --learned`` fits a logistic regression
on them (with the cosine) leaving one domain out at a time and compares it with the
cosine alone. On the labelled pairs it does not do better than the cosine (see the
README), so the queue merges on the cosine; this stays to re-check that when the
labelled pairs grow or the model changes. :func:`alignment_features` (token-level
alignment, as BERTScore) was tried in session 4 with the same outcome
(``--alignment``).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from lemminflect import getAllLemmas

__all__ = [
    "ALIGNMENT_FEATURES",
    "PAIR_FEATURES",
    "Parsed",
    "alignment_features",
    "content_words",
    "pair_features",
    "parse",
]

PAIR_FEATURES = (
    "cosine",
    "jaccard",
    "containment",
    "unmatched",
    "numbers_differ",
    "names_differ",
    "same_kind",
    "kinds_differ",
    "negation_differs",
    "length_ratio",
)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?")
_STOP = frozenset(
    """a about above after again all also am an and any anybody anyone anything are as at be
    because been before being below between both but by can could did do does doing done
    during each else even ever every few for from further get gets getting got had has have
    having he her here hers him his how i if in into is it its itself just know let like
    me might more most much must my myself need needs no nor not now of off ok okay on once
    only or other our ours out over own please pls question quick re really same say she
    should so some something still such than thank thanks that the their them then there
    these they thing things think this those though through to too under until up us very
    want was way we were what whats when where whether which while who whom why will with
    would yes yet you your yours u ur hi hello hey guys folks panel anyone's tips advice
    actually honestly basically anyway maybe wondering wonder curious asking ask tell
    possible best good better way ways""".split()
)
_NEGATION = re.compile(r"\b(?:not|no|never|without|cannot|nothing|none)\b|n[’']t\b", re.I)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
# what kind of answer is wanted: checked in order on the question's first asking words
_KINDS = (
    (
        "how_many",
        re.compile(
            r"\bhow (?:many|much|often|big|far|old)\b|\bwhat (?:age|size|number|percentage)\b"
        ),
    ),
    (
        "how_long",
        re.compile(
            r"\bhow (?:long|soon|quickly|fast)\b|\bwhen\b|\bwhat (?:time|date|year|month)\b"
        ),
    ),
    ("why", re.compile(r"\bwhy\b|\bwhat(?:'s| is) the point\b|\bhow come\b")),
    ("where", re.compile(r"\bwhere\b")),
    ("who", re.compile(r"\bwho\b|\bwhom\b")),
    ("which", re.compile(r"\bwhich\b|\b\w+ or \w+\b")),
    (
        "how",
        re.compile(r"\bhow\b|\bwhat (?:can|should|do|does) (?:i|we|you)\b|\bany (?:way|tips)\b"),
    ),
    ("what", re.compile(r"\bwhat\b")),
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the pair features need from one question, computed once per question."""

    words: frozenset[str]  # content lemmas
    numbers: frozenset[str]
    names: frozenset[str]  # capitalised words inside a sentence, code-like tokens
    kind: str  # how_many, how_long, why, where, who, which, how, what or yesno
    negated: bool


@lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    lemmas = {lemma.lower() for forms in getAllLemmas(word).values() for lemma in forms}
    return min(lemmas, key=lambda w: (len(w), w)) if lemmas else word


def _kind(lowered: str) -> str:
    head = lowered[:120]
    for name, pattern in _KINDS:
        if pattern.search(head):
            return name
    return "yesno"


def content_words(text: str) -> set[str]:
    """The words of ``text`` that name something (no stopwords, numbers or lemmas):
    cheap enough for every question the queue sees."""
    out = set()
    for m in _TOKEN.finditer(text[:1000]):
        low = m.group().lower().strip("'’-")
        if not low[0].isdigit() and low not in _STOP and low not in _NUMBER_WORDS and len(low) > 1:
            out.add(low)
    return out


def parse(text: str) -> Parsed:
    """The parts of ``text`` the pair features compare."""
    text = text[:1000]
    lowered = text.lower().replace("’", "'")
    words: set[str] = set()
    numbers: set[str] = set()
    names: set[str] = set()
    for m in _TOKEN.finditer(text):
        token = m.group()
        low = token.lower().strip("'’-")
        if low in _NUMBER_WORDS:
            numbers.add(_NUMBER_WORDS[low])
            continue
        if token[0].isdigit():
            numbers.add(token.replace(",", "."))
            continue
        if low in _STOP or len(low) < 2:
            continue
        lemma = _lemma(low)
        words.add(lemma)
        before = text[: m.start()].rstrip()
        if token[0].isupper() and before and before[-1] not in ".!?:" and low != "i":
            names.add(lemma)
    return Parsed(
        words=frozenset(words),
        numbers=frozenset(numbers),
        names=frozenset(names),
        kind=_kind(lowered),
        negated=bool(_NEGATION.search(lowered)),
    )


def _matched(mine: frozenset[str], theirs: frozenset[str]) -> int:
    """How many of ``mine`` appear in ``theirs``, a misspelling counting as a match."""
    n = 0
    for w in mine:
        if w in theirs or (
            len(w) >= 5
            and any(
                len(t) >= 5 and difflib.SequenceMatcher(None, w, t).ratio() >= 0.85 for t in theirs
            )
        ):
            n += 1
    return n


def pair_features(a: Parsed, b: Parsed, cosine: float) -> npt.NDArray[np.float32]:
    """The features of a pair, in the order of :data:`PAIR_FEATURES`."""
    ma, mb = _matched(a.words, b.words), _matched(b.words, a.words)
    na, nb = len(a.words), len(b.words)
    union = na + nb - min(ma, mb)
    jaccard = min(ma, mb) / union if union else 0.0
    containment = max(ma / na if na else 0.0, mb / nb if nb else 0.0)
    unmatched = min(na - ma, nb - mb)
    numbers_differ = bool(a.numbers and b.numbers and not (a.numbers & b.numbers))
    names_a, names_b = a.names - b.words, b.names - a.words
    names_differ = bool(names_a and names_b)
    return np.array(
        [
            cosine,
            jaccard,
            containment,
            math.log1p(unmatched) / 2,
            float(numbers_differ),
            float(names_differ),
            float(a.kind == b.kind),
            float(a.kind != b.kind and "yesno" not in (a.kind, b.kind)),
            float(a.negated != b.negated),
            min(na, nb) / max(na, nb, 1),
        ],
        dtype=np.float32,
    )


ALIGNMENT_FEATURES = ("aligned_f", "aligned_min", "worst_aligned")


def alignment_features(
    a: npt.NDArray[np.float32],
    b: npt.NDArray[np.float32],
    weight_a: npt.NDArray[np.float64],
    weight_b: npt.NDArray[np.float64],
) -> npt.NDArray[np.float32]:
    """BERTScore-style greedy alignment of two questions' contextual token vectors.

    ``a`` and ``b`` are L2-normalised token vectors (one row per word piece),
    ``weight_*`` their idf weights (0 for a piece that should not count). Each
    piece is matched to its most similar piece of the other question, both ways:
    the weighted mean of the matches is precision and recall (``aligned_f`` their
    harmonic mean, ``aligned_min`` the lower), and ``worst_aligned`` is the worst
    match of a weighted piece, the word one question asks about and the other lacks.
    """
    if not len(a) or not len(b) or weight_a.sum() <= 0 or weight_b.sum() <= 0:
        return np.zeros(len(ALIGNMENT_FEATURES), dtype=np.float32)
    sims = a @ b.T
    best_a, best_b = sims.max(1), sims.max(0)
    p = float((best_a * weight_a).sum() / weight_a.sum())
    r = float((best_b * weight_b).sum() / weight_b.sum())
    worst = min(float(best_a[weight_a > 0].min()), float(best_b[weight_b > 0].min()))
    return np.array([2 * p * r / (p + r) if p + r > 0 else 0.0, min(p, r), worst], np.float32)
