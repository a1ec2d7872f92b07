"""What a facilitation module builds on (defined by the core in :mod:`bot.module`)."""

from __future__ import annotations

from bot.module import EmbedderProvider, Module, Services

__all__ = ["EmbedderProvider", "Module", "Services"]
