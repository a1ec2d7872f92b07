"""Tone: appreciation (thanks, praise, warm reactions) and rule-based sentiment (VADER)."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SentimentIntensityAnalyzer,
)

__all__ = ["APPRECIATION_EMOJI", "VOTE_EMOJI", "ToneScorer", "is_appreciation"]

_APPRECIATION = re.compile(
    r"\b(thank(s| you)?|thx|ty|cheers|grateful|appreciate[sd]?|great (point|answer|question|"
    r"session|talk|panel)|really (useful|helpful|interesting)|so (useful|helpful|interesting)|"
    r"helpful|brilliant|fascinating|well said|love this|good point)\b",
    re.IGNORECASE,
)
APPRECIATION_EMOJI = frozenset(
    {
        "👍",
        "❤️",
        "❤",
        "🙏",
        "👏",
        "🎉",
        "💯",
        "🙌",
        "⭐",
        "🌟",
        "😍",
        "🥰",
        "💡",
        "+1",
        "heart",
        "thumbsup",
        "clap",
        "pray",
        "tada",
        "raised_hands",
        "100",
        "star",
    }
)


VOTE_EMOJI = frozenset({"👍", "+1", "thumbsup", "⬆️", "⬆"})


_MEMO_SIZE = 200_000
_PUNCT = string.punctuation + "“”‘’…"


def is_appreciation(text: str) -> bool:
    """Whether a message thanks or praises (a plain word list; no model)."""
    return bool(_APPRECIATION.search(text))


@dataclass(frozen=True, slots=True)
class ToneFigures:
    appreciation_messages: int
    appreciation_reactions: int
    scored_messages: int
    sentiment_mean: float | None
    positive: int
    neutral: int
    negative: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "appreciation_messages": self.appreciation_messages,
            "appreciation_reactions": self.appreciation_reactions,
            "scored_messages": self.scored_messages,
            "sentiment_mean": self.sentiment_mean,
            "positive": self.positive,
            "neutral": self.neutral,
            "negative": self.negative,
        }


class ToneScorer:
    """A fast rule-based sentiment scorer on VADER's lexicon and main rules.

    Full VADER costs about a millisecond a message, too slow for series of
    tens of thousands of messages, so this keeps its core: each word's
    lexicon valence, boosted by intensifiers ("really"), emphasised in CAPS
    among lower-case words, flipped (x -0.74) after a negation in the three
    words before, halved before "but" and raised by half after it, plus "!"
    emphasis; the sum ``s`` is normalised as ``s / sqrt(s*s + 15)``. Scores
    match VADER's on plain sentences ("This is great" 0.625, "This is not
    great" -0.510). ``threshold`` splits positive / neutral / negative.
    """

    def __init__(self, threshold: float = 0.05) -> None:
        self._lexicon: dict[str, float] = SentimentIntensityAnalyzer().lexicon
        self._threshold = threshold
        self._memo: dict[str, float] = {}

    def compound(self, text: str) -> float:
        """The sentiment of ``text``, from -1 to 1 (remembered: exports and series reuse it)."""
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            found = self._memo[text] = self._compound(text)
        return found

    def _compound(self, text: str) -> float:
        words = [w for w in (x.strip(_PUNCT) for x in text.split()) if w]
        lowered = [w.lower() for w in words]
        lexicon = self._lexicon
        hits = [i for i, w in enumerate(lowered) if w in lexicon and w not in BOOSTER_DICT]
        if not hits:
            return 0.0  # most chat messages: skip the rules
        mixed_case = any(w.isupper() for w in words) and not all(w.isupper() for w in words)
        cut = lowered.index("but") if "but" in lowered else -1
        total = 0.0
        for i in hits:
            value = lexicon[lowered[i]]
            if mixed_case and words[i].isupper():
                value += C_INCR if value > 0 else -C_INCR
            for back, damp in ((1, 1.0), (2, 0.95), (3, 0.9)):
                if i < back:
                    break
                before = lowered[i - back]
                boost = BOOSTER_DICT.get(before, 0.0) * damp
                value += boost if value > 0 else -boost
                if before in NEGATE or before.endswith("n't"):
                    value *= N_SCALAR
            if cut >= 0:
                value *= 0.5 if i < cut else 1.5
            total += value
        if total:
            bangs = min(text.count("!"), 4) * 0.292
            total += bangs if total > 0 else -bangs
        score = total / math.sqrt(total * total + 15)
        return round(max(-1.0, min(1.0, score)), 4)

    def figures(self, texts: Iterable[str], emoji: Iterable[str]) -> ToneFigures:
        scores = []
        appreciation = 0
        for text in texts:
            if not text.strip():
                continue
            scores.append(self.compound(text))
            appreciation += is_appreciation(text)
        t = self._threshold
        return ToneFigures(
            appreciation_messages=appreciation,
            appreciation_reactions=sum(1 for e in emoji if e in APPRECIATION_EMOJI),
            scored_messages=len(scores),
            sentiment_mean=round(sum(scores) / len(scores), 3) if scores else None,
            positive=sum(1 for s in scores if s >= t),
            neutral=sum(1 for s in scores if -t < s < t),
            negative=sum(1 for s in scores if s <= -t),
        )
