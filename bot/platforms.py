"""What the config asks of the platforms: which are enabled, and what their tokens lack."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config import Config
from bot.plugins import Registry

__all__ = ["enabled_platforms", "token_problems"]


def enabled_platforms(config: Config, registry: Registry) -> list[str]:
    """The real platforms with a section in the config, in their declared order."""
    return [
        spec.name
        for spec in registry.platforms()
        if spec.runs == "configured" and spec.name in config.sections
    ]


def token_problems(config: Config, environ: Mapping[str, str], registry: Registry) -> list[str]:
    """Missing or malformed tokens of every platform the config enables."""
    problems: list[str] = []
    for spec in registry.platforms():
        if spec.check_env is not None and spec.runs == "configured":
            section = config.sections.get(spec.name)
            if section is not None:
                problems.extend(spec.check_env(section, environ))
    return problems
