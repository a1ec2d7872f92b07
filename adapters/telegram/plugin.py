"""Registers the Telegram platform: the ``[telegram]`` section enables it."""

from __future__ import annotations

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.config import TelegramConfig, check_tokens
from bot.plugins import PlatformContext, PlatformSpec

__all__ = ["SPEC"]


def _build(section: TelegramConfig, context: PlatformContext) -> TelegramAdapter:
    return TelegramAdapter(section, context.environ, context.commands, context.clock)


SPEC = PlatformSpec(
    name="telegram", config=TelegramConfig, factory=_build, check_env=check_tokens, order=30
)
