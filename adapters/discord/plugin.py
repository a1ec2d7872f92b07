"""Registers the Discord platform: the ``[discord]`` section enables it."""

from __future__ import annotations

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.config import DiscordConfig, check_tokens
from bot.plugins import PlatformContext, PlatformSpec

__all__ = ["SPEC"]


def _build(section: DiscordConfig, context: PlatformContext) -> DiscordAdapter:
    return DiscordAdapter(section, context.environ, context.commands, context.clock)


SPEC = PlatformSpec(
    name="discord", config=DiscordConfig, factory=_build, check_env=check_tokens, order=10
)
