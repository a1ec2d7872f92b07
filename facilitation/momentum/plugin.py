"""Registers follow-ups, "since last time" and /remindme (``[momentum]``)."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import ModuleSpec
from facilitation.momentum.config import MomentumConfig
from facilitation.momentum.module import MomentumModule

__all__ = ["SPEC"]


def _build(services: Services, section: MomentumConfig) -> Module:
    return MomentumModule(services, section)


SPEC = ModuleSpec(name="momentum", config=MomentumConfig, factory=_build, order=60)
