"""The live map of open conversations, and the texts of /threads and /catchup.

Pure bookkeeping over linked messages: feed it each message with its
:class:`Link` and ask for views. Who sends what, and where, is the caller's job.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from bot.clock import Clock
from bot.prompts import Prompts
from facilitation.bots import is_bot_line, is_bot_name, is_meeting_command
from facilitation.summaries.labels import describe, in_prose
from facilitation.threads.message import Link, ThreadMessage

__all__ = [
    "Answered",
    "Conversation",
    "ThreadMap",
    "catchup_since",
    "catchup_text",
    "gist",
    "threads_text",
    "topic",
]
_SAID = 30


@dataclass(frozen=True, slots=True)
class Said:
    """One message a conversation remembers for /catchup."""

    name: str
    text: str
    ts: datetime
    id: str
    author: str = ""


@dataclass(frozen=True, slots=True)
class Answered:
    """One of the asker's questions, answered while they were away."""

    question: str
    by: str
    answer: str
    message_id: str


_WORD = re.compile(r"[a-zA-Z][a-zA-Z0-9+#'-]{2,}")
# a word list reads better as text than as 100 quoted strings
_STOP = frozenset(
    """about after again also and any anyone are because been but can cannot could did
    does doing don't done for from get got had has have hello here hey how i'm into
    it's its just know like maybe more most much need not now one only other our out
    really right see should so some still sure than thank thanks that that's the their
    them then there these they thing think this those too try use using very want was
    way well were what when where which while who why will with would yeah yes you
    you're your""".split()
)


@dataclass(slots=True)
class Conversation:
    """One conversation as the map knows it."""

    id: str
    started: datetime
    last_activity: datetime
    starter: str
    opening: str
    last_message: str
    count: int = 0
    people: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    times: list[datetime] = field(default_factory=list)
    said: deque[Said] = field(default_factory=lambda: deque(maxlen=_SAID))
    authors: set[str] = field(default_factory=set)
    """Author ids (``people`` counts display names)."""

    def new_since(self, since: datetime) -> int:
        return sum(1 for t in self.times if t > since)


class ThreadMap:
    """Open conversations of one channel: topic words, people, last activity.

    Args:
        clock: decides what "open" (active within ``idle_minutes``) means now.
        idle_minutes: a conversation quiet this long is no longer open.
        capacity: conversations remembered (oldest activity forgotten first).
    """

    def __init__(self, clock: Clock, *, idle_minutes: float = 30, capacity: int = 500) -> None:
        self.clock = clock
        self.idle = timedelta(minutes=idle_minutes)
        self.capacity = capacity
        self._convs: OrderedDict[str, Conversation] = OrderedDict()
        self._last_said: dict[str, datetime] = {}
        self._doc_freq: Counter[str] = Counter()

    def add(self, msg: ThreadMessage, link: Link) -> Conversation | None:
        """Record ``msg`` in its conversation (system lines and other bots are ignored)."""
        name = msg.author_name or msg.author
        if msg.system or is_bot_name(name) or is_bot_line(msg.text):
            return None
        when = msg.ts or self.clock.now()
        conv = self._convs.get(link.conversation)
        if conv is None:
            conv = Conversation(link.conversation, when, when, name, msg.text, msg.id)
            self._convs[link.conversation] = conv
        self._convs.move_to_end(link.conversation)
        conv.last_activity = max(conv.last_activity, when)
        conv.last_message = msg.id
        conv.count += 1
        conv.people[name] += 1
        conv.authors.add(msg.author)
        conv.times.append(when)
        if not is_meeting_command(msg.text):
            conv.said.append(Said(name, msg.text, when, msg.id, msg.author))
        words = {w.lower() for w in _WORD.findall(msg.text)} - _STOP
        fresh = words - conv.words.keys()
        self._doc_freq.update(fresh)
        conv.words.update(words)
        self._last_said[msg.author] = max(self._last_said.get(msg.author, when), when)
        while len(self._convs) > self.capacity:
            _, old = self._convs.popitem(last=False)
            self._doc_freq.subtract(old.words.keys())
        return conv

    def get(self, conversation: str) -> Conversation | None:
        return self._convs.get(conversation)

    def keywords(self, conv: Conversation, k: int = 3) -> list[str]:
        """Words frequent in ``conv`` and rare in the other conversations."""
        n = max(len(self._convs), 1)

        def weight(word: str) -> float:
            return conv.words[word] * math.log(1 + n / max(self._doc_freq[word], 1))

        return sorted(conv.words, key=lambda w: (-weight(w), w))[:k]

    def open_conversations(self, *, min_messages: int = 2) -> list[Conversation]:
        """Conversations active within the idle window, latest activity first."""
        cutoff = self.clock.now() - self.idle
        found = [
            c for c in self._convs.values() if c.last_activity >= cutoff and c.count >= min_messages
        ]
        return sorted(found, key=lambda c: c.last_activity, reverse=True)

    def last_said(self, author: str) -> datetime | None:
        """When ``author`` last posted in this channel, if the map saw it."""
        return self._last_said.get(author)

    def moved_since(self, since: datetime, *, exclude: str | None = None) -> list[Conversation]:
        """Conversations with messages after ``since`` from someone other than ``exclude``."""
        moved = [c for c in self._convs.values() if c.last_activity > since and c.new_since(since)]
        if exclude is not None:
            moved = [c for c in moved if c.authors - {exclude}]
        return sorted(moved, key=lambda c: c.last_activity, reverse=True)

    def side_conversations(self, *, min_messages: int = 8, min_open: int = 2) -> list[Conversation]:
        """Long conversations while others are open too: candidates for a native thread."""
        active = self.open_conversations()
        if len(active) < min_open:
            return []
        return [c for c in active if c.count >= min_messages]


