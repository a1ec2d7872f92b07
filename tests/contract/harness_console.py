"""Console: people take turns typing into the ConsoleAdapter through a real pipe."""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.console import ConsoleAdapter
from bot.app import Roundtable
from bot.clock import FakeClock
from facilitation.base import EmbedderProvider
from tests.contract.harness import BotFile, ContractBot, contract_config, start_bot
from tests.contract.names import NAMES, START

__all__ = ["ConsoleHarness"]


class _Keyboard:
    """stdin for the console adapter: a real pipe the test types into; EOF on close."""

    def __init__(self) -> None:
        read_end, write_end = os.pipe()
        self.stdin = os.fdopen(read_end, "r", encoding="utf-8")
        self._keys = os.fdopen(write_end, "w", encoding="utf-8")

    def type(self, line: str) -> None:
        self._keys.write(line + "\n")
        self._keys.flush()

    def hang_up(self) -> None:
        """End of input: the adapter's reader thread returns."""
        if not self._keys.closed:
            self._keys.close()

    def close(self) -> None:
        self.hang_up()
        self.stdin.close()


class _Screen(io.StringIO):
    """stdout for the console adapter: every write kept as one printed block."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []

    def write(self, text: str, /) -> int:
        self.blocks.append(text.rstrip("\n"))
        return len(text)


class ConsoleHarness:
    """People take turns at one terminal (``:as NAME``); the bot's output is the screen."""

    name = "console"

    def __init__(self, bot: Roundtable, clock: FakeClock) -> None:
        self.bot = bot
        self._clock = clock
        self._keyboard = _Keyboard()
        self._screen = _Screen()
        self._handled = 0
        self._typed = 0
        self._numbers = itertools.count(1)
        self._me = ""
        self._counter = ContractBot(bot, {name.lower() for name in NAMES.values()})
        self.adapter = ConsoleAdapter(
            me="nobody",
            stdin=self._keyboard.stdin,
            out=self._screen,
            clock=clock,
            settle=self._after_line,
        )

    @classmethod
    @asynccontextmanager
    async def running(cls, tmp: Path, embedder: EmbedderProvider) -> AsyncIterator[ConsoleHarness]:
        clock = FakeClock(START)
        ids = {person: name.lower() for person, name in NAMES.items()}
        config = contract_config("console", tmp, ids, places=("console:local:room",))
        bot = await start_bot(config, clock, embedder)
        harness = cls(bot, clock)
        try:
            await bot.attach(harness.adapter)
            yield harness
        finally:
            harness._keyboard.hang_up()  # ends the reader thread before the loop closes
            await harness.adapter.wait()
            await bot.aclose()
            harness._keyboard.close()

    async def _after_line(self) -> None:
        await self.bot.drain()
        self._handled += 1

    def message_key(self, handle: str) -> str:
        return self.adapter._id(handle)  # ids carry the run's token

    def _type(self, user: str, line: str, *, event: bool = True) -> None:
        name = NAMES[user].lower()
        if name != self._me:
            self._type_raw(f":as {name}")
            self._me = name
        # Each event gets its own second, as typing takes time.
        self._clock.advance(1)
        self._type_raw(line)
        if event:
            self._counter.expect()

    def _type_raw(self, line: str) -> None:
        self._typed += 1
        self._keyboard.type(line)

    async def _say(self, user: str, line: str) -> str:
        self._type(user, line)
        return str(next(self._numbers))

    async def post(self, user: str, text: str) -> str:
        return await self._say(user, text)

    async def reply(self, user: str, to: str, text: str) -> str:
        return await self._say(user, f":reply {to} {text}")

    async def react(self, user: str, message: str, emoji: str = "👍") -> None:
        self._type(user, f":react {message} {emoji}")

    async def unreact(self, user: str, message: str, emoji: str = "👍") -> None:
        self._type(user, f":unreact {message} {emoji}")

    async def dm(self, user: str, text: str) -> None:
        await self._say(user, f":dm {text}")

    async def command(self, user: str, text: str) -> None:
        await self._say(user, text)

    async def redeliver(self, message: str) -> None:
        raise NotImplementedError("a terminal cannot deliver one message twice")

    async def settle(self) -> None:
        await self._counter.settle(lambda: self._handled >= self._typed)

    def _bot_lines(self) -> list[str]:
        return [b.removeprefix("🤖 ") for b in self._screen.blocks if b.startswith("🤖 ")]

    def bot_texts(self) -> list[str]:
        texts = []
        for line in self._bot_lines():
            if line.startswith("↪ #"):
                texts.append(line.split(": ", 1)[1])
            elif not line.startswith(("→ ", "reacts ", "pins ", "file ready:", "suggests ")):
                texts.append(line)
        return texts

    def bot_dms(self, user: str) -> list[str]:
        prefix = f"→ {NAMES[user].lower()} (private): "
        return [line.removeprefix(prefix) for line in self._bot_lines() if line.startswith(prefix)]

    def bot_files(self) -> list[BotFile]:
        # The console "sends" a file by printing where it is, without saying to whom.
        files = []
        for line in self._bot_lines():
            if line.startswith("file ready: "):
                path = Path(line.removeprefix("file ready: ").split(" ", 1)[0])
                files.append(BotFile(path.name, path.read_bytes(), private=False))
        return files

    def bot_reactions(self) -> list[tuple[str, str]]:
        found = []
        for line in self._bot_lines():
            if line.startswith("reacts "):  # "reacts 🙋 to #3"
                emoji, _, number = line.removeprefix("reacts ").partition(" to #")
                found.append((number, emoji))
        return found

    def waiting_commands(self) -> list[str]:
        return []

    async def problems(self) -> list[str]:
        return await self._counter.problems()
