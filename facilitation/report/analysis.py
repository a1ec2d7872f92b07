"""Reading an event's shape: its conversations, highlights, timeline and links.

Conversations come from the threads module (the ``conversation`` column) where
it ran; otherwise reply chains and mentions join messages, which is cheap and
right for the messages that matter most (answers and exchanges).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from facilitation.ledger.data import Message
from facilitation.ledger.store import PersonKey
from facilitation.summaries import Summary, Turn

__all__ = [
    "Highlight",
    "Timeline",
    "conversations",
    "highlights",
    "tidy",
    "timeline",
    "titles",
    "turns_of",
    "without_names",
]

_MENTION_WINDOW = timedelta(minutes=10)
_LOWER_RE = re.compile(r"(?<=\s)[a-z][a-z']*")


def _address_re(names: set[str]) -> re.Pattern[str] | None:
    """Matches a message's opening address: "Grace, ...", "@Jun ...", "Question for Pat: ..."."""
    names = {n for n in names if n and len(n) <= 40}
    if not names:
        return None
    alt = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(
        rf"^\s*(?:(?:a\s+)?(?:question|q)\s+for\s+)?@?(?:{alt})\b\s*[,:!—-]?\s+", re.IGNORECASE
    )


def turns_of(
    messages: Sequence[Message], reactions: Counter[str], people: Iterable[str] = ()
) -> list[Turn]:
    """Messages as summariser turns: names, reactions as weight, replies as addressees.

    An opening address ("Grace, ...") is dropped: a summary sentence reads
    better without it, and the reply still names who was answered. ``people`` are
    more names an address may use (everyone in the channel, not only this
    conversation's speakers: "Mjuksel: if you did make install ...").
    """
    names = {m.author: m.author_name for m in messages}
    address = _address_re(set(names.values()) | set(people))
    # The summariser capitalises a sentence's first word and lowers it again only when
    # the discussion uses it in lower case; drop an address only when that will work.
    lower = {w for m in messages for w in _LOWER_RE.findall(m.text or "")} if address else set()
    return [
        Turn(
            speaker=m.author_name or "someone",
            text=_unaddressed(m.text or "", address, lower),
            message_id=m.message_id,
            ts=m.ts,
            weight=float(reactions.get(m.message_id, 0)),
            addressee=names.get(m.reply_to_author) if m.reply_to_author else None,
        )
        for m in messages
    ]


def conversations(messages: Sequence[Message]) -> list[list[Message]]:
    """Messages grouped into conversations, biggest first; one-off messages left out."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    known = {m.message_id for m in messages}
    by_conv: dict[str, str] = {}
    last_by: dict[PersonKey, Message] = {}
    for m in messages:
        find(m.message_id)
        if m.conversation:
            first = by_conv.setdefault(m.conversation, m.message_id)
            union(first, m.message_id)
            continue
        if m.reply_to and m.reply_to in known:
            union(m.reply_to, m.message_id)
        for who in m.mentions:
            prev = last_by.get(who)
            if prev is not None and m.ts - prev.ts <= _MENTION_WINDOW:
                union(prev.message_id, m.message_id)
        last_by[m.author] = m
    groups: dict[str, list[Message]] = {}
    for m in messages:
        groups.setdefault(find(m.message_id), []).append(m)
    found = [g for g in groups.values() if len(g) >= 2]
    return sorted(found, key=lambda g: (-len(g), g[0].ts))


def _unaddressed(text: str, address: re.Pattern[str] | None, lower: set[str]) -> str:
    if address is None:
        return text
    rest = address.sub("", text, count=1)
    if rest == text or len(rest.split()) < 3:
        return text
    first = re.sub(r"\W+$", "", rest.split(" ", 1)[0])
    return rest if rest[:1].isupper() or first.lower() in lower else text


@dataclass(frozen=True, slots=True)
class Highlight:
    message: Message
    why: str
    """"well received", "turned the discussion" or "representative"."""
    reactions: int
    replies: int


def highlights(
    messages: Sequence[Message],
    reactions: Counter[str],
    representative: Sequence[str],
    limit: int,
) -> list[Highlight]:
    """Messages worth showing again: well received, drawing replies, or typical."""
    replies = Counter(m.reply_to for m in messages if m.reply_to)
    by_id = {m.message_id: m for m in messages}
    chosen: dict[str, Highlight] = {}

    def add(mid: str, why: str) -> None:
        m = by_id.get(mid)
        if m is not None and mid not in chosen and len(chosen) < limit:
            chosen[mid] = Highlight(m, why, reactions.get(mid, 0), replies.get(mid, 0))

    share = max(1, limit // 3)
    for mid, n in reactions.most_common():
        if n < 2 or sum(h.why == "well received" for h in chosen.values()) >= share:
            break
        add(mid, "well received")
    for mid, n in replies.most_common():
        if n < 2 or sum(h.why == "turned the discussion" for h in chosen.values()) >= share:
            break
        add(mid, "turned the discussion")
    for mid in representative:
        add(mid, "representative")
    return sorted(chosen.values(), key=lambda h: h.message.ts)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Per time bin: when it starts, messages, people posting, people seen so far."""

    starts: list[datetime]
    messages: list[int]
    people: list[int]
    cumulative: list[int]
    minutes: int


