"""What facilitation modules ask an adapter to do.

Every action carries a :class:`Target` that names the platform, so the outbox can
route it back through the adapter the triggering event came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.events import Event

__all__ = [
    "Action",
    "DirectMessage",
    "MessageRef",
    "OpenThread",
    "Pin",
    "React",
    "Reply",
    "Say",
    "Target",
    "UploadFile",
]


@dataclass(frozen=True, slots=True)
class Target:
    platform: str
    community: str
    channel: str
    thread: str | None = None

    @classmethod
    def of(cls, event: Event) -> Target:
        return cls(event.platform, event.community, event.channel, event.thread)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot sent (one action may produce several: long texts split)."""

    platform: str
    channel: str
    message_id: str
    thread: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Say:
    """Post ``text`` in the target channel (or thread)."""

    target: Target
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Reply:
    """Post ``text`` as a reply to ``message_id``."""

    target: Target
    message_id: str
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class React:
    target: Target
    message_id: str
    emoji: str


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenThread:
    """Open a native thread from ``message_id`` and post ``text`` in it."""

    target: Target
    message_id: str
    name: str
    text: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Pin:
    target: Target
    message_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DirectMessage:
    """Send ``text`` privately to ``user`` on ``platform``."""

    platform: str
    user: str
    text: str
    community: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class UploadFile:
    """Share a file, in the channel or privately to ``private_to``."""

    target: Target
    path: Path
    comment: str = ""
    private_to: str | None = None


Action = Say | Reply | React | OpenThread | Pin | DirectMessage | UploadFile


def action_platform(action: Action) -> str:
    match action:
        case DirectMessage(platform=platform):
            return platform
        case Say(target=t) | Reply(target=t) | React(target=t) | OpenThread(target=t):
            return t.platform
        case Pin(target=t) | UploadFile(target=t):
            return t.platform
    raise TypeError(f"not an action: {action!r}")
