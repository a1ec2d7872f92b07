"""Other bots are not participants: telling their lines from people's.

Platforms mark their bots (``MessagePosted.from_bot``); logs do not, so a log's
bots are recognised by name (``MootBot``, ``ubottu``, ``ChanServ``) and by what
they write (``ACTION received: ...``, ``new Topic: ...``, ``Meeting started``).
People's meeting commands (``[TOPIC] Feature freeze``, ``#action ...``) are
instructions to such a bot: the person counts, the line is not quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["bot_names", "is_bot_line", "is_bot_name", "is_meeting_command"]

_BOT_NAME_RE = re.compile(
    r"(?i)^(?:\w*[a-z0-9_-]bot|\w*bott?u|ubotu|chanserv|nickserv|memoserv|operserv|meetingology|"
    r"github|gitlab|jenkins|travis|dependabot|renovate|zulip|ifttt|rss|feed|webhook|"
    r"mee6|dyno|statbot|\w+-bridge|matterbridge|appservice-\w+)\d*[_`^-]*$"
)
_BOT_LINE_RE = re.compile(
    r"(?i)^\s*(?:(?:action|idea|agreed|link|info|vote|topic)\s+received\b|new topic:|"
    r"meeting (?:started|ended)\b|minutes:|log:|meeting summary|current topic\b|"
    r"\[?(?:topic|action|agreed|idea|link|info)\]?\s*:?\s*(?:received|recorded)\b|"
    r"(?:remind|reminder) (?:set|sent)\b|vote (?:started|ended)\b|"
    r"(?:factoid|karma) (?:for|of)\b|i(?:'ve| have) (?:recorded|noted)\b)"
)
_COMMAND_RE = re.compile(
    r"(?i)^\s*(?:\[(?:topic|action|agreed|idea|link|info|vote|startmeeting|endmeeting)\]|"
    r"#(?:topic|action|agreed|idea|link|info|vote|startmeeting|endmeeting|chair|"
    r"undo|accepted|rejected|help|meetingname)\b|!\w+\b)"
)


_NOT_BOTS = frozenset({"talbot", "abbot", "cabot", "sabot", "turbot"})


def is_bot_name(name: str) -> bool:
    """True for names bots go by (``MootBot``, ``ubottu``, ``ChanServ``, ``github``)."""
    name = name.strip()
    if name.lower().endswith("[bot]"):
        return True
    return bool(name) and name.lower() not in _NOT_BOTS and _BOT_NAME_RE.match(name) is not None


def is_bot_line(text: str) -> bool:
    """True for lines only a bot writes (``ACTION received: ...``, ``new Topic: ...``)."""
    return _BOT_LINE_RE.match(text or "") is not None


def is_meeting_command(text: str) -> bool:
    """True for a person's command to a meeting bot (``[TOPIC] ...``, ``#action ...``)."""
    return _COMMAND_RE.match(text or "") is not None


def bot_names(lines: Iterable[tuple[str, str]]) -> set[str]:
    """Authors of ``(author, text)`` lines who are bots: by name, or writing like one.

    Someone is a bot by behaviour when at least two of their lines, and most of
    them, are bot lines; one stray "new topic:" from a person does not make a bot.
    """
    said: dict[str, list[bool]] = {}
    for author, text in lines:
        said.setdefault(author, []).append(is_bot_line(text))
    found = set()
    for author, flags in said.items():
        hits = sum(flags)
        if is_bot_name(author) or (hits >= 2 and hits * 2 > len(flags)):
            found.add(author)
    return found
