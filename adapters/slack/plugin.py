"""Registers the Slack platform: the ``[slack]`` section enables it."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from adapters.slack.adapter import SlackAdapter
from adapters.slack.config import SlackConfig, check_tokens
from adapters.slack.manifest import build_manifest
from bot.config import load_config
from bot.plugins import CliCommand, PlatformContext, PlatformSpec
from bot.runner import command_list

__all__ = ["SPEC"]


def _build(section: SlackConfig, context: PlatformContext) -> SlackAdapter:
    return SlackAdapter(section, context.environ, context.commands, context.clock)


def manifest_main(argv: list[str]) -> int:
    """Print the Slack app manifest (JSON) with every command Roundtable understands."""
    p = argparse.ArgumentParser(
        prog="roundtable slack-manifest", description="Print the Slack app manifest (JSON)."
    )
    p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    p.add_argument(
        "--http",
        metavar="URL",
        default=None,
        help="public https URL for the Events API (default: Socket Mode)",
    )
    args = p.parse_args(argv)
    config = load_config(args.config)
    commands = asyncio.run(command_list(config))
    manifest = build_manifest(commands, config.bot.name, args.http is None, args.http)
    print(json.dumps(manifest, indent=2, ensure_ascii=False))
    return 0


SPEC = PlatformSpec(
    name="slack",
    config=SlackConfig,
    factory=_build,
    check_env=check_tokens,
    order=20,
    commands=(CliCommand("slack-manifest", "print the Slack app manifest (JSON)", manifest_main),),
)
