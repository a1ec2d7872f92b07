"""Tone: appreciation (thanks, praise, warm reactions) and rule-based sentiment (VADER)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = ["APPRECIATION_EMOJI", "ToneScorer", "is_appreciation"]

_APPRECIATION = re.compile(
    r"\b(thank(s| you)?|thx|ty|cheers|grateful|appreciate[sd]?|great (point|answer|question|"
    r"session|talk|panel)|really (useful|helpful|interesting)|so (useful|helpful|interesting)|"
    r"helpful|brilliant|fascinating|well said|love this|good point)\b",
    re.IGNORECASE,
)
APPRECIATION_EMOJI = frozenset(
    {"👍", "❤️", "❤", "🙏", "👏", "🎉", "💯", "🙌", "⭐", "🌟", "😍", "🥰", "💡", "+1", "heart",
     "thumbsup", "clap", "pray", "tada", "raised_hands", "100", "star"}
)


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
    """Scores messages with VADER; ``threshold`` splits positive/neutral/negative."""

    def __init__(self, threshold: float = 0.05) -> None:
        self._vader = SentimentIntensityAnalyzer()
        self._threshold = threshold

    def compound(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

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
