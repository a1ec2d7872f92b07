"""An interactive terminal room: type as one or more named participants.

The person at the keyboard (the name the room opens with) is the room's
organiser, as the owner of a Discord server would be: they can start and end
events. ``:as NAME`` speaks as someone else, with no role unless the config
gives one. Message ids carry a token of the run, so a restart in the same
folder never reuses an id (the store would drop it as a duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from adapters.base import PlatformAdapter, describe
from bot.actions import (
    Action,
    DirectMessage,
    MessageRef,
)
from bot.clock import Clock, SystemClock
from bot.events import (
    Capabilities,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    extract_links,
)

__all__ = ["ConsoleAdapter"]

HELP = """Type a message and press Enter. You can also type:
  :as NAME          speak as someone else (e.g. :as maya); :as me comes back to you
                    (you, at the keyboard, are the organiser: you can /event start)
  :reply N TEXT     reply to message #N
  :react N [EMOJI]  react to message #N (👍 by default); :unreact N [EMOJI] takes it back
  :edit N TEXT      edit message #N;  :delete N  deletes it
  :dm TEXT          send the bot a private message (e.g. :dm /ask my question)
  :who              who you are;  :help  this list;  :quit  leave
Bot commands start with /, e.g. /event start "My event", /ask ..., /help"""


class ConsoleAdapter(PlatformAdapter):
    """Reads lines from ``stdin`` and prints the bot's actions to ``out``.

    Messages are numbered #1, #2... so you can reply or react to them.
    """

    name = "console"
    capabilities = Capabilities(
        native_threads=False,
        reactions=True,
        direct_messages=True,
        file_upload=True,
        slash_commands=False,
        pins=True,
        edits=True,
        message_limit=4000,
    )

    def __init__(
        self,
        *,
        me: str = "you",
        community: str = "local",
        channel: str = "room",
        stdin: TextIO = sys.stdin,
        out: TextIO = sys.stdout,
        clock: Clock | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self._me = me
        self._keyboard = me
        self._run = secrets.token_hex(3)
        self._community = community
        self._channel = channel
        self._in = stdin
        self._out = out
        self._clock = clock or SystemClock()
        self._settle = settle
        self._numbers = itertools.count(1)
        self._bot_ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()

    async def connect(self) -> None:
        self._print(
            f"Roundtable console. You are {self._me}, the organiser of this room: start an "
            'event with /event start "Title". Type :as NAME to speak as someone else, '
            ":help for more."
        )
        self._task = asyncio.create_task(self._read(), name="console-read")

    async def wait(self) -> None:
        await self.finished.wait()

    async def _readline(self) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, self._in.readline)

    async def _read(self) -> None:
        try:
            while True:
                line = await self._readline()
                if not line:
                    break
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                if not await self._handle(line):
                    break
                if self._settle is not None:
                    await self._settle()
        finally:
            self.finished.set()

    def _base(self, private: bool = False) -> dict[str, Any]:
        return dict(
            platform=self.name,
            community=self._community,
            channel=f"dm-{self._me}" if private else self._channel,
            ts=self._clock.now(),
            author=self._me,
            author_name=self._me,
            private=private,
            # the keyboard's owner is the room's admin, hence its organiser
            author_roles=frozenset({"admin"}) if self._me == self._keyboard else frozenset(),
        )

    def _id(self, number: str | int) -> str:
        return f"c{str(number).lstrip('#')}-{self._run}"

    @staticmethod
    def _number(message_id: str) -> str:
        return message_id.lstrip("c").split("-", 1)[0]

    async def _handle(self, line: str) -> bool:
        if not line.startswith(":"):
            await self._post(line)
            return True
        word, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        match word.lower():
            case "quit" | "exit" | "q":
                return False
            case "help":
                self._print(HELP)
            case "who":
                self._print(f"You are {self._me}.")
            case "as" if rest:
                name = rest.split()[0]
                self._me = self._keyboard if name == "me" else name
                self._print(f"You are now {self._me}.")
            case "dm" if rest:
                await self._post(rest, private=True)
            case "reply":
                number, _, text = rest.partition(" ")
                if not number.lstrip("#").isdigit() or not text.strip():
                    self._print("Usage: :reply N TEXT")
                else:
                    await self._post(text.strip(), reply_to=self._id(number))
            case "react" | "unreact":
                parts = rest.split()
                if not parts or not parts[0].lstrip("#").isdigit():
                    self._print(f"Usage: :{word} N [EMOJI]")
                else:
                    cls = ReactionAdded if word.lower() == "react" else ReactionRemoved
                    emoji = parts[1] if len(parts) > 1 else "👍"
                    await self.deliver(
                        cls(
                            **self._base(),
                            message_id=self._id(parts[0]),
                            emoji=emoji,
                        )
                    )
            case "edit":
                number, _, text = rest.partition(" ")
                if not number.lstrip("#").isdigit() or not text.strip():
                    self._print("Usage: :edit N TEXT")
                else:
                    await self.deliver(
                        MessageEdited(
                            **self._base(),
                            message_id=self._id(number),
                            text=text.strip(),
                            links=extract_links(text),
                        )
                    )
            case "delete" if rest.lstrip("#").isdigit():
                await self.deliver(MessageDeleted(**self._base(), message_id=self._id(rest)))
            case _:
                self._print("I didn't understand that. Type :help for the list.")
        return True

    async def _post(self, text: str, *, private: bool = False, reply_to: str | None = None) -> None:
        number = next(self._numbers)
        event = MessagePosted(
            **self._base(private),
            message_id=self._id(number),
            text=text,
            reply_to=reply_to,
            links=extract_links(text),
        )
        self._print(f"#{number} {self._me}{' (private)' if private else ''}: {text}")
        await self.deliver(event)

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def perform(self, action: Action) -> list[MessageRef]:
        ref = f"bot{next(self._bot_ids)}"
        self._print("🤖 " + describe(action, self.capabilities, message=self._label))
        if isinstance(action, DirectMessage):
            return [MessageRef(self.name, f"dm-{action.user}", ref)]
        return [MessageRef(self.name, self._channel, ref)]

    def _label(self, message_id: str) -> str:
        return f"#{self._number(message_id)}"

    async def disconnect(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
