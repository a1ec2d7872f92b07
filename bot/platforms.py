"""Builds the platform adapters named in the config, and their token checks."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from adapters.base import Adapter
from bot.config import Config

if TYPE_CHECKING:
    from bot.app import Roundtable

__all__ = ["build_platform_adapters", "enabled_platforms", "token_checks"]

TokenCheck = Callable[[Mapping[str, str]], list[str]]


def enabled_platforms(config: Config) -> list[str]:
    """The platforms with a section in the config, in a fixed order."""
    return [name for name in ("discord", "slack", "telegram") if getattr(config, name) is not None]


def token_checks(config: Config) -> list[TokenCheck]:
    """One check per enabled platform: what is missing or malformed in the environment."""
    checks: list[TokenCheck] = []
    if config.discord is not None:
        from adapters.discord.config import check_tokens as discord_check

        cfg_d = config.discord
        checks.append(lambda env: discord_check(cfg_d, env))
    if config.slack is not None:
        from adapters.slack.config import check_tokens as slack_check

        cfg_s = config.slack
        checks.append(lambda env: slack_check(cfg_s, env))
    if config.telegram is not None:
        from adapters.telegram.config import check_tokens as telegram_check

        cfg_t = config.telegram
        checks.append(lambda env: telegram_check(cfg_t, env))
    return checks


def build_platform_adapters(
    config: Config, bot: Roundtable, environ: Mapping[str, str] | None = None
) -> list[Adapter]:
    """One adapter per platform section present in the config."""
    env = os.environ if environ is None else environ
    commands = bot.commands.top_level()
    adapters: list[Adapter] = []
    if config.discord is not None:
        from adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(config.discord, env, commands, bot.clock))
    if config.slack is not None:
        from adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(config.slack, env, commands, bot.clock))
    if config.telegram is not None:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(config.telegram, env, commands, bot.clock))
    return adapters
