"""Facilitation modules: each subscribes to the events it needs and emits actions."""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.base import EmbedderProvider, Module, Services
from facilitation.core import CoreModule

__all__ = ["EmbedderProvider", "Module", "Services", "build_modules"]


def build_modules(services: Services) -> Sequence[Module]:
    """Every facilitation module, in the order they see each event."""
    return [CoreModule(services)]
