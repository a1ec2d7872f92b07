"""Slack payloads -> Roundtable events, and text both ways. Pure: no I/O.

Message ids are ``"<channel>:<ts>"``: Slack's ``ts`` is only unique within a
channel, and a redelivered event carries the same channel and ``ts``, so the same
Slack message always gets the same id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.slack.emoji import name_to_emoji
from bot.events import (
    CommandIssued,
    Event,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    extract_links,
    plausible_ts,
)

__all__ = [
    "PLATFORM",
    "Delivery",
    "Malformed",
    "command_event",
    "escape_text",
    "event_from_callback",
    "is_slack_ts",
    "message_id",
    "parse_ts",
    "slack_to_plain",
    "split_message_id",
]

log = logging.getLogger("roundtable.slack")

PLATFORM = "slack"
_TS_RE = re.compile(r"\d+\.\d+")
_TS_OR_SECONDS_RE = re.compile(r"\d{1,12}(\.\d{1,9})?")
_ANGLE_RE = re.compile(r"<([^<>]*)>")
# Subtypes that are ordinary posts; the others are joins, topic changes, etc.
_POST_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message", "bot_message"})


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where an Events API payload came from: its event id and Slack's retry count."""

    event_id: str = ""
    retry_num: int = 0

    @property
    def delivery_id(self) -> str | None:
        # Slack keeps event_id across retries; the suffix marks a redelivery.
        if not self.event_id:
            return None
        return self.event_id if self.retry_num == 0 else f"{self.event_id}:retry{self.retry_num}"


def is_slack_ts(value: str) -> bool:
    return bool(_TS_RE.fullmatch(value))


class Malformed(ValueError):
    """A payload field is missing, of the wrong type, or out of range."""


def parse_ts(ts: str) -> datetime:
    """Slack ``"1700000000.000100"`` -> an exact UTC datetime (no float rounding).

    Raises :class:`Malformed` for anything else, or a time outside 1970-2100.
    """
    if not isinstance(ts, str) or not _TS_OR_SECONDS_RE.fullmatch(ts):
        raise Malformed(f"not a Slack timestamp: {ts!r:.40}")
    seconds, _, frac = ts.partition(".")
    micros = int((frac + "000000")[:6])
    try:
        when = datetime.fromtimestamp(int(seconds), UTC) + timedelta(microseconds=micros)
    except (OverflowError, ValueError, OSError):
        raise Malformed(f"timestamp out of range: {ts!r:.40}") from None
    if not plausible_ts(when):
        raise Malformed(f"timestamp out of range: {ts!r:.40}")
    return when


