"""Registers the threads module (``[threads]``) and ``roundtable eval threads``."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import CliCommand, ModuleSpec
from facilitation.threads.board import OpenConversations
from facilitation.threads.config import ThreadsConfig
from facilitation.threads.module import ThreadsModule

__all__ = ["SPEC"]


def _build(services: Services, _section: ThreadsConfig) -> Module:
    return ThreadsModule(services)


SPEC = ModuleSpec(
    name="threads",
    config=ThreadsConfig,
    factory=_build,
    live_exports={"conversations": OpenConversations},
    order=10,
    commands=(
        CliCommand(
            "threads",
            "conversation disentanglement on IRC logs",
            "facilitation.threads.evaluate:main",
            group="eval",
        ),
    ),
)
