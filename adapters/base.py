"""What every platform adapter shares (the protocol itself is :mod:`bot.adapter`)."""

from __future__ import annotations

from bot.adapter import Adapter, Sink, split_text

__all__ = ["Adapter", "Sink", "split_text"]
