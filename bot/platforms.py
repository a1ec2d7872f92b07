"""Builds the platform adapters named in the config, and their token checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from adapters.base import Adapter
from bot.config import Config

if TYPE_CHECKING:
    from bot.app import Roundtable

__all__ = ["build_platform_adapters", "enabled_platforms", "token_checks"]

TokenCheck = Callable[[Mapping[str, str]], list[str]]


def enabled_platforms(config: Config) -> list[str]:
    return []


def token_checks(config: Config) -> list[TokenCheck]:
    return []


def build_platform_adapters(config: Config, bot: Roundtable) -> list[Adapter]:
    """One adapter per platform section present in the config."""
    return []