class Stamped(Protocol):
    """When a message was posted and by whom: all the activity chart needs."""

    @property
    def ts(self) -> datetime: ...

    @property
    def author(self) -> PersonKey: ...


def timeline(messages: Sequence[Stamped], start: datetime | None = None) -> Timeline:
    """Activity in bins of 1 to 30 minutes: about 15 to 40 bins over the event."""
    if not messages:
        return Timeline([], [], [], [], 5)
    first = min(start or messages[0].ts, messages[0].ts)
    last = max(m.ts for m in messages)
    span = max((last - first).total_seconds() / 60, 1.0)
    # past 40 two-hour bins, wider bins: never more than 40, whatever the span
    minutes = next((b for b in (1, 2, 5, 10, 15, 30, 60, 120) if span / b <= 40), None)
    minutes = minutes or math.ceil(span / 40)
    count = int(span // minutes) + 1
    starts = [first + timedelta(minutes=minutes * i) for i in range(count)]
    per: list[int] = [0] * count
    who: list[set[PersonKey]] = [set() for _ in range(count)]
    for m in messages:
        i = min(int((m.ts - first).total_seconds() // (60 * minutes)), count - 1)
        per[i] += 1
        who[i].add(m.author)
    seen: set[PersonKey] = set()
    cumulative = []
    for people in who:
        seen |= people
        cumulative.append(len(seen))
    return Timeline(starts, per, [len(p) for p in who], cumulative, minutes)


def without_names(phrases: Sequence[str], messages: Sequence[Message]) -> tuple[str, ...]:
    """Key phrases that are not people's names (chat names its speakers a lot)."""
    names = {w.lower() for m in messages for w in (m.author_name or "").split()}
    return tuple(p for p in phrases if not names & set(p.split()))


def titles(group: Sequence[Message], phrases: Sequence[str], min_uses: int) -> tuple[str, ...]:
    """A conversation's title: the wider discussion's themes it uses most.

    Phrases drawn from many messages read better than those of a few.
    """
    lower = [(m.text or "").lower() for m in group]
    uses = Counter({p: sum(p in t for t in lower) for p in phrases})
    return tuple(p for p, n in uses.most_common(3) if n >= min_uses)[:3]


_FRAMED_RE = re.compile(r"\b(says|asks|suggests|whether|wonders) ([A-Z][a-z']+)\b")


def tidy(summary: Summary, messages: Sequence[Message]) -> Summary:
    """ "Amara says Sadly ..." -> "Amara says sadly ...": a capital the sentence start left."""
    lower = {w for m in messages for w in _LOWER_RE.findall(m.text or "")}
    names = {w for m in messages for w in (m.author_name or "").split()}

    def fix(match: re.Match[str]) -> str:
        word = match.group(2)
        if word in names or word.lower() not in lower:
            return match.group(0)
        return f"{match.group(1)} {word.lower()}"

    sentences = tuple(replace(x, text=_FRAMED_RE.sub(fix, x.text)) for x in summary.sentences)
    return replace(summary, sentences=sentences, text=" ".join(x.text for x in sentences))
