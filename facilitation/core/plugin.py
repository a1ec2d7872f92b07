"""Registers the core commands; they see each event first."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import ModuleSpec
from facilitation.core.module import CoreModule

__all__ = ["SPEC"]


def _build(services: Services, _section: None) -> Module:
    return CoreModule(services)


SPEC = ModuleSpec(name="core", factory=_build, order=0)
