"""The live map of open conversations, and the texts of /threads and /catchup.

Pure bookkeeping over linked messages: feed it each message with its
:class:`Link` and ask for views. Who sends what, and where, is the caller's job.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.prompts import Prompts
from facilitation.threads.message import Link, ThreadMessage

__all__ = ["Conversation", "ThreadMap", "catchup_text", "gist", "threads_text"]

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
        """Record ``msg`` in its conversation (system lines are ignored)."""
        if msg.system:
            return None
        when = msg.ts or self.clock.now()
        name = msg.author_name or msg.author
        conv = self._convs.get(link.conversation)
        if conv is None:
            conv = Conversation(link.conversation, when, when, name, msg.text, msg.id)
            self._convs[link.conversation] = conv
        self._convs.move_to_end(link.conversation)
        conv.last_activity = max(conv.last_activity, when)
        conv.last_message = msg.id
        conv.count += 1
        conv.people[name] += 1
        conv.times.append(when)
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
            moved = [c for c in moved if set(c.people) != {exclude}]
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
    words = tmap.keywords(conv)
    if not words:
        return line
    return prompts("threads.gist.with_keywords", line=line, keywords=", ".join(words))


def catchup_text(
    prompts: Prompts,
    tmap: ThreadMap,
    *,
    author: str,
    minutes: float | None = None,
    link_for: Callable[[str], str] = lambda message_id: "",
    limit: int = 8,
) -> str:
    """The private /catchup digest for ``author``.

    Args:
        prompts: the bot's texts.
        tmap: the channel's map.
        author: who asked; their own conversations count only if others spoke.
        minutes: look back this far; ``None`` means since the author's last message
            (or the idle window when they have not spoken).
        link_for: a jump link to a message id (the adapter knows the URL form).
        limit: most conversations listed.
    """
    now = tmap.clock.now()
    last = tmap.last_said(author)
    if minutes is not None or last is None:
        span = minutes if minutes is not None else tmap.idle.total_seconds() / 60
        since = now - timedelta(minutes=span)
        label = prompts("threads.catchup.since_minutes", minutes=round(span))
    else:
        since = last
        label = prompts("threads.catchup.since_last_message")
    moved = tmap.moved_since(since, exclude=author)[:limit]
    if not moved:
        return prompts("threads.catchup.empty", since=label)
    lines = [prompts("threads.catchup.header", since=label)]
    for conv in moved:
        lines.append(
            prompts(
                "threads.catchup.item",
                gist=gist(prompts, tmap, conv),
                people=_people(prompts, conv.people),
                count=conv.new_since(since),
                link=link_for(conv.last_message),
            )
        )
    return "\n".join(lines)


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
                keywords=", ".join(tmap.keywords(conv)) or _short(conv.opening, 30),
                people=_people(prompts, conv.people),
                count=conv.count,
                ago=ago,
                link=link_for(conv.last_message),
            )
        )
    return "\n".join(lines)
