"""Platform-neutral events.

Adapters translate each platform payload into one of these frozen dataclasses.
Facilitation code only ever sees these, never a platform object (``raw`` is kept
for debugging and is never read by facilitation code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "EARLIEST",
    "LATEST",
    "Annotation",
    "Capabilities",
    "CommandIssued",
    "ConversationAssigned",
    "Event",
    "MemberJoined",
    "MemberLeft",
    "MessageDeleted",
    "MessageEdited",
    "MessagePosted",
    "ReactionAdded",
    "ReactionRemoved",
    "SessionChanged",
    "extract_links",
    "place_key",
    "plausible_ts",
]

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Timestamps outside this range are refused at the edge: no chat happened before
1970, and a date in year 9999 (or year 1) would make every span computed from it
absurd (a timeline of millions of bins)."""


def plausible_ts(ts: datetime) -> bool:
    """Whether ``ts`` (timezone-aware) is a time a chat message could have been sent."""
    return ts.tzinfo is not None and EARLIEST <= ts < LATEST


_LINK_RE = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


def extract_links(text: str) -> tuple[str, ...]:
    """Return the http(s) links in ``text``, in order, without trailing punctuation."""
    return tuple(m.group(0).rstrip(".,;:!?") for m in _LINK_RE.finditer(text))


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform lets the bot do; modules degrade where one is missing."""

    native_threads: bool = False
    reactions: bool = False
    direct_messages: bool = False
    file_upload: bool = False
    slash_commands: bool = False
    pins: bool = False
    edits: bool = False
    message_limit: int = 4000


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """Something that happened in a channel the bot is in.

    ``platform``/``community``/``channel``/``thread`` say where; ``author`` is the
    platform's stable user id and ``author_name`` the name to show. ``private``
    marks a direct message to the bot.
    """

    platform: str
    community: str
    channel: str
    ts: datetime
    author: str
    author_name: str = ""
    thread: str | None = None
    private: bool = False
    author_roles: frozenset[str] = frozenset()
    delivery_id: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def place(self) -> str:
        """The ordering key: events of one channel are handled in order."""
        return place_key(self.platform, self.community, self.channel)

    @property
    def dedup_key(self) -> str:
        """What makes two deliveries of this event the same event."""
        return f"{self.kind}:{self.author}:{self.ts.isoformat()}"

    @property
    def display_name(self) -> str:
        return self.author_name or self.author


def place_key(platform: str, community: str, channel: str) -> str:
    return f"{platform}:{community}:{channel}"


@dataclass(frozen=True, kw_only=True, slots=True)
class MessagePosted(Event):
    message_id: str
    text: str
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    from_bot: bool = False

    @property
    def dedup_key(self) -> str:
        return f"msg:{self.message_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageEdited(Event):
    message_id: str
    text: str
    mentions: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def dedup_key(self) -> str:
        return f"edit:{self.message_id}:{self.ts.isoformat()}"


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageDeleted(Event):
    message_id: str

    @property
    def dedup_key(self) -> str:
        return f"del:{self.message_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReactionAdded(Event):
    message_id: str
    emoji: str

    @property
    def dedup_key(self) -> str:
        return f"react+:{self.message_id}:{self.author}:{self.emoji}:{self.ts.isoformat()}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReactionRemoved(Event):
    message_id: str
    emoji: str

    @property
    def dedup_key(self) -> str:
        return f"react-:{self.message_id}:{self.author}:{self.emoji}:{self.ts.isoformat()}"


@dataclass(frozen=True, kw_only=True, slots=True)
class MemberJoined(Event):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class MemberLeft(Event):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class CommandIssued(Event):
    """A command in the one grammar, e.g. ``/event start "Sleep research"``.

    ``name`` is the first word without its prefix, lower-cased (``event``);
    ``args`` is the rest of the text, unparsed. Adapters produce this for native
    slash commands; typed commands in ordinary messages are turned into this by
    the bot (``bot.commands.as_command``), so parsing happens once, in ``bot/``.
    ``message_id`` is set when the command was an ordinary message.
    """

    name: str
    args: str = ""
    message_id: str | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()
    interaction_id: str | None = None

    @property
    def text(self) -> str:
        return f"/{self.name} {self.args}".rstrip()

    @property
    def dedup_key(self) -> str:
        if self.message_id:
            return f"msg:{self.message_id}"
        if self.interaction_id:
            return f"cmd:{self.interaction_id}"
        return f"cmd:{self.author}:{self.ts.isoformat()}:{self.name}:{self.args}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Annotation(Event):
    """Something a module learnt about a message already in the log.

    Published through the bus like any event, but not a row of its own: the log
    writes it onto the row of ``message_id`` (:meth:`bot.store.EventLog.annotate`),
    then the bus hands it straight to its subscribers, inside the unit of work of
    the event being handled. Publishing it again (a redelivery) writes the same.
    """

    message_id: str

    @property
    def dedup_key(self) -> str:
        return f"{self.kind}:{self.message_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ConversationAssigned(Annotation):
    """A message belongs to ``conversation`` (the threads module links each message).

    Stored as the message's ``conversation`` in the log, so reports and exports
    can group messages by conversation without asking the threads module.
    """

    conversation: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionChanged(Event):
    """The bot's own event: a Q&A event started, paused, resumed or ended here.

    Published through the bus like any other event, so it is logged and
    modules see it in order with the channel's messages.
    """

    session_id: int
    state: str
    title: str = ""

    @property
    def dedup_key(self) -> str:
        return f"session:{self.session_id}:{self.state}:{self.ts.isoformat()}"
