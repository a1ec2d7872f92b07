"""Read IRC logs in the two line formats of the disentanglement corpus family.

``[hh:mm] <nick> text`` (Ubuntu channel, one file per hour-ish block) and
``channel date [hh:mm:ss] <nick> text``; ``=== ...`` lines are system lines
(joins, parts, renames), ``[hh:mm] * nick text`` are actions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from facilitation.threads.message import ThreadMessage

__all__ = ["parse_line", "parse_lines", "read_links", "read_log"]

_SHORT = re.compile(r"^\[(\d{1,2}):(\d{2})(?::(\d{2}))?\]\s+(.*)$")
_LONG = re.compile(r"^(\S+)\s+(\d{4}-\d{2}-\d{2})\s+\[(\d{1,2}):(\d{2})(?::(\d{2}))?\]\s+(.*)$")
_RENAME = re.compile(r"^(\S+) is now known as (\S+)")
# The corpus files carry no date; any fixed day works because only gaps matter.
_BASE_DAY = date(2000, 1, 1)


def _body(rest: str) -> tuple[str, str]:
    """Split ``<nick> text`` / ``* nick text`` / ``-nick- text`` into (nick, text)."""
    if rest.startswith("<"):
        end = rest.find(">")
        if end > 0:
            return rest[1:end], rest[end + 1 :].strip()
    if rest.startswith("* "):
        parts = rest[2:].split(None, 1)
        if parts:
            return parts[0], rest.strip()
    parts = rest.split(None, 1)
    nick = parts[0].strip("<>-()*").split(":")[0].split("/")[0] if parts else ""
    return nick, parts[1] if len(parts) > 1 else ""


def _system(index: int, line: str, ts: datetime | None) -> ThreadMessage:
    rest = line[3:].strip()
    renamed = _RENAME.match(rest)
    # A rename belongs to the new nick, so later addressing of it is recognised.
    author = renamed.group(2) if renamed else (rest.split() or [""])[0]
    return ThreadMessage(id=str(index), author=author, text=rest, ts=ts, system=True)


def parse_line(index: int, line: str, last_ts: datetime | None = None) -> ThreadMessage:
    """Parse one log line; ``last_ts`` carries time across system lines and midnight.

    Args:
        index: the message id to give (its 0-based line number).
        line: the raw line, without the newline.
        last_ts: the previous message's time: system lines take it, and a clock
            that goes backwards means the log crossed midnight.

    Returns:
        The message; a line in neither format becomes a system line.
    """
    line = line.rstrip("\r\n")
    if line.startswith("==="):
        return _system(index, line, last_ts)
    short = _SHORT.match(line)
    long = None if short else _LONG.match(line)
    if short:
        hh, mm, ss, rest = short.groups()
        day = last_ts.date() if last_ts else _BASE_DAY
    elif long:
        _channel, day_text, hh, mm, ss, rest = long.groups()
        day = date.fromisoformat(day_text)
    else:
        return _system(index, "===" + line, last_ts)
    ts = datetime.combine(day, time(int(hh) % 24, int(mm), int(ss or 0)))
    if short and last_ts is not None and ts < last_ts - timedelta(hours=1):
        ts += timedelta(days=1)
    if rest.startswith("==="):
        return _system(index, rest, ts)
    nick, text = _body(rest)
    return ThreadMessage(id=str(index), author=nick, text=text, ts=ts, author_name=nick)


def parse_lines(lines: Iterable[str]) -> list[ThreadMessage]:
    """Parse a whole log, one message per line, ids ``"0"``, ``"1"``, ..."""
    out: list[ThreadMessage] = []
    last: datetime | None = None
    for i, line in enumerate(lines):
        msg = parse_line(i, line, last)
        last = msg.ts or last
        out.append(msg)
    return out


def read_log(path: Path) -> list[ThreadMessage]:
    """Read a ``*.ascii.txt`` log file."""
    return parse_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())


def read_links(path: Path) -> list[tuple[int, int]]:
    """Read an ``*.annotation.txt`` file as (later, earlier) pairs; (n, n) starts one."""
    pairs: list[tuple[int, int]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        nums = [int(v) for v in line.split() if v != "-"]
        if nums:
            pairs.append((max(nums), min(nums)))
    return pairs
