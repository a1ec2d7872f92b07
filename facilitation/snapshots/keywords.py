"""Content words, for keyword boosting and for spotting questions that follow a snapshot."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "KeywordScorer",
    "asks_for",
    "asks_quantity",
    "content_words",
    "has_date",
    "names",
    "number",
    "numbers",
    "terms",
]

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'-]*[a-z0-9]|[a-z0-9]")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _word_set(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further get got had has have having he her here hers him his how i if in into is it its
    just like me more most my no nor not now of off on once only or other our ours out over own
    really same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yes ok okay thanks thank please hi hello one two much
    many lot lots still even well think know want need said say says people thing things way
    """
)


def _stem(word: str) -> str:
    word = word.removesuffix("'s")
    for suffix in ("ing", "ies", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    # "close", "closes" and "closed" all end up as "clos"
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_words(text: str) -> set[str]:
    """Lower-cased, crudely stemmed words that carry meaning (no stop words, no 1-2 letters)."""
    return {_stem(w) for w in _WORD_RE.findall(text.lower()) if w not in _STOP and len(w) > 2}


class KeywordScorer:
    """How much of a query's keyword weight (by inverse document frequency) a passage covers.

    ``score(query, passage)`` is between 0 (no shared keyword) and 1 (every keyword
    of the query is in the passage); rare words weigh more than common ones.
    """

    def __init__(self, word_sets: Iterable[set[str]]) -> None:
        """Count document frequencies over each passage's :func:`content_words`."""
        df: Counter[str] = Counter()
        n = 0
        for words in word_sets:
            df.update(words)
            n += 1
        self._n = n
        self._idf = {w: math.log(1 + n / c) for w, c in df.items()}

    def score(self, query_words: set[str], passage_words: set[str]) -> float:
        # words the corpus never uses say nothing about which passage fits
        known = [w for w in query_words if w in self._idf]
        total = sum(self._idf[w] for w in known)
        shared = sum(self._idf[w] for w in known if w in passage_words)
        return shared / total if total else 0.0


_TERM_RE = re.compile(r"\d+(?:[.,]\d+)*|[a-z][a-z'-]*[a-z]|[a-z]")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z0-9]+|\b[A-Z]{2,}[A-Za-z0-9]*")
_QUANTITY_RE = re.compile(
    r"\b(how (many|much|long|far|often|big|large|high|hot|cold|warm|cool)|what (share|proportion"
    r"|percentage|fraction|number|time|temperature|date|year)|when|cost|price|percent|rate|per cent"
    r"|how fast|deadline)\b",
    re.I,
)


def number(text: str) -> str:
    """A number as one token: "412,000" → "412000", "2.4" stays "2.4"."""
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return text.replace(",", "")
    return text.rstrip(".,")


def terms(text: str) -> list[str]:
    """Search terms in order: content words (stemmed) and numbers of any length."""
    out: list[str] = []
    for w in _TERM_RE.findall(text.lower()):
        if w[0].isdigit():
            out.append(number(w))
        elif w not in _STOP and len(w) > 2:
            out.append(_stem(w.replace("'", "")))
    return out


def numbers(text: str) -> set[str]:
    return {number(n) for n in _NUMBER_RE.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words not at the start of a sentence, and acronyms: names and rare terms."""
    return {_stem(w.lower()) for w in _NAME_RE.findall(text) if w.lower() not in _STOP}


def asks_quantity(text: str) -> bool:
    """Whether a question asks for a number, a share, a time or a date."""
    return bool(_QUANTITY_RE.search(text))


_WHO_RE = re.compile(
    r"^\s*(?:who|whom|whose)\b|\b(?:who|which (?:person|people|organi[sz]ation|author)s?)\b", re.I
)
_WHEN_RE = re.compile(r"^\s*when\b|\b(?:what|which) (?:year|date|day|month)\b|\bsince when\b", re.I)
_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_RE = re.compile(rf"\b(?:{_MONTHS})\b|\b\d{{1,2}}(?:st|nd|rd|th)\b", re.I)


def asks_for(question: str) -> str:
    """ "who" or "when" if the question asks for a person or a time, else ""."""
    if _WHEN_RE.search(question):
        return "when"
    if _WHO_RE.search(question):
        return "who"
    return ""


def has_date(text: str, nums: set[str] | None = None) -> bool:
    """A year (1800-2099), a month's name or a day of the month in the text."""
    found = nums if nums is not None else numbers(text)
    return any(len(n) == 4 and n.isdigit() and 1800 <= int(n) <= 2099 for n in found) or bool(
        _DATE_RE.search(text)
    )
