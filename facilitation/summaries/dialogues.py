"""Dialogues for evaluation, in any speaker format, with a fixed dev / held-out split.

A dialogue's lines may be written as ``#Person1#: text`` (DialogSum), ``Name: text``
(most chat exports and scripts), ``<nick> text`` or ``[hh:mm] <nick> text`` (IRC
logs). A record's ``dialogue`` may also be a JSON list of messages in the replay
transcript's shape (``{"name" or "author" or "speaker", "text"}``), and a whole file
may be one replay transcript (JSON Lines of messages, no reference summary).

``with_names`` turns a DialogSum record into a ``Name: text`` one by putting invented
names in place of ``#PersonN#`` in the dialogue and its references, so the same
dialogues measure a second format without tuning on it alone.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facilitation.summaries.summary import Turn

__all__ = [
    "FORMATS",
    "Dialogue",
    "detect_format",
    "in_split",
    "parse_dialogue",
    "read_dialogues",
    "with_names",
]

FORMATS = ("auto", "tag", "name", "irc")
_TAG_RE = re.compile(r"^\s*(#[^#\s:]{1,30}#)\s*:\s*(.*)$")
_IRC_RE = re.compile(r"^\s*(?:\[\d{1,2}:\d{2}(?::\d{2})?\]\s+)?<([^>\s]{1,40})>\s?(.*)$")
_IRC_ACTION_RE = re.compile(r"^\s*(?:\[\d{1,2}:\d{2}(?::\d{2})?\]\s+)?\*\s+(\S{1,40})\s+(.*)$")
# A name is one to three words (letters, digits, ._'-), none of them a sentence.
_NAME_RE = re.compile(r"^\s*([A-Za-z0-9_.'\-]{1,25}(?: [A-Za-z0-9_.'\-]{1,25}){0,2})\s*:\s+(.*)$")
_PERSON_RE = re.compile(r"#Person(\d+)#")
# Invented names for #PersonN#: varied origins, none a common English word.
NAMES = (
    "Amara Kofi Sunita Harriet Jun Pat Adaeze Tomasz Ines Ravi Mei Oluwaseun Freya Mateo "
    "Yusuf Ingrid Anaya Callum Zanele Hiroshi Leilani Bogdan Priya Eamon Fatima Lars Noor "
    "Dmitri Chiara Kwame Siobhan Arjun Rosa Tariq Elif Bjorn Nadia Joaquin Aiko Declan Marisol "
    "Olu Greta Hamid Lucia Tenzin Maeve Ibrahim Svetlana Rahul Camille Emeka Yara Niamh Diego"
).split()


@dataclass(frozen=True, slots=True)
class Dialogue:
    """One dialogue and its reference summaries (none for a bare transcript)."""

    fname: str
    turns: tuple[Turn, ...]
    lines: tuple[str, ...]
    references: tuple[str, ...]


def detect_format(lines: Sequence[str]) -> str:
    """``tag``, ``irc`` or ``name``: the format most non-empty lines are written in."""
    counts = {"tag": 0, "irc": 0, "name": 0}
    speakers: set[str] = set()
    for line in lines:
        if not line.strip():
            continue
        if _TAG_RE.match(line):
            counts["tag"] += 1
        elif _IRC_RE.match(line) or _IRC_ACTION_RE.match(line):
            counts["irc"] += 1
        elif m := _NAME_RE.match(line):
            counts["name"] += 1
            speakers.add(m.group(1))
    best = max(counts, key=lambda k: counts[k])
    if best == "name" and len(speakers) > max(12, counts["name"] // 2):
        return "tag"  # "Note: ..." everywhere is prose, not a cast of speakers
    return best if counts[best] else "tag"


def _match(line: str, fmt: str) -> tuple[str, str] | None:
    if fmt == "tag":
        m = _TAG_RE.match(line)
    elif fmt == "irc":
        m = _IRC_RE.match(line) or _IRC_ACTION_RE.match(line)
    else:
        m = _TAG_RE.match(line) or _NAME_RE.match(line)
    return (m.group(1).strip(), m.group(2).strip()) if m else None


def parse_dialogue(text: str, fmt: str = "auto") -> tuple[tuple[Turn, ...], tuple[str, ...]]:
    """Split a dialogue into turns; a line without a speaker continues the last turn.

    Args:
        text: the dialogue, one turn a line.
        fmt: one of :data:`FORMATS`; ``auto`` looks at the lines first.

    Returns:
        The turns and the lines as written (speaker included), one per turn.
    """
    raw = [line for line in text.splitlines() if line.strip()]
    if fmt == "auto":
        fmt = detect_format(raw)
    turns: list[Turn] = []
    lines: list[str] = []
    for line in raw:
        found = _match(line, fmt)
        if found is not None:
            speaker, said = found
            turns.append(Turn(speaker=speaker, text=said))
            lines.append(f"{speaker}: {said}" if fmt == "irc" else line.strip())
        elif turns:
            last = turns[-1]
            turns[-1] = Turn(speaker=last.speaker, text=f"{last.text} {line.strip()}")
            lines[-1] = f"{lines[-1]} {line.strip()}"
        else:
            turns.append(Turn(speaker="Someone", text=line.strip()))
            lines.append(line.strip())
    return tuple(turns), tuple(lines)


def _message_turns(messages: Sequence[Any]) -> tuple[tuple[Turn, ...], tuple[str, ...]]:
    turns: list[Turn] = []
    for m in messages:
        if not isinstance(m, dict) or m.get("type", "message") != "message":
            continue
        speaker = str(m.get("name") or m.get("speaker") or m.get("author") or "Someone")
        text = str(m.get("text") or "").strip()
        if text:
            turns.append(Turn(speaker=speaker, text=text, message_id=_str(m.get("id"))))
    return tuple(turns), tuple(f"{t.speaker}: {t.text}" for t in turns)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def read_dialogues(path: Path, fmt: str = "auto") -> Iterator[Dialogue]:
    """Read dialogues from JSON Lines: DialogSum-like records, or one replay transcript.

    Records are ``{"fname"?, "dialogue", "summary" | "summary1".."summary3"}``, the
    dialogue a string in any :data:`FORMATS` or a list of messages. A file whose
    lines are messages (``{"id", "author", "text", ...}``, no ``dialogue``) is read
    as one dialogue with no reference.
    """
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
    if records and all("dialogue" not in r for r in records):
        turns, lines = _message_turns(records)
        yield Dialogue(path.stem, turns, lines, ())
        return
    for number, record in enumerate(records, 1):
        keys = ("summary", "summary1", "summary2", "summary3")
        refs = tuple(str(record[k]) for k in keys if k in record)
        dialogue = record["dialogue"]
        if isinstance(dialogue, list):
            turns, lines = _message_turns(dialogue)
        else:
            turns, lines = parse_dialogue(str(dialogue), fmt)
        yield Dialogue(str(record.get("fname", f"line_{number}")), turns, lines, refs)


def with_names(dialogue: Dialogue) -> Dialogue:
    """The same dialogue with invented names for ``#PersonN#`` (fixed per ``fname``)."""
    rng = random.Random(zlib.crc32(dialogue.fname.encode()))
    text = " ".join(dialogue.lines + dialogue.references)
    taken = {w.strip(".,!?'") for w in text.split()}
    pool = [n for n in NAMES if n not in taken]
    picked = rng.sample(pool, 6)

    def name(text: str) -> str:
        return _PERSON_RE.sub(lambda m: picked[(int(m.group(1)) - 1) % len(picked)], text)

    turns = tuple(
        Turn(speaker=name(t.speaker), text=name(t.text), message_id=t.message_id)
        for t in dialogue.turns
    )
    lines = tuple(f"{t.speaker}: {t.text}" for t in turns)
    return Dialogue(dialogue.fname, turns, lines, tuple(name(r) for r in dialogue.references))


def in_split(fname: str, split: str, held_out_share: int = 30) -> bool:
    """``dev`` (tuned on), ``test`` (held out, never tuned on) or ``all``; fixed by fname."""
    if split == "all":
        return True
    held_out = zlib.crc32(fname.encode()) % 100 < held_out_share
    return held_out if split == "test" else not held_out
