"""Slack: the real slack-bolt adapter in Socket Mode against the fake Slack."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.slack import SlackConfig
from bot.app import Roundtable
from bot.clock import SystemClock
from facilitation.base import EmbedderProvider
from tests.contract.harness import BotFile, ContractBot, contract_config, start_bot
from tests.fakes.slack_fake import SlackFake, callback, command_form, message, reaction

__all__ = ["SlackHarness"]

CHANNEL = "C0CONTRACT"
CAST = {
    "moderator": ("U0SAM", "Sam"),
    "panellist": ("U0JUN", "Jun"),
    "organiser": ("U0OLIVE", "Olive"),
    "asker": ("U0MAYA", "Maya"),
    "voter": ("U0NOOR", "Noor"),
}
# What Slack calls the reactions the scenarios use (Slack sends names, not characters).
REACTION_NAMES = {"👍": "+1", "❤️": "heart"}


def _escape(text: str) -> str:
    """Slack escapes &, < and > in the text it delivers."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dm_channel(user_id: str) -> str:
    """The fake's im channel for a user (what conversations.open returns)."""
    return "D" + user_id.removeprefix("U")


class SlackHarness:
    """Users act through Socket Mode envelopes; the bot's sends are the fake's Web API records."""

    name = "slack"

    def __init__(self, fake: SlackFake, bot: Roundtable) -> None:
        self.fake = fake
        self.bot = bot
        self._counter = ContractBot(bot, {uid for uid, _ in CAST.values()})
        self._bodies: dict[str, dict[str, Any]] = {}
        self._envelopes: list[str] = []
        self._clock = itertools.count(int(time.time()) * 1_000_000, 1000)
        self._triggers = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def running(cls, tmp: Path, embedder: EmbedderProvider) -> AsyncIterator[SlackHarness]:

        async with SlackFake() as fake:
            for uid, name in CAST.values():
                fake.add_user(uid, name)
            section = SlackConfig(
                mode="socket",
                base_url=fake.base_url,
                connect_timeout=5,
                channels={CHANNEL: "contract-test"},
            )
            ids = {person: uid for person, (uid, _) in CAST.items()}
            config = contract_config("slack", tmp, ids, sections={"slack": section})
            bot = await start_bot(config, SystemClock(), embedder)
            try:
                for adapter in bot.platform_adapters(fake.environ):
                    await bot.attach(adapter)
                yield cls(fake, bot)
            finally:
                await bot.aclose()

    def _ts(self) -> str:
        micros = next(self._clock)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def message_key(self, handle: str) -> str:
        channel, _, ts = handle.rpartition("|")
        return f"{channel}:{ts}"

    async def _push(self, body: dict[str, Any], retry_attempt: int = 0) -> None:
        self._counter.expect()
        self._envelopes.append(await self.fake.push_event(body, retry_attempt=retry_attempt))

    async def _message(self, user: str, text: str, channel: str = CHANNEL, **extra: Any) -> str:
        ts = self._ts()
        event = message(_escape(text), channel=channel, user=CAST[user][0], ts=ts, **extra)
        body = callback(event, team_id=self.fake.team_id)
        handle = f"{channel}|{ts}"
        self._bodies[handle] = body
        await self._push(body)
        return handle

    async def post(self, user: str, text: str) -> str:
        return await self._message(user, text)

    async def reply(self, user: str, to: str, text: str) -> str:
        # A Slack reply is a thread reply: thread_ts names the parent message.
        parent = self._bodies[to]["event"]
        return await self._message(
            user, text, thread_ts=parent["ts"], parent_user_id=parent["user"]
        )

    async def _react(self, user: str, handle: str, emoji: str, added: bool) -> None:
        channel, _, ts = handle.rpartition("|")
        event = reaction(
            REACTION_NAMES.get(emoji, emoji),
            channel=channel,
            ts=ts,
            user=CAST[user][0],
            added=added,
            event_ts=self._ts(),
        )
        event["item_user"] = self._bodies[handle]["event"]["user"]
        await self._push(callback(event, team_id=self.fake.team_id))

    async def react(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._react(user, message, emoji, True)

    async def unreact(self, user: str, message: str, emoji: str = "👍") -> None:
        await self._react(user, message, emoji, False)

    async def dm(self, user: str, text: str) -> None:
        await self._message(user, text, channel=dm_channel(CAST[user][0]), channel_type="im")

    async def command(self, user: str, text: str) -> None:
        # Slack's client sends "/word ..." as a slash command, never as a message.
        name, _, args = text.partition(" ")
        uid, display = CAST[user]
        form = command_form(
            name, _escape(args), channel=CHANNEL, user=uid, trigger_id=f"{next(self._triggers)}.t"
        )
        form["user_name"] = display.lower()
        self._counter.expect()
        self._envelopes.append(await self.fake.send_envelope("slash_commands", form))

    async def redeliver(self, message: str) -> None:
        # Slack retries an event it thinks was not acknowledged, with retry_attempt set.
        await self._push(self._bodies[message], retry_attempt=1)

    def _all_acked(self) -> bool:
        return all(e in self.fake.acks for e in self._envelopes)

    async def settle(self) -> None:
        await self._counter.settle(self._all_acked)

    def bot_texts(self) -> list[str]:
        return [str(p["text"]) for p in self.fake.posted if p["channel"] == CHANNEL]

    def bot_message(self, contains: str) -> str:
        """The handle of the bot's latest channel post containing ``contains`` (to react to)."""
        post = next(
            p
            for p in reversed(self.fake.posted)
            if p["channel"] == CHANNEL and contains in p["text"]
        )
        handle = f"{CHANNEL}|{post['ts']}"
        self._bodies[handle] = {"event": {"user": self.fake.bot_user_id, "ts": post["ts"]}}
        return handle

    def bot_dms(self, user: str) -> list[str]:
        channel = dm_channel(CAST[user][0])
        return [str(p["text"]) for p in self.fake.posted if p["channel"] == channel]

    def bot_files(self) -> list[BotFile]:
        return [
            BotFile(
                str(share.get("title") or share["id"]),
                self.fake.uploads[share["id"]],
                str(share.get("channel_id", "")).startswith("D"),
            )
            for share in self.fake.shared_files
        ]

    def bot_reactions(self) -> list[tuple[str, str]]:
        return [(f"{channel}|{ts}", name) for channel, ts, name in self.fake.reactions]

    def waiting_commands(self) -> list[str]:
        # A slash command acknowledged with an empty body leaves nothing on screen.
        return []

    async def problems(self) -> list[str]:
        found = await self._counter.problems()
        found += self.fake.protocol_errors
        found += [
            f"envelope {e} was never acknowledged"
            for e in self._envelopes
            if e not in self.fake.acks
        ]
        return found
