"""Registers the console room: what ``roundtable run`` opens when no platform is configured."""

from __future__ import annotations

from adapters.console.adapter import ConsoleAdapter
from adapters.console.config import ConsoleConfig
from bot.plugins import PlatformContext, PlatformSpec

__all__ = ["SPEC"]


def _build(section: ConsoleConfig, context: PlatformContext) -> ConsoleAdapter:
    return ConsoleAdapter(
        me=section.me,
        community=section.community,
        channel=section.channel,
        clock=context.clock,
        settle=context.settle,
    )


SPEC = PlatformSpec(name="console", config=ConsoleConfig, factory=_build, runs="fallback")