def _people(prompts: Prompts, people: Counter[str], most: int = 3) -> str:
    names = [n for n, _ in people.most_common()]
    if len(names) <= most:
        return ", ".join(names)
    return prompts("threads.map.others", names=", ".join(names[:most]), count=len(names) - most)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def gist(prompts: Prompts, tmap: ThreadMap, conv: Conversation) -> str:
    """One line: who opened the conversation, with what, and its topic words."""
    line = prompts("threads.gist.line", starter=conv.starter, opening=_short(conv.opening))
    about = topic(tmap, conv)
    if not about:
        return line
    return prompts("threads.gist.with_keywords", line=line, keywords=about)


def catchup_since(
    prompts: Prompts, tmap: ThreadMap, author: str, minutes: float | None
) -> tuple[datetime, str]:
    """Where ``author``'s /catchup starts, and how to say so ("your last message")."""
    now = tmap.clock.now()
    last = tmap.last_said(author)
    if minutes is not None or last is None:
        span = minutes if minutes is not None else tmap.idle.total_seconds() / 60
        return now - timedelta(minutes=span), prompts(
            "threads.catchup.since_minutes", minutes=round(span)
        )
    return last, prompts("threads.catchup.since_last_message")


def catchup_text(
    prompts: Prompts,
    tmap: ThreadMap,
    *,
    author: str,
    minutes: float | None = None,
    link_for: Callable[[str], str] = lambda message_id: "",
    limit: int = 8,
    answered: Sequence[Answered] = (),
) -> str:
    """The private /catchup digest for ``author``, in whole sentences.

    First the asker's own questions answered meanwhile (who answered, and what);
    then each conversation that moved: who talked, what about, and one thing said
    there, quoted as said.

    Args:
        prompts: the bot's texts.
        tmap: the channel's map.
        author: who asked; their own conversations count only if others spoke.
        minutes: look back this far; ``None`` means since the author's last message
            (or the idle window when they have not spoken).
        link_for: a jump link to a message id (the adapter knows the URL form).
        limit: most conversations listed.
        answered: the author's questions answered since then (the caller looks them up).
    """
    since, label = catchup_since(prompts, tmap, author, minutes)
    moved = tmap.moved_since(since, exclude=author)[:limit]
    if not moved and not answered:
        return prompts("threads.catchup.empty", since=label)
    lines = [prompts("threads.catchup.header", since=label)]
    for a in answered:
        lines.append(
            prompts(
                "threads.catchup.answered",
                who=a.by,
                question=_words(a.question, 16),
                answer=_words(a.answer, 30),
                link=link_for(a.message_id),
            ).rstrip()
        )
    for conv in moved:
        said = _said(prompts, tmap, conv, since, author)
        about = topic(tmap, conv, prose=True) if len(conv.people) > 1 else ""
        if not about and not said:
            continue  # nothing to tell about it
        if about:
            key = "threads.catchup.item"
        elif said and len(conv.people) == 1:
            key = "threads.catchup.item_said"
        else:
            key = "threads.catchup.item_untitled"
        lines.append(
            prompts(
                key,
                names=_and(prompts, list(conv.people)),
                topic=about,
                said=said,
                count=conv.new_since(since),
                link=link_for(conv.last_message),
            ).rstrip()
        )
    return "\n".join(re.sub(r"  +", " ", line) for line in lines)


