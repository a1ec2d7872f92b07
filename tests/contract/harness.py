"""The contract harness: one interface to drive the real bot on any adapter.

Scenario code speaks in platform-neutral verbs (post, reply, react, command...)
about neutral people (``"moderator"``, ``"panellist"``, ``"organiser"``,
``"asker"``, ``"voter"``); each platform's harness turns a verb into what that
platform really delivers (a gateway event, a Socket Mode envelope, a Bot API
update, a transcript line, a typed console line) and reads what the bot sent
back from the fake's own records, never from the bot's outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.app import Roundtable
from bot.clock import Clock
from bot.config import BotConfig, Config, EventConfig, RolesConfig, StoreConfig
from bot.events import Event, SessionChanged
from facilitation.base import EmbedderProvider

__all__ = [
    "EVENT_ID",
    "PEOPLE",
    "BotFile",
    "ContractBot",
    "Harness",
    "contract_config",
    "start_bot",
]

EVENT_ID = "contract-test"
PEOPLE = ("moderator", "panellist", "organiser", "asker", "voter")
"""The neutral people every harness maps to platform users."""

_QUIET = 0.03  # seconds without new bot activity that count as "settled"


@dataclass(frozen=True)
class BotFile:
    """A file the bot uploaded, as the platform received it."""

    name: str
    data: bytes
    private: bool


class Harness(Protocol):
    """What scenario code may do on any platform.

    Message ids returned by the verbs are the harness's own handles (whatever the
    platform uses to point at a message); pass them back to ``reply``/``react``.
    """

    name: str
    bot: Roundtable

    def message_key(self, handle: str) -> str:
        """The bot's ``message_id`` for a message handle (as stored in the events table)."""
        ...

    async def post(self, user: str, text: str) -> str:
        """``user`` posts ``text`` in the event channel; returns the message handle."""
        ...

    async def reply(self, user: str, to: str, text: str) -> str:
        """``user`` replies (the platform's reply or thread reply) to message ``to``."""
        ...

    async def react(self, user: str, message: str, emoji: str = "👍") -> None: ...

    async def unreact(self, user: str, message: str, emoji: str = "👍") -> None: ...

    async def dm(self, user: str, text: str) -> None:
        """``user`` sends the bot a direct message."""
        ...

    async def command(self, user: str, text: str) -> None:
        """``user`` runs a command (``"/ask ..."``) in the channel, the platform's way:
        a native slash command where the platform has them, else a typed message."""
        ...

    async def redeliver(self, message: str) -> None:
        """The platform delivers message ``message`` a second time."""
        ...

    async def settle(self) -> None:
        """Wait until the bot has stored and handled every input and its sends arrived."""
        ...

    def bot_texts(self) -> list[str]:
        """Texts the bot posted in the event channel (replies included)."""
        ...

    def bot_dms(self, user: str) -> list[str]:
        """Texts the bot sent ``user`` privately."""
        ...

    def bot_files(self) -> list[BotFile]:
        """Files the bot uploaded."""
        ...

    def bot_reactions(self) -> list[tuple[str, str]]:
        """(message handle, emoji) of each reaction the bot added that the platform accepted."""
        ...

    def waiting_commands(self) -> list[str]:
        """Commands the platform still shows as waiting for the bot (e.g. "thinking...")."""
        ...

    async def problems(self) -> list[str]:
        """What went wrong on the way: failed sends, handler errors, protocol errors."""
        ...


def contract_config(
    platform: str,
    tmp: Path,
    ids: Mapping[str, str],
    *,
    places: tuple[str, ...] = (),
    sections: Mapping[str, object] | None = None,
) -> Config:
    """The config every harness starts the bot with: roles by id, one planned event.

    Platform roles are not trusted, so only the configured people hold roles and the
    fakes' server admins can play ordinary participants.
    """

    def who(person: str) -> list[str]:
        return [f"{platform}:{ids[person]}"]

    return Config.model_validate(
        {
            "bot": BotConfig(out_dir=tmp / "out"),
            "store": StoreConfig(path=tmp / "roundtable.db"),
            "roles": RolesConfig(
                organisers=who("organiser"),
                moderators=who("moderator"),
                panellists=who("panellist"),
                trust_platform_roles=False,
            ),
            "events": [EventConfig(id=EVENT_ID, title="Contract test", channels=list(places))],
            "sections": dict(sections or {}),
        }
    )


async def start_bot(config: Config, clock: Clock, embedder: EmbedderProvider) -> Roundtable:
    """The real bot with every module, sharing the session's loaded MiniLM."""
    bot = Roundtable(config, clock=clock, embedder=embedder)
    await bot.setup()
    return bot


class ContractBot:
    """Counts the inputs reaching the bus, so ``settle`` knows when all have arrived.

    A transform sees every event before it is stored, redeliveries included, so
    the count covers what the platform delivered, not only what was new.
    """

    def __init__(self, bot: Roundtable, humans: set[str]) -> None:
        self.bot = bot
        self._humans = humans
        self.expected = 0
        self.seen = 0
        self.all_seen = 0
        bot.bus.add_transform(self._count)

    def _count(self, event: Event) -> Event:
        self.all_seen += 1
        # SessionChanged is the bot's own event (authored by whoever started it).
        if event.author in self._humans and not isinstance(event, SessionChanged):
            self.seen += 1
        return event

    def expect(self, count: int = 1) -> None:
        self.expected += count

    def _activity(self) -> tuple[int, ...]:
        bus, outbox = self.bot.bus, self.bot.outbox
        return (
            self.all_seen,
            bus.delivered,
            bus.duplicates,
            bus.errors,
            outbox.sent,
            outbox.failed,
        )

    async def settle(
        self, transport_idle: Callable[[], bool] = lambda: True, within: float = 10.0
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.seen < self.expected or not transport_idle():
            if loop.time() > deadline:
                raise AssertionError(
                    f"only {self.seen} of {self.expected} inputs reached the bot within {within}s"
                )
            await asyncio.sleep(0.005)
        # The bot's own sends can cause more input (e.g. Discord echoes the bot's
        # messages): settled means a short quiet spell after a drain.
        while True:
            await self.bot.drain()
            before = self._activity()
            await asyncio.sleep(_QUIET)
            await self.bot.drain()
            if self._activity() == before:
                return
            if loop.time() > deadline:
                raise AssertionError(f"the bot did not go quiet within {within}s")

    async def problems(self) -> list[str]:
        """Handler errors and failed sends, as the bot recorded them."""
        db = self.bot.db
        errors = await db.fetchall("SELECT subscriber, event_key, error FROM errors")
        failed = await db.fetchall(
            "SELECT kind, channel, error FROM actions WHERE status != 'sent' ORDER BY seq"
        )
        return [
            f"handler {r['subscriber']} failed on {r['event_key']}: {r['error']}" for r in errors
        ] + [f"{r['kind']} to {r['channel']} was not sent: {r['error']}" for r in failed]
