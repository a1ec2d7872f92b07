"""One event, every channel: posting into each place of an event, mention-safe.

An event (session) may run in channels on several platforms at once. What the
whole event must see (a question's number, a panel answer, the queue, the end
post) goes to every one of them through :func:`post_everywhere`:

* one channel per platform channel: a place planned by a platform section
  (``slack:*:C123``, community unknown ahead) and the same channel seen for real
  (``slack:T1:C123``) are one channel;
* the text is made **mention-safe** first (:func:`mention_safe`): text written
  on one platform must not ping anyone on another, so ``@everyone``/``@here``/
  ``@channel``, Slack's ``<!here>`` and ``<@U123>``, Discord's ``<@123>`` and
  ``<@&role>`` and Telegram's ``@username`` are written so that no platform
  turns them into a notification;
* a long text is split to each platform's message limit (rate limits are the
  client libraries' job);
* a failed send is the outbox's to log and record: the others still go.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.actions import MessageRef, Say, Target
from bot.adapter import split_text
from bot.outbox import Outbox
from bot.sessions import Session

__all__ = ["PLATFORM_NAMES", "mention_safe", "platform_name", "post_everywhere", "targets_of"]

PLATFORM_NAMES = {"discord": "Discord", "slack": "Slack", "telegram": "Telegram"}
_ZWSP = "\u200b"  # a zero-width space: "@\u200bhere" reads as "@here" and pings nobody
_SLACK_SPECIAL = re.compile(r"<!(?:subteam\^)?([a-z0-9_^|-]+)>", re.IGNORECASE)
_SLACK_USER = re.compile(r"<[@#]([UWC][A-Z0-9]+)(?:\|([^>]+))?>")
_DISCORD_TAG = re.compile(r"<(@[!&]?|#)(\d+)>")
_AT = re.compile(r"(?<![\w@])@(?=\w)")


def platform_name(platform: str) -> str:
    """How people call a platform ("Discord")."""
    return PLATFORM_NAMES.get(platform, platform.title())


def mention_safe(text: str) -> str:
    """``text`` with every mention, mass or personal, made plain text on every platform."""
    text = _SLACK_SPECIAL.sub(lambda m: "@" + m.group(1).split("|")[-1].lstrip("^"), text)
    text = _SLACK_USER.sub(lambda m: "@" + (m.group(2) or "someone"), text)
    text = _DISCORD_TAG.sub(
        lambda m: "@someone" if m.group(1).startswith("@") else "#channel", text
    )
    return _AT.sub("@" + _ZWSP, text)


def targets_of(session: Session, *, skip: Iterable[Target] = ()) -> list[Target]:
    """One target per channel of ``session`` (not the ``skip`` ones), in a stable order."""
    seen: set[tuple[str, str]] = {(t.platform, t.channel) for t in skip}
    out: list[Target] = []
    # concrete places first, so "slack:T1:C1" wins over the planned "slack:*:C1"
    for place in sorted(session.places, key=lambda p: ("*" in p, p)):
        platform, community, channel = place.split(":", 2)
        if channel == "*" or (platform, channel) in seen:
            continue
        seen.add((platform, channel))
        out.append(Target(platform, community, channel))
    return out


async def post_everywhere(
    outbox: Outbox,
    session: Session,
    text: str,
    *,
    skip: Iterable[Target] = (),
    safe: bool = True,
) -> list[tuple[Target, list[MessageRef]]]:
    """Post ``text`` in every channel of ``session`` but ``skip``; what each produced.

    ``safe=False`` only for the bot's own wording with nothing people wrote in it.
    """
    body = mention_safe(text) if safe else text
    out: list[tuple[Target, list[MessageRef]]] = []
    for target in targets_of(session, skip=skip):
        if target.platform not in outbox.platforms:
            continue  # that platform is not connected in this run (the outbox would drop it)
        refs: list[MessageRef] = []
        for chunk in split_text(body, outbox.capabilities(target.platform).message_limit):
            refs += await outbox.send(Say(target=target, text=chunk), session.id)
        out.append((target, refs))
    return out
