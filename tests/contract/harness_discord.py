"""Discord: the real discord.py adapter against the fake gateway and REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.discord import DiscordConfig
from bot.app import Roundtable
from bot.clock import SystemClock
from facilitation.base import EmbedderProvider
from tests.contract.harness import BotFile, ContractBot, contract_config, start_bot
from tests.fakes.discord_fake import (
    ADMIN,
    CHANNEL_ID,
    MANAGER,
    MEMBER,
    MODERATOR,
    OWNER,
    DiscordFake,
)

__all__ = ["DiscordHarness"]

Json = dict[str, Any]

# The fake's guild has a fixed cast; roles come from the config only (platform roles
# are not trusted), so the server admin can play an ordinary participant.
CAST: dict[str, Json] = {
    "moderator": MODERATOR,
    "panellist": MANAGER,
    "organiser": OWNER,
    "asker": MEMBER,
    "voter": ADMIN,
}


class DiscordHarness:
    """Users act through gateway dispatches; the bot's sends are the fake's REST records."""

    name = "discord"

    def __init__(self, fake: DiscordFake, bot: Roundtable) -> None:
        self.fake = fake
        self.bot = bot
        self._counter = ContractBot(bot, {u["id"] for u in CAST.values()})
        self._messages: dict[str, Json] = {}

    @classmethod
    @asynccontextmanager
    async def running(cls, tmp: Path, embedder: EmbedderProvider) -> AsyncIterator[DiscordHarness]:
        async with DiscordFake() as fake:
            section = DiscordConfig(
                channels={CHANNEL_ID: "contract-test"},
                guild_ready_timeout=0.05,
                connect_timeout=5.0,
            )
            ids = {person: user["id"] for person, user in CAST.items()}
            config = contract_config("discord", tmp, ids, sections={"discord": section})
            bot = await start_bot(config, SystemClock(), embedder)
            try:
                for adapter in bot.platform_adapters({"DISCORD_BOT_TOKEN": fake.token}):
                    await bot.attach(adapter)
                yield cls(fake, bot)
            finally:
                await bot.aclose()

    def message_key(self, handle: str) -> str:
        return handle

    async def _post(self, user: str, text: str, **where: Any) -> str:
        self._counter.expect()
        msg = await self.fake.post_message(text, author=CAST[user], **where)
        self._messages[msg["id"]] = msg
        return str(msg["id"])

    async def post(self, user: str, text: str) -> str:
        return await self._post(user, text)

    async def reply(self, user: str, to: str, text: str) -> str:
        return await self._post(user, text, reply_to=to)

    async def _react(self, user: str, message: str, emoji: str, add: bool) -> None:
        self._counter.expect()
        await self.fake.react(
            self._messages[message], {"id": None, "name": emoji}, user=CAST[user], add=add
        )

    async def react(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._react(user, message, emoji, True)

    async def unreact(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._react(user, message, emoji, False)

    async def dm(self, user: str, text: str) -> None:
        await self._post(user, text, dm=True)

    async def command(self, user: str, text: str) -> None:
        # Discord offers registered slash commands in the client: a native interaction.
        name, _, args = text.removeprefix("/").partition(" ")
        self._counter.expect()
        await self.fake.invoke_command(name, args or None, user=CAST[user])

    async def redeliver(self, message: str) -> None:
        self._counter.expect()
        await self.fake.redeliver("MESSAGE_CREATE", self._messages[message])

    async def settle(self) -> None:
        await self._counter.settle()

    def bot_texts(self) -> list[str]:
        # Interaction followups land in the channel too; the deferral's empty
        # "thinking..." placeholder is no text.
        return [
            m["content"] for m in self.fake.sent if m["channel_id"] == CHANNEL_ID and m["content"]
        ]

    def bot_message(self, contains: str) -> str:
        """The handle of the bot's latest channel post containing ``contains`` (to react to)."""
        sent = next(
            m
            for m in reversed(self.fake.sent)
            if m["channel_id"] == CHANNEL_ID and contains in m["content"]
        )
        self._messages[sent["id"]] = self.fake.messages[sent["id"]]
        return str(sent["id"])

    def bot_dms(self, user: str) -> list[str]:
        channel = self.fake.dm_channels.get(CAST[user]["id"])
        return [m["content"] for m in self.fake.sent if m["channel_id"] == channel and m["content"]]

    def bot_files(self) -> list[BotFile]:
        dms = set(self.fake.dm_channels.values())
        return [
            BotFile(name, data, m["channel_id"] in dms)
            for m in self.fake.sent
            for name, data in m["files"]
        ]

    def bot_reactions(self) -> list[tuple[str, str]]:
        return [(mid, emoji) for _, mid, emoji in self.fake.reactions]

    def waiting_commands(self) -> list[str]:
        # A deferred interaction shows "Roundtable is thinking..." until a followup
        # replaces it; after 15 minutes Discord says the application did not respond.
        return [
            f"interaction {iid}"
            for iid, inter in self.fake.interactions.items()
            if inter.acked == 5 and inter.followups == 0
        ]

    async def problems(self) -> list[str]:
        found = await self._counter.problems()
        found += [
            f"REST {c.method} {c.path} -> {c.status}" for c in self.fake.calls if c.status >= 400
        ]
        return found
