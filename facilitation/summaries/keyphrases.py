"""Key phrases of a discussion, with YAKE (unsupervised, no model download)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yake

__all__ = ["KeyphraseExtractor"]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_THEMES = _word_set(
    "today tomorrow yesterday tonight morning evening night week weekend month year time times "
    "thing things lot lots way day days something anything everything nothing someone people "
    "guy guys yeah yes okay ok sure well good great right really mr mrs ms miss sir madam dear "
    "hello hi hey thanks thank bye minute minutes hour hours kind sort bit"
)


class KeyphraseExtractor:
    """Picks the phrases that characterise a discussion.

    Args:
        top: phrases returned at most.
        max_ngram: words per phrase at most.
        max_chars: text given to YAKE at most; a long event is sampled evenly so
            extraction stays fast (YAKE grows faster than linearly with text).
    """

    def __init__(self, top: int = 8, max_ngram: int = 2, max_chars: int = 30_000) -> None:

        self.top = top
        self.max_chars = max_chars
        self._yake = yake.KeywordExtractor(lan="en", n=max_ngram, dedupLim=0.7, top=top * 2)

    def extract(self, sentences: Sequence[str]) -> tuple[str, ...]:
        """The key phrases of ``sentences``, most characteristic first, lower case."""
        text = _sample(sentences, self.max_chars)
        if not text.strip():
            return ()
        phrases: list[str] = []
        for phrase, _score in self._yake.extract_keywords(text):
            clean = re.sub(r"\s+", " ", str(phrase)).strip().lower()
            if _is_theme(clean) and not any(clean in p or p in clean for p in phrases):
                phrases.append(clean)
            if len(phrases) == self.top:
                break
        return tuple(phrases)


def _is_theme(phrase: str) -> bool:
    # Speaker tags, numbers and words like "today" or "thing" are not themes.
    words = phrase.split()
    return (
        bool(words)
        and not phrase.startswith("#")
        and not any(w in _NOT_THEMES or w.isdigit() for w in (words[0], words[-1]))
    )


def _sample(sentences: Sequence[str], max_chars: int) -> str:
    total = sum(len(s) + 1 for s in sentences)
    if total <= max_chars:
        return "\n".join(sentences)
    step = total / max_chars
    picked = [sentences[int(i * step)] for i in range(int(len(sentences) / step))]
    return "\n".join(picked)
