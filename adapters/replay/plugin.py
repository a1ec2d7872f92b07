"""Registers transcript replays: ``roundtable replay FILE`` and ``roundtable demo``."""

from __future__ import annotations

from adapters.replay.commands import demo_main, replay_main
from adapters.replay.config import ReplayConfig
from bot.plugins import CliCommand, PlatformSpec

__all__ = ["SPEC"]

SPEC = PlatformSpec(
    name="replay",
    config=ReplayConfig,
    runs="never",
    commands=(
        CliCommand("demo", "replay the bundled demo event and write its outputs", demo_main),
        CliCommand("replay", "replay a transcript (JSON Lines or IRC log)", replay_main),
    ),
)
