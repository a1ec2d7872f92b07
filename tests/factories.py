"""Event factories and a small driver for running the real bot in tests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.replay import ReplayAdapter, parse_transcript
from bot.actions import Action, DirectMessage, Reply, Say
from bot.app import ModuleFactory, Roundtable
from bot.clock import FakeClock
from bot.config import Config, parse_config
from bot.events import MessagePosted, ReactionAdded, extract_links
from bot.plugins import Registry

T0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
_ids = itertools.count(1)


def message(
    text: str,
    *,
    author: str = "u1",
    name: str | None = None,
    channel: str = "main",
    platform: str = "replay",
    message_id: str | None = None,
    reply_to: str | None = None,
    at: float = 0.0,
    private: bool = False,
    mentions: tuple[str, ...] = (),
) -> MessagePosted:
    return MessagePosted(
        platform=platform,
        community="c",
        channel=channel,
        ts=T0 + timedelta(seconds=at),
        author=author,
        author_name=name or author,
        message_id=message_id or f"m{next(_ids)}",
        text=text,
        reply_to=reply_to,
        private=private,
        mentions=mentions,
        links=extract_links(text),
    )


def reaction(
    message_id: str,
    *,
    author: str = "u2",
    emoji: str = "👍",
    at: float = 0.0,
    channel: str = "main",
) -> ReactionAdded:
    return ReactionAdded(
        platform="replay",
        community="c",
        channel=channel,
        ts=T0 + timedelta(seconds=at),
        author=author,
        author_name=author,
        message_id=message_id,
        emoji=emoji,
    )


class Script:
    """Builds a JSON Lines transcript, one call per line, a few seconds apart."""

    def __init__(self, start: datetime = T0, gap: float = 5.0) -> None:
        self._t = start
        self._gap = gap
        self._n = itertools.count(1)
        self.lines: list[str] = []

    def _ts(self, after: float | None) -> str:
        self._t += timedelta(seconds=self._gap if after is None else after)
        return self._t.isoformat()

    def say(
        self,
        author: str,
        text: str,
        *,
        reply_to: str | None = None,
        private: bool = False,
        after: float | None = None,
        thread: str | None = None,
        mid: str | None = None,
        name: str | None = None,
    ) -> str:
        mid = mid or f"m{next(self._n):04d}"
        obj: dict[str, Any] = {
            "id": mid,
            "ts": self._ts(after),
            "author": author,
            "name": name or author.removeprefix("u_").title(),
            "text": text,
        }
        if reply_to:
            obj["reply_to"] = reply_to
        if private:
            obj["private"] = True
        if thread:
            obj["thread"] = thread
        self.lines.append(json.dumps(obj))
        return mid

    def react(
        self,
        author: str,
        message_id: str,
        emoji: str = "👍",
        *,
        remove: bool = False,
        after: float | None = None,
    ) -> None:
        self.lines.append(
            json.dumps(
                {
                    "type": "unreaction" if remove else "reaction",
                    "ts": self._ts(after),
                    "author": author,
                    "message_id": message_id,
                    "emoji": emoji,
                }
            )
        )


def config(text: dict[str, Any] | None = None) -> Config:
    base: dict[str, Any] = {
        "roles": {
            "organisers": ["replay:u_org"],
            "moderators": ["replay:u_mod"],
            "panellists": ["replay:u_pan"],
        },
    }
    base.update(text or {})
    return parse_config(base, "<test>")


async def run_script(
    lines: Sequence[str],
    *,
    cfg: Config | None = None,
    db_path: str = ":memory:",
    modules: ModuleFactory | None = None,
    embedder: Any = None,
    keep_open: Callable[[Roundtable, ReplayAdapter], Any] | None = None,
    registry: Registry | None = None,
) -> tuple[list[Action], Roundtable]:
    """Replay ``lines`` through a real bot (lock-step) and return what it did."""
    events = list(parse_transcript(lines))
    clock = FakeClock(events[0].ts if events else T0)
    bot = Roundtable(
        cfg or config(),
        clock=clock,
        db_path=db_path,
        modules=modules,
        embedder=embedder,
        registry=registry,
    )
    await bot.setup()
    adapter = ReplayAdapter(events, clock=clock, settle=bot.drain, out=None)
    try:
        await bot.attach(adapter)
        await adapter.wait()
        await bot.drain()
        if keep_open is not None:
            await keep_open(bot, adapter)
    finally:
        await bot.aclose()
    return adapter.sent, bot


def texts(actions: Sequence[Action]) -> list[str]:
    """The text of every Say, Reply and DirectMessage, in order."""
    out = []
    for a in actions:
        if isinstance(a, Say | Reply | DirectMessage):
            out.append(a.text)
    return out
