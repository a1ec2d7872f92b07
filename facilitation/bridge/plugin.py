"""Registers ``/link`` and ``/unlink`` (accounts across platforms)."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import ModuleSpec
from facilitation.bridge.module import BridgeModule

__all__ = ["SPEC"]


def _build(services: Services, _section: None) -> Module:
    return BridgeModule(services)


SPEC = ModuleSpec(name="bridge", factory=_build, order=35)