def _obj(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object field; absent or null is empty, anything else is malformed."""
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Malformed(f"{key!r} should be an object")
    return value


def _str(container: Mapping[str, Any], key: str, default: str = "") -> str:
    """A text field; absent or null is ``default``, numbers are read as text."""
    value = container.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Malformed(f"{key!r} should be text")
    return str(value)


def message_id(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def split_message_id(mid: str, default_channel: str) -> tuple[str, str]:
    """``"C1:123.45"`` -> ``("C1", "123.45")``; a bare ts uses ``default_channel``."""
    channel, sep, ts = mid.rpartition(":")
    return (channel, ts) if sep else (default_channel, mid)


def escape_text(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack's mrkdwn rules ask.

    Every Slack mention (``<!channel>``, ``<!here>``, ``<@U1>``) needs angle
    brackets, so escaped text can never ping anyone.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_to_plain(text: str) -> tuple[str, tuple[str, ...]]:
    """Slack markup -> readable plain text, plus the user ids mentioned.

    ``<@U1|ann>`` -> ``@ann``, ``<#C1|general>`` -> ``#general``,
    ``<https://x|label>`` -> ``label (https://x)``, ``&amp;`` -> ``&``.
    """
    mentions: list[str] = []

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            mentions.append(target[1:])
            return f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            word = target[1:].split("^", 1)[0]
            return label if label else f"@{word}"
        if label and label != target and not target.startswith("mailto:"):
            return f"{label} ({target})"
        return label or target.removeprefix("mailto:")

    converted = _ANGLE_RE.sub(plain, text)
    unescaped = converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return unescaped, tuple(dict.fromkeys(mentions))


def command_event(payload: Mapping[str, Any], *, now: datetime) -> CommandIssued:
    """A native slash command (form fields or Socket Mode payload) -> ``CommandIssued``.

    Raises :class:`Malformed` when a field has the wrong type.
    """
    channel = _str(payload, "channel_id")
    text, _ = slack_to_plain(_str(payload, "text"))
    return CommandIssued(
        platform=PLATFORM,
        community=_str(payload, "team_id"),
        channel=channel,
        ts=now,
        author=_str(payload, "user_id"),
        author_name=_str(payload, "user_name"),
        private=channel.startswith("D") or payload.get("channel_name") == "directmessage",
        name=_str(payload, "command").lstrip("/").lower(),
        args=text.strip(),
        interaction_id=_str(payload, "trigger_id") or None,
        raw=dict(payload),
    )


def event_from_callback(
    body: Mapping[str, Any], *, delivery: Delivery | None = None
) -> Event | None:
    """An Events API ``event_callback`` body -> one event, or None to ignore it.

    A body whose fields have the wrong type, or whose time is not a plausible
    Slack timestamp, is ignored with a warning: Slack retrying it would not help.
    """
    try:
        return _callback(body, delivery)
    except Malformed as exc:
        log.warning("ignored a malformed Slack event: %s", exc)
        return None


def _callback(body: Mapping[str, Any], delivery: Delivery | None) -> Event | None:
    if not isinstance(body, Mapping):
        raise Malformed("the body should be an object")
    event = _obj(body, "event")
    team = _str(body, "team_id") or _str(event, "team")
    delivery_id = delivery.delivery_id if delivery else None
    base: dict[str, Any] = {"platform": PLATFORM, "community": team, "delivery_id": delivery_id}
    kind = event.get("type")
    if kind == "message":
        return _message(event, base)
    if kind in ("reaction_added", "reaction_removed"):
        item = _obj(event, "item")
        if item.get("type") != "message":
            return None
        channel = _str(item, "channel")
        cls = ReactionAdded if kind == "reaction_added" else ReactionRemoved
        return cls(
            **base,
            channel=channel,
            ts=parse_ts(_str(event, "event_ts", "0")),
            author=_str(event, "user"),
            private=channel.startswith("D"),
            message_id=message_id(channel, _str(item, "ts")),
            emoji=name_to_emoji(_str(event, "reaction")),
            raw=dict(body),
        )
    if kind in ("member_joined_channel", "member_left_channel"):
        member_cls = MemberJoined if kind == "member_joined_channel" else MemberLeft
        return member_cls(
            **base,
            channel=_str(event, "channel"),
            ts=parse_ts(_str(event, "event_ts", "0")),
            author=_str(event, "user"),
            raw=dict(body),
        )
    return None


def _message(event: Mapping[str, Any], base: dict[str, Any]) -> Event | None:
    subtype = _str(event, "subtype") or None
    channel = _str(event, "channel")
    private = event.get("channel_type") == "im"
    where = {**base, "channel": channel, "private": private, "raw": dict(event)}
    if subtype == "message_changed":
        new = _obj(event, "message")
        if new.get("edited") is None:  # link unfurls also arrive as message_changed
            return None
        edited = _obj(new, "edited")
        text, mentions = slack_to_plain(_str(new, "text"))
        return MessageEdited(
            **where,
            ts=parse_ts(_str(edited, "ts") or _str(event, "event_ts", "0")),
            author=_str(new, "user"),
            thread=_thread_of(new),
            message_id=message_id(channel, _str(new, "ts")),
            text=text,
            mentions=mentions,
            links=extract_links(text),
        )
    if subtype == "message_deleted":
        previous = _obj(event, "previous_message")
        return MessageDeleted(
            **where,
            ts=parse_ts(_str(event, "event_ts") or _str(event, "ts", "0")),
            author=_str(previous, "user"),
            thread=_thread_of(previous),
            message_id=message_id(channel, _str(event, "deleted_ts")),
        )
    if subtype not in _POST_SUBTYPES:
        return None
    ts = _str(event, "ts", "0")
    text, mentions = slack_to_plain(_str(event, "text"))
    thread = _thread_of(event)
    return MessagePosted(
        **where,
        ts=parse_ts(ts),
        author=_str(event, "user") or _str(event, "bot_id"),
        author_name=_str(event, "username"),
        thread=thread,
        message_id=message_id(channel, ts),
        text=text,
        reply_to=message_id(channel, thread) if thread else None,
        mentions=mentions,
        links=extract_links(text),
        from_bot=subtype == "bot_message" or "bot_id" in event,
    )


def _thread_of(message: Mapping[str, Any]) -> str | None:
    """The parent ts of a thread reply; None for top-level messages and parents."""
    thread_ts = _str(message, "thread_ts")
    if thread_ts and thread_ts != _str(message, "ts"):
        parse_ts(thread_ts)  # a thread is named by a message's timestamp
        return thread_ts
    return None
