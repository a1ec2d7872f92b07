"""Replay: each verb is one JSONL transcript line fed through the ReplayAdapter."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.replay import ReplayAdapter, parse_transcript
from bot.actions import Action, DirectMessage, React, Reply, Say, UploadFile
from bot.app import Roundtable
from bot.clock import FakeClock
from facilitation.base import EmbedderProvider
from tests.contract.harness import BotFile, ContractBot, contract_config, start_bot
from tests.contract.names import NAMES, START

__all__ = ["ReplayHarness"]


class ReplayHarness:
    """Each verb is one JSONL transcript line, parsed and fed by a ReplayAdapter.

    The replay adapter feeds a fixed transcript, so every verb attaches a fresh
    one (the outbox routes by platform name, so the newest takes the bot's sends);
    what the bot sent is the union of their ``sent`` records.
    """

    name = "replay"

    def __init__(self, bot: Roundtable, clock: FakeClock) -> None:
        self.bot = bot
        self._clock = clock
        self._ids = {person: f"u_{name.lower()}" for person, name in NAMES.items()}
        self._counter = ContractBot(bot, set(self._ids.values()))
        self._adapters: list[ReplayAdapter] = []
        self._numbers = itertools.count(1)
        self._lines: dict[str, str] = {}
        self._seconds = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def running(cls, tmp: Path, embedder: EmbedderProvider) -> AsyncIterator[ReplayHarness]:
        clock = FakeClock(START)
        ids = {person: f"u_{name.lower()}" for person, name in NAMES.items()}
        config = contract_config("replay", tmp, ids, places=("replay:demo:main",))
        bot = await start_bot(config, clock, embedder)
        try:
            yield cls(bot, clock)
        finally:
            await bot.aclose()

    def message_key(self, handle: str) -> str:
        return handle

    async def _feed(self, line: str) -> None:
        events = list(parse_transcript([line], platform="replay"))
        adapter = ReplayAdapter(events, clock=self._clock, settle=self.bot.drain, out=None)
        self._adapters.append(adapter)
        self._counter.expect(len(events))
        await self.bot.attach(adapter)
        await adapter.wait()

    def _line(self, user: str, **fields: Any) -> str:
        ts = START + timedelta(seconds=next(self._seconds))
        obj = {"ts": ts.isoformat(), "author": self._ids[user], "name": NAMES[user], **fields}
        return json.dumps(obj, ensure_ascii=False)

    async def _message(self, user: str, text: str, **fields: Any) -> str:
        mid = f"m{next(self._numbers)}"
        line = self._line(user, id=mid, text=text, **fields)
        self._lines[mid] = line
        await self._feed(line)
        return mid

    async def post(self, user: str, text: str) -> str:
        return await self._message(user, text)

    async def reply(self, user: str, to: str, text: str) -> str:
        return await self._message(user, text, reply_to=to)

    async def react(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._feed(self._line(user, type="reaction", message_id=message, emoji=emoji))

    async def unreact(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._feed(self._line(user, type="unreaction", message_id=message, emoji=emoji))

    async def dm(self, user: str, text: str) -> None:
        await self._message(user, text, private=True)

    async def command(self, user: str, text: str) -> None:
        await self._message(user, text)

    async def redeliver(self, message: str) -> None:
        await self._feed(self._lines[message])

    async def settle(self) -> None:
        await self._counter.settle()

    def _sent(self) -> list[Action]:
        return [action for adapter in self._adapters for action in adapter.sent]

    def bot_texts(self) -> list[str]:
        return [
            a.text
            for a in self._sent()
            if isinstance(a, Say | Reply) and not a.target.channel.startswith("dm-")
        ]

    def bot_dms(self, user: str) -> list[str]:
        return [
            a.text
            for a in self._sent()
            if isinstance(a, DirectMessage) and a.user == self._ids[user]
        ]

    def bot_files(self) -> list[BotFile]:
        return [
            BotFile(a.path.name, a.path.read_bytes(), a.private_to is not None)
            for a in self._sent()
            if isinstance(a, UploadFile)
        ]

    def bot_reactions(self) -> list[tuple[str, str]]:
        return [(a.message_id, a.emoji) for a in self._sent() if isinstance(a, React)]

    def waiting_commands(self) -> list[str]:
        return []

    async def problems(self) -> list[str]:
        return await self._counter.problems()
