"""One event across platforms: the real bot attached to two or three fakes at once.

Each platform keeps its own harness (its fake, its cast, its verbs); they share one
bot, whose config maps each platform's channel to the same event. Scenario code
then acts on one platform and checks what the others received.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.discord import DiscordConfig
from adapters.slack import SlackConfig
from adapters.telegram import TelegramConfig
from bot.clock import SystemClock
from bot.config import BotConfig, Config, EventConfig, RolesConfig, StoreConfig
from facilitation.base import EmbedderProvider
from tests.contract import harness_discord, harness_slack, harness_telegram
from tests.contract.harness import EVENT_ID, PEOPLE, start_bot
from tests.contract.harness_discord import DiscordHarness
from tests.contract.harness_slack import SlackHarness
from tests.contract.harness_telegram import TelegramHarness
from tests.fakes.discord_fake import CHANNEL_ID, DiscordFake
from tests.fakes.slack_fake import SlackFake
from tests.fakes.telegram_fake import TOKEN, TelegramFake

__all__ = ["Across", "event_across"]

Across = Mapping[str, Any]  # platform -> its harness (Discord/Slack/TelegramHarness)


def _ids(platform: str) -> dict[str, str]:
    if platform == "discord":
        return {p: str(harness_discord.CAST[p]["id"]) for p in PEOPLE}
    if platform == "slack":
        return {p: harness_slack.CAST[p][0] for p in PEOPLE}
    return {p: str(harness_telegram.CAST[p]["id"]) for p in PEOPLE}


def _config(tmp: Path, sections: dict[str, object], extra: Mapping[str, object]) -> Config:
    def who(person: str) -> list[str]:
        return [f"{platform}:{_ids(platform)[person]}" for platform in sections]

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
            "events": [EventConfig(id=EVENT_ID, title="Contract test")],
            "sections": {**sections, **extra},
        }
    )


@asynccontextmanager
async def event_across(
    platforms: tuple[str, ...],
    tmp: Path,
    embedder: EmbedderProvider,
    extra: Mapping[str, object] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """The bot with one event whose channels are on each of ``platforms``."""
    async with AsyncExitStack() as stack:
        fakes: dict[str, Any] = {}
        sections: dict[str, object] = {}
        env: dict[str, str] = {}
        if "discord" in platforms:
            discord = await stack.enter_async_context(DiscordFake())
            fakes["discord"] = discord
            sections["discord"] = DiscordConfig(
                channels={CHANNEL_ID: EVENT_ID}, guild_ready_timeout=0.05, connect_timeout=5.0
            )
            env["DISCORD_BOT_TOKEN"] = discord.token
        if "slack" in platforms:
            slack = await stack.enter_async_context(SlackFake())
            for uid, name in harness_slack.CAST.values():
                slack.add_user(uid, name)
            fakes["slack"] = slack
            sections["slack"] = SlackConfig(
                mode="socket",
                base_url=slack.base_url,
                connect_timeout=5,
                channels={harness_slack.CHANNEL: EVENT_ID},
            )
            env.update(slack.environ)
        if "telegram" in platforms:
            telegram = await stack.enter_async_context(TelegramFake())
            telegram.add_group(harness_telegram.GROUP, "Contract panel")
            for person in harness_telegram.CAST.values():
                telegram.add_private(person)
            fakes["telegram"] = telegram
            sections["telegram"] = TelegramConfig(
                base_url=telegram.base_url,
                base_file_url=telegram.base_file_url,
                poll_timeout=1,
                channels={str(harness_telegram.GROUP): EVENT_ID},
            )
            env["TELEGRAM_BOT_TOKEN"] = TOKEN
        config = _config(tmp, sections, extra or {})
        bot = await start_bot(config, SystemClock(), embedder)
        try:
            for adapter in bot.platform_adapters(env):
                await bot.attach(adapter)
            kinds = {"discord": DiscordHarness, "slack": SlackHarness, "telegram": TelegramHarness}
            yield {p: kinds[p](fakes[p], bot) for p in platforms}
        finally:
            await bot.aclose()


async def settle(across: Mapping[str, Any]) -> None:
    """Every platform's inputs handled and the bot quiet."""
    for h in across.values():
        await h.settle()
    for h in across.values():
        await h.settle()
