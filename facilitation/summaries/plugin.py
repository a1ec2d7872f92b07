"""Registers ``roundtable eval summaries`` (the summariser itself is a library)."""

from __future__ import annotations

from bot.plugins import CliCommand, ToolSpec

__all__ = ["SPEC"]

SPEC = ToolSpec(
    name="summaries",
    commands=(
        CliCommand(
            "summaries",
            "summaries on DialogSum-format dialogues",
            "facilitation.summaries.evaluate:main",
            group="eval",
        ),
    ),
)