def _and(prompts: Prompts, names: list[str], most: int = 3) -> str:
    if len(names) > most:
        return prompts("threads.map.others", names=", ".join(names[:most]), count=len(names) - most)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def topic(tmap: ThreadMap, conv: Conversation, *, prose: bool = False) -> str:
    """What a conversation is about in a noun phrase or two ("coffee break"); in
    ``prose``, as a sentence names it ("the coffee break")."""
    texts = tuple(s.text for s in conv.said)
    found = _describe(texts, tuple(tmap.keywords(conv, k=6)), tuple(conv.people))
    if prose:
        lower = [t.lower() for t in texts]
        found = tuple(in_prose(p, lower) for p in found)
    return " and ".join(found)


@lru_cache(maxsize=256)
def _describe(
    texts: tuple[str, ...], words: tuple[str, ...], names: tuple[str, ...]
) -> tuple[str, ...]:
    return describe(texts, words, names, 2)


def _said(
    prompts: Prompts, tmap: ThreadMap, conv: Conversation, since: datetime, reader: str = ""
) -> str:
    """The most telling thing others said since ``since``, quoted with its speaker."""
    recent = [
        s
        for s in conv.said
        if s.ts > since and len(s.text.split()) >= 4 and (not reader or s.author != reader)
    ]
    if not recent:
        return ""
    top = set(tmap.keywords(conv, k=8))

    def weight(s: Said) -> tuple[int, int]:
        words = {w.lower() for w in _WORD.findall(s.text)}
        return len(words & top), min(len(s.text.split()), 25)

    best = max(recent, key=weight)
    return prompts("threads.catchup.said", name=best.name, text=_words(best.text, 25))


def _words(text: str, most: int) -> str:
    parts = text.split()
    return " ".join(parts) if len(parts) <= most else " ".join(parts[:most]) + "…"


def threads_text(
    prompts: Prompts,
    tmap: ThreadMap,
    *,
    link_for: Callable[[str], str] = lambda message_id: "",
    limit: int = 10,
) -> str:
    """The /threads map: open conversations, latest activity first."""
    convs: Sequence[Conversation] = tmap.open_conversations()[:limit]
    if not convs:
        return prompts("threads.map.empty")
    now = tmap.clock.now()
    lines = [prompts("threads.map.header")]
    for conv in convs:
        minutes = int((now - conv.last_activity).total_seconds() // 60)
        ago = (
            prompts("threads.map.just_now")
            if minutes < 1
            else prompts("threads.map.minutes_ago", minutes=minutes)
        )
        lines.append(
            prompts(
                "threads.map.item",
                keywords=topic(tmap, conv) or _short(conv.opening, 30),
                people=_people(prompts, conv.people),
                count=conv.count,
                ago=ago,
                link=link_for(conv.last_message),
            )
        )
    return "\n".join(lines)
