"""Split a document's blocks into short passages that stand on their own.

A passage is a window of a few sentences (at most ``max_words`` words) from one
section and one page, so it can be quoted with "where it came from".
Paragraphs are kept whole when they fit; a list stays with the line that
introduces it; a long paragraph is cut at sentence ends into windows that
overlap by a sentence; a scrap left at the end of a section joins the passage
before it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import pysbd

from facilitation.snapshots.readers import Block, ParsedDocument

__all__ = ["Passage", "sentences", "split_passages"]


@dataclass(frozen=True, slots=True)
class Passage:
    text: str
    heading: str
    page: int | None
    ordinal: int
    kind: str = "text"

    def embedding_text(self) -> str:
        """What is embedded: the heading gives a short passage its context."""
        return f"{self.heading}: {self.text}" if self.heading else self.text


@functools.cache
def _segmenter() -> Any:

    return pysbd.Segmenter(language="en", clean=False)


def sentences(text: str) -> list[str]:
    """The text's sentences (pysbd)."""
    return [s.strip() for s in _segmenter().segment(text) if s.strip()]


def _words(text: str) -> int:
    return len(text.split())


def _as_sentence(text: str) -> str:
    """A list item as a sentence: capitalised, with a full stop."""
    text = text.strip().rstrip(";,")
    text = text[:1].upper() + text[1:]
    ends = text.rstrip(')"”')
    return text if ends.endswith((".", "!", "?", ":")) else text + "."


def _units(blocks: Sequence[Block], max_words: int) -> Iterator[tuple[str, bool, str]]:
    """(sentence-ish unit, starts a new paragraph, the line introducing its list) in order."""
    previous_item = False
    intro = ""
    for block in blocks:
        new_paragraph = not (block.item and previous_item)
        if new_paragraph and not block.item:
            intro = ""
        previous_item = block.item or block.text.rstrip().endswith(":")
        text = _as_sentence(block.text) if block.item else block.text.strip()
        units = [text] if _words(text) <= max_words else sentences(text)
        for i, unit in enumerate(units):
            yield unit, new_paragraph and i == 0, intro
            if unit.endswith(":"):
                intro = unit


def _pack(blocks: Sequence[Block], max_words: int) -> list[str]:
    passages: list[list[str]] = []
    current: list[str] = []
    count = 0
    for unit, new_paragraph, intro in _units(blocks, max_words):
        n = _words(unit)
        ends_intro = bool(current) and current[-1].endswith(":")
        full = count + n > max_words
        settled = new_paragraph and count >= 0.6 * max_words
        if current and not ends_intro and (full or settled):
            passages.append(current)
            # a list continued in a new passage keeps the line that introduced it;
            # a paragraph cut mid-way overlaps by a sentence, so no fact loses its context
            last = current[-1]
            if intro and not new_paragraph:
                current = [intro]
            elif not new_paragraph and _words(last) <= 0.4 * max_words and len(current) > 1:
                current = [last]
            else:
                current = []
            count = sum(_words(u) for u in current)
        current.append(unit)
        count += n
    if current:
        tail = sum(_words(u) for u in current)
        if (
            passages
            and tail < 0.3 * max_words
            and (sum(_words(u) for u in passages[-1]) + tail <= 1.4 * max_words)
        ):
            passages[-1].extend(current)
        else:
            passages.append(current)
    return [" ".join(p) for p in passages]


def _reads_as_prose(text: str) -> bool:
    """Twenty words or more, in sentences of ten words on average (a byline's are shorter)."""
    n = _words(text)
    return n >= 20 and n / max(1, len(sentences(text))) >= 10


def _passage_kind(block_kind: str) -> str:
    # tables and captions read as part of their section; notes and references stand apart
    return block_kind if block_kind in ("references", "note", "contents") else "text"


def split_passages(doc: ParsedDocument, max_words: int = 70, min_words: int = 6) -> list[Passage]:
    """The document's passages, in reading order.

    Front matter before the first heading (bylines, affiliations, dates) is
    left out when the document has headings: it is never a finding. It is told
    from an introduction by its short, list-like sentences ("Riverside Centre
    for Urban Health. Lead researcher: ... Published February 2026."); an
    introduction there, written in sentences, is kept.
    """
    blocks = list(doc.blocks)
    if any(b.heading for b in blocks):
        first = next(i for i, b in enumerate(blocks) if b.heading)
        intro = [b for b in blocks[:first] if b.item or _reads_as_prose(b.text)]
        blocks = intro + blocks[first:]
    out: list[Passage] = []
    for (heading, page, kind), group in groupby(
        blocks, key=lambda b: (b.heading, b.page, _passage_kind(b.kind))
    ):
        for text in _pack(list(group), max_words):
            if _words(text) >= min_words:
                out.append(Passage(text, heading, page, len(out), kind))
    return out
