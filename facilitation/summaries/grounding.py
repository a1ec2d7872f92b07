"""A cheap check that generated text says only what the transcript supports.

Language models invent names, numbers and claims. Before an abstractive summary
is shown it must pass: every name and number in it appears in the transcript, and
most of its content words (by a crude stem) do too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Grounding", "check_grounding"]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN_RE = re.compile(r"[#\w][\w'#-]*")
_NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
# Words a faithful summary uses without the transcript saying them.
_SUMMARY_WORDS = _word_set(
    "the a an and or but of to in on at for with by from as is are was were be been it its "
    "this that these those they them their he she his her him we our you your i me my not "
    "no so if then than also about into over after before during while who what which when "
    "where why how all some any more most other others both each there here has have had "
    "do does did can could will would should may might must just very too only asks asked "
    "ask says said say tells told tell talk talks talked discuss discusses discussed "
    "discussion suggests suggested suggest agrees agreed agree explains explained explain "
    "mentions mentioned mention wants wanted want thinks thought think shares shared share "
    "summary participants participant group everyone someone people person question "
    "questions answer answers answered replies replied reply whether because however"
)


@dataclass(frozen=True, slots=True)
class Grounding:
    """The verdict on one generated text."""

    ok: bool
    support: float
    reason: str = ""


def check_grounding(output: str, transcript: str, min_support: float = 0.7) -> Grounding:
    """Is ``output`` supported by ``transcript``?

    Args:
        output: the generated summary.
        transcript: the text it summarises (speaker names included).
        min_support: the share of the output's content words that must occur in
            the transcript.
    """
    if not output.strip():
        return Grounding(ok=False, support=0.0, reason="empty output")
    source_tokens = {t.lower() for t in _TOKEN_RE.findall(transcript)}
    source_stems = {_stem(t) for t in source_tokens}
    numbers = set(_NUMBER_RE.findall(transcript))
    for number in _NUMBER_RE.findall(output):
        if number not in numbers:
            return Grounding(ok=False, support=0.0, reason=f"number not in transcript: {number}")
    for name in _names(output):
        if name.lower() not in source_tokens and name.lower() not in _SUMMARY_WORDS:
            return Grounding(ok=False, support=0.0, reason=f"name not in transcript: {name}")
    content = [
        t.lower()
        for t in _TOKEN_RE.findall(output)
        if t.lower() not in _SUMMARY_WORDS and not _NUMBER_RE.fullmatch(t)
    ]
    if not content:
        return Grounding(ok=False, support=0.0, reason="no content words")
    support = sum(1 for t in content if _stem(t) in source_stems) / len(content)
    if support < min_support:
        return Grounding(ok=False, support=support, reason=f"unsupported words ({support:.0%})")
    return Grounding(ok=True, support=support)


def _names(text: str) -> Iterable[str]:
    """Capitalised words and speaker tags like #Person3#.

    A sentence's first word is capitalised anyway; the caller lets it pass when it
    is a word the transcript or a plain summary uses ("The", "She").
    """
    for token in _TOKEN_RE.findall(text):
        if token.startswith("#") or (token[:1].isupper() and token != "I"):
            yield token.removesuffix("'s")


def _stem(word: str) -> str:
    word = word.lower().removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
