"""Telegram: the real python-telegram-bot adapter, long polling the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.telegram import TelegramConfig
from bot.app import Roundtable
from bot.clock import SystemClock
from facilitation.base import EmbedderProvider
from tests.contract.harness import BotFile, ContractBot, contract_config, start_bot
from tests.fakes.telegram_fake import REACTIONS, TOKEN, TelegramFake, bot_command, user

__all__ = ["TelegramHarness"]

GROUP = -1001234567890
CAST = {
    "moderator": user(1001, "Sam", "sam"),
    "panellist": user(1002, "Jun", "jun"),
    "organiser": user(1003, "Olive", "olive"),
    "asker": user(1004, "Maya", "maya"),
    "voter": user(1005, "Noor", "noor"),
}


class TelegramHarness:
    """Users act through queued Bot API updates; the bot's sends are the fake's API calls."""

    name = "telegram"

    def __init__(self, fake: TelegramFake, bot: Roundtable) -> None:
        self.fake = fake
        self.bot = bot
        self._counter = ContractBot(bot, {str(u["id"]) for u in CAST.values()})
        self._reactions: dict[tuple[int, int], list[str]] = {}

    @classmethod
    @asynccontextmanager
    async def running(cls, tmp: Path, embedder: EmbedderProvider) -> AsyncIterator[TelegramHarness]:

        async with TelegramFake() as fake:
            # The bot is a group admin: Telegram sends reactions only to admin bots.
            fake.add_group(GROUP, "Contract panel")
            for person in CAST.values():
                fake.add_private(person)  # each has pressed Start, so the bot may DM them
            section = TelegramConfig(
                base_url=fake.base_url,
                base_file_url=fake.base_file_url,
                poll_timeout=1,
                channels={str(GROUP): "contract-test"},
            )
            ids = {person: str(u["id"]) for person, u in CAST.items()}
            config = contract_config("telegram", tmp, ids, sections={"telegram": section})
            bot = await start_bot(config, SystemClock(), embedder)
            try:
                env = {"TELEGRAM_BOT_TOKEN": TOKEN}
                for adapter in bot.platform_adapters(env):
                    await bot.attach(adapter)
                yield cls(fake, bot)
            finally:
                await bot.aclose()

    def message_key(self, handle: str) -> str:
        return handle  # the adapter's ids are "<chat id>:<message id>" already

    def _post(self, chat: int, who: str, text: str, **extra: Any) -> str:
        if text.startswith("/"):
            extra["entities"] = bot_command(text.split()[0])
        self._counter.expect()
        msg = self.fake.post(chat, CAST[who], text, **extra)
        return f"{chat}:{msg['message_id']}"

    async def post(self, user: str, text: str) -> str:
        return self._post(GROUP, user, text)

    async def reply(self, user: str, to: str, text: str) -> str:
        chat, _, mid = to.partition(":")
        return self._post(int(chat), user, text, reply_to=int(mid))

    async def _set_reactions(self, user: str, message: str, new: list[str]) -> None:
        chat, _, mid = message.partition(":")
        who = CAST[user]
        key = (int(mid), who["id"])
        old = self._reactions.get(key, [])
        self._reactions[key] = new
        # Telegram sends the whole old and new reaction lists of that user.
        assert self.fake.react(int(chat), int(mid), who, old, new) is not None
        self._counter.expect()

    def _current(self, user: str, message: str) -> list[str]:
        mid = int(message.partition(":")[2])
        return self._reactions.get((mid, CAST[user]["id"]), [])

    async def react(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._set_reactions(user, message, [*self._current(user, message), emoji])

    async def unreact(self, user: str, message: str, emoji: str = "👍") -> None:
        kept = [e for e in self._current(user, message) if e != emoji]
        await self._set_reactions(user, message, kept)

    async def dm(self, user: str, text: str) -> None:
        self._post(CAST[user]["id"], user, text)

    async def command(self, user: str, text: str) -> None:
        # A Telegram command is an ordinary message with a bot_command entity.
        self._post(GROUP, user, text)

    async def redeliver(self, message: str) -> None:
        chat, _, mid = message.partition(":")
        update = next(
            u
            for u in self.fake.delivered
            if "message" in u
            and u["message"]["chat"]["id"] == int(chat)
            and u["message"]["message_id"] == int(mid)
        )
        self._counter.expect()
        self.fake.redeliver(update)

    def _fetched(self) -> bool:
        return not self.fake.pending

    async def settle(self) -> None:
        await self._counter.settle(self._fetched)

    def _sent(self, method: str, chat: int) -> list[Any]:
        return [c for c in self.fake.calls_to(method) if int(c.params["chat_id"]) == chat]

    def bot_texts(self) -> list[str]:
        return [str(c.params["text"]) for c in self._sent("sendMessage", GROUP)]

    def bot_message(self, contains: str) -> str:
        """The handle of the bot's latest group post containing ``contains`` (to react to)."""
        found = [
            mid
            for (chat, mid), m in self.fake.messages.items()
            if chat == GROUP and m["from"] == self.fake.bot_user and contains in m.get("text", "")
        ]
        return f"{GROUP}:{max(found)}"

    def bot_dms(self, user: str) -> list[str]:
        return [str(c.params["text"]) for c in self._sent("sendMessage", CAST[user]["id"])]

    def bot_files(self) -> list[BotFile]:
        return [
            BotFile(c.files["document"][0], c.files["document"][1], int(c.params["chat_id"]) > 0)
            for c in self.fake.calls_to("sendDocument")
        ]

    def bot_reactions(self) -> list[tuple[str, str]]:
        accepted = []
        for call in self.fake.calls_to("setMessageReaction"):
            for item in call.params.get("reaction", []):
                # The fake refuses (400 REACTION_INVALID) what is not on Telegram's list.
                if item.get("emoji") in REACTIONS:
                    accepted.append(
                        (f"{call.params['chat_id']}:{call.params['message_id']}", item["emoji"])
                    )
        return accepted

    def waiting_commands(self) -> list[str]:
        return []  # a command is an ordinary message: nothing waits for an answer

    async def problems(self) -> list[str]:
        return await self._counter.problems()
