"""Transcript lines -> events (pure: no I/O beyond the lines it is given).

Three formats are read:

* JSON Lines, one object per line: messages ``{"id", "ts", "author", "name",
  "text", "reply_to"?, "thread"?, "private"?, "channel"?, "bot"?}`` (``bot``: the
  platform marked the author as a bot) and
  ``{"type": "reaction"|"unreaction"|"join"|"leave"|"edit"|"delete", ...}``;
* IRC logs ``[hh:mm] <nick> text`` (``===`` system lines, ``* nick`` actions);
* IRC logs with channel and date ``#channel 2024-05-01 [hh:mm:ss] <nick> text``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.events import (
    EARLIEST,
    LATEST,
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

__all__ = ["TranscriptError", "TranscriptLine", "detect_format", "parse_transcript", "read_line"]

_IRC = re.compile(r"^\[(\d{1,2}):(\d{2})(?::(\d{2}))?\]\s+(.*)$")
_IRC_DATED = re.compile(
    r"^(\S+)\s+(\d{4}-\d{2}-\d{2})\s+\[(\d{1,2}):(\d{2})(?::(\d{2}))?\]\s+(.*)$"
)
_NICK_LINE = re.compile(r"^<([^>]+)>\s?(.*)$")
_ACTION_LINE = re.compile(r"^\*\s+(\S+)\s?(.*)$")
_SYSTEM = re.compile(r"^===\s+(\S+)\s+(.*)$")
_ADDRESS = re.compile(r"^\s*@?([\w\-\[\]\\`^{}|.]+)\s*(?:[:,]|\s-)(?:\s|$)")
# on IRC a line of just "nick:" calls someone, and the same person's next lines speak to them
_CALL_CARRIES = timedelta(minutes=2)
_AT = re.compile(r"@([\w\-.]+)")
_ADDRESS_AT_END = re.compile(r"[\s,]([\w\-\[\]\\`^{}|]+)[\s.!?:)]*$")
_NICK_ANYWHERE = re.compile(r"\] <([^>\s]+)>|^(?:\S+ \S+ )?=== (\S+) \[[^\]]*\] has joined", re.M)


class TranscriptError(ValueError):
    """A transcript line could not be read; says which line and why."""


@dataclass
class _Context:
    platform: str
    community: str
    channel: str
    id_prefix: str = ""
    names: dict[str, str] = field(default_factory=dict)  # lower-case name -> author id
    # author -> (whom a bare "nick:" line of theirs called, when)
    called: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    def learn(self, author: str, name: str) -> None:
        self.names.setdefault(name.lower(), author)
        self.names.setdefault(author.lower(), author)

    def mentions(self, text: str, author: str, when: datetime | None = None) -> tuple[str, ...]:
        """Whom ``text`` addresses: a leading "nick:" or "nick,", and @names.

        With ``when`` (IRC), a nick ending the line addresses them too ("thanks
        ikonia"), and a line that is only "nick:" also addresses the author's next
        lines within two minutes that name nobody themselves.
        """
        found: list[str] = []
        m = _ADDRESS.match(text)
        candidates = [m.group(1)] if m else []
        candidates += _AT.findall(text)
        if when is not None and (end := _ADDRESS_AT_END.search(text)):
            candidates.append(end.group(1))  # IRC: "how much RAM does it have LinuxNovice ?"
        for cand in candidates:
            who = self.names.get(cand.lower().rstrip("."))
            if who and who != author and who not in found:
                found.append(who)
        if when is None:
            return tuple(found)
        if found and m and not text[m.end() :].strip():
            self.called[author] = (found[0], when)
        elif found:
            self.called.pop(author, None)
        elif (call := self.called.get(author)) and when - call[1] <= _CALL_CARRIES:
            found.append(call[0])
        return tuple(found)


def detect_format(first_lines: Iterable[str]) -> str:
    """``jsonl``, ``irc`` or ``irc-dated``, judged on the first non-empty lines."""
    for line in first_lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("{"):
            return "jsonl"
        if _IRC.match(stripped) or stripped.startswith("==="):
            return "irc"
        if _IRC_DATED.match(stripped):
            return "irc-dated"
    return "irc"


def parse_transcript(
    lines: Iterable[str],
    *,
    platform: str = "replay",
    community: str = "demo",
    channel: str = "main",
    start: datetime | None = None,
    fmt: str | None = None,
    id_prefix: str = "",
    on_error: Callable[[TranscriptError], None] | None = None,
) -> Iterator[Event]:
    """Yield the events of a transcript in order.

    Raises :class:`TranscriptError` naming the line for a line that cannot be
    read at all; with ``on_error``, that line is reported to it instead and
    the lines after it are still read. ``start`` is the date IRC logs without
    dates are placed on.
    """
    lines = list(lines)
    fmt = fmt or detect_format(lines[:20])
    ctx = _Context(platform, community, channel, id_prefix)
    if fmt == "jsonl" and on_error is not None:
        for lineno, line in enumerate(lines, start=1):
            try:
                yield from list(_jsonl([line], ctx, first=lineno))
            except TranscriptError as exc:
                on_error(exc)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                on_error(TranscriptError(f"line {lineno}: {type(exc).__name__}: {exc}"))
    elif fmt == "jsonl":
        yield from _jsonl(lines, ctx)
    else:
        yield from _irc(
            lines,
            ctx,
            start or datetime(2026, 1, 1, tzinfo=UTC),
            dated=fmt == "irc-dated",
            on_error=on_error,
        )


class TranscriptLine(BaseModel):
    """One JSON Lines record, validated before it becomes an event.

    Ids may be numbers (read as text); ``private`` accepts true/false and their
    spellings ("false" is false); unknown keys are kept out of the way.
    """

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    type: Literal["message", "reaction", "unreaction", "join", "leave", "edit", "delete"] = (
        "message"
    )
    author: str = Field(min_length=1)
    ts: AwareDatetime
    name: str | None = None
    id: str | None = None
    message_id: str | None = None
    text: str = ""
    reply_to: str | None = None
    thread: str | None = None
    channel: str | None = None
    private: bool = False
    bot: bool = False
    """The platform marked the author as a bot (another bot, not a participant)."""
    roles: list[str] = Field(default_factory=list)
    emoji: str = "\N{THUMBS UP SIGN}"

    @field_validator("ts", mode="before")
    @classmethod
    def _iso(cls, value: object) -> object:
        if not isinstance(value, str):
            raise ValueError("should be an ISO date-time, like 2026-05-01T18:00:00Z")
        try:
            ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO date-time") from None
        ts = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
        if not plausible_ts(ts):
            raise ValueError(f"{value!r} is not between {EARLIEST.year} and {LATEST.year}")
        return ts

    @model_validator(mode="after")
    def _ids(self) -> TranscriptLine:
        if self.type == "message" and self.id is None:
            raise ValueError("a message needs an 'id'")
        if self.type in ("edit", "delete", "reaction", "unreaction") and self.message_id is None:
            raise ValueError(f"a {self.type} needs a 'message_id'")
        return self


_KINDS = "message, reaction, unreaction, join, leave, edit, delete"


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "missing":
        return f"{where!r} is missing"
    if first["type"] == "literal_error" and where == "type":
        return f"unknown type {first['input']!r} (expected one of {_KINDS})"
    return f"{where!r}: {message}" if where else message


def read_line(line: str, lineno: int) -> TranscriptLine:
    """Parse and validate one JSON Lines record; :class:`TranscriptError` names the problem."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"line {lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise TranscriptError(f"line {lineno}: the JSON is nested too deeply") from None
    if not isinstance(obj, dict):
        raise TranscriptError(f"line {lineno}: expected an object")
    try:
        return TranscriptLine.model_validate(obj)
    except ValidationError as exc:
        raise TranscriptError(f"line {lineno}: {_problem(exc)}") from None
    except RecursionError:
        raise TranscriptError(f"line {lineno}: the JSON is nested too deeply") from None


def _jsonl(lines: list[str], ctx: _Context, first: int = 1) -> Iterator[Event]:
    for lineno, line in enumerate(lines, start=first):
        if line.strip():
            yield _jsonl_event(read_line(line, lineno), ctx)


def _jsonl_event(obj: TranscriptLine, ctx: _Context) -> Event:
    author = obj.author
    name = obj.name or author
    ctx.learn(author, name)
    channel = f"dm-{author}" if obj.private else (obj.channel or ctx.channel)
    base: dict[str, Any] = dict(
        platform=ctx.platform,
        community=ctx.community,
        channel=channel,
        ts=obj.ts,
        author=author,
        author_name=name,
        thread=obj.thread,
        private=obj.private,
        author_roles=frozenset(obj.roles),
    )
    text = obj.text
    target = obj.message_id or ""
    match obj.type:
        case "message":
            return MessagePosted(
                **base,
                message_id=obj.id or "",
                text=text,
                reply_to=obj.reply_to,
                mentions=ctx.mentions(text, author),
                links=extract_links(text),
                from_bot=obj.bot,
            )
        case "edit":
            return MessageEdited(
                **base,
                message_id=target,
                text=text,
                mentions=ctx.mentions(text, author),
                links=extract_links(text),
            )
        case "delete":
            return MessageDeleted(**base, message_id=target)
        case "reaction":
            return ReactionAdded(**base, message_id=target, emoji=obj.emoji)
        case "unreaction":
            return ReactionRemoved(**base, message_id=target, emoji=obj.emoji)
        case "join":
            return MemberJoined(**base)
        case "leave":
            return MemberLeft(**base)


def _irc(
    lines: list[str],
    ctx: _Context,
    start: datetime,
    *,
    dated: bool,
    on_error: Callable[[TranscriptError], None] | None = None,
) -> Iterator[Event]:
    """The events of an IRC log; a line that cannot be read goes to ``on_error`` (or raises).

    Everyone who speaks or joins anywhere in the log is known as a nick from the
    start, as an IRC client knows the channel's members: "int256: was this gparted?"
    addresses int256 even before int256's first line.
    """
    for m in _NICK_ANYWHERE.finditer("\n".join(lines)):
        nick = m.group(1) or m.group(2)
        ctx.learn(nick, nick)
    day: date = start.date()
    last: datetime | None = None
    for index, line in enumerate(lines):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            when, channel, body, crossed = _irc_when(line, index + 1, day, last, ctx, dated)
        except TranscriptError as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        if crossed:
            day += timedelta(days=1)
        last = when
        base: dict[str, Any] = dict(
            platform=ctx.platform, community=ctx.community, channel=channel, ts=when
        )
        if sysm := _SYSTEM.match(body):
            nick, rest = sysm.groups()
            if "joined" in rest:
                yield MemberJoined(
                    **base, author=nick, author_name=nick, delivery_id=f"{ctx.id_prefix}L{index}"
                )
            elif "quit" in rest or "left" in rest:
                yield MemberLeft(
                    **base, author=nick, author_name=nick, delivery_id=f"{ctx.id_prefix}L{index}"
                )
            continue
        nick_m = _NICK_LINE.match(body) or _ACTION_LINE.match(body)
        if not nick_m:
            continue
        nick, text = nick_m.groups()
        ctx.learn(nick, nick)
        yield MessagePosted(
            **base,
            author=nick,
            author_name=nick,
            message_id=f"{ctx.id_prefix}L{index}",
            text=text,
            mentions=ctx.mentions(text, nick, when),
            links=extract_links(text),
        )


def _irc_when(
    line: str,
    lineno: int,
    day: date,
    last: datetime | None,
    ctx: _Context,
    dated: bool,
) -> tuple[datetime, str, str, bool]:
    """(time, channel, body, crossed midnight) of one IRC line, or a TranscriptError naming it."""
    channel = ctx.channel
    crossed = False
    if dated:
        m = _IRC_DATED.match(line)
        if not m:
            raise TranscriptError(f"line {lineno}: expected 'channel date [hh:mm:ss] <nick> text'")
        channel, day_s, hh, mm, ss, body = m.groups()
        try:
            when = datetime.fromisoformat(day_s).replace(
                hour=int(hh), minute=int(mm), second=int(ss or 0), tzinfo=UTC
            )
        except ValueError as exc:
            raise TranscriptError(f"line {lineno}: the date or time is not real ({exc})") from None
    elif line.startswith("==="):
        return last or datetime.combine(day, datetime.min.time(), tzinfo=UTC), channel, line, False
    else:
        m2 = _IRC.match(line)
        if not m2:
            raise TranscriptError(f"line {lineno}: expected '[hh:mm] <nick> text'")
        hh, mm, ss, body = m2.groups()
        try:
            when = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(
                hour=int(hh), minute=int(mm), second=int(ss or 0)
            )
        except ValueError:
            raise TranscriptError(
                f"line {lineno}: [{hh}:{mm}{':' + ss if ss else ''}] is not a time of day"
            ) from None
        if last is not None and when < last - timedelta(hours=1):
            crossed = True  # the log crossed midnight
            when += timedelta(days=1)
    if not plausible_ts(when):
        raise TranscriptError(f"line {lineno}: {when:%Y-%m-%d} is not a plausible date")
    return when, channel, body, crossed
