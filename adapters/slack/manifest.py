"""The Slack app manifest Roundtable needs: scopes, events and slash commands.

Paste the JSON into https://api.slack.com/apps -> Create New App -> From a manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["BOT_EVENTS", "BOT_SCOPES", "build_manifest"]

BOT_SCOPES: tuple[str, ...] = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:write",
    "pins:write",
    "reactions:read",
    "reactions:write",
    "users:read",
)
"""What each is for: reading messages in public/private channels and DMs (*:history),
posting (chat:write), slash commands, exports (files:write), opening DMs for
anonymous questions and digests (im:write), pinning questions, reading and adding
votes (reactions:*), names and admin hints (users:read)."""

BOT_EVENTS: tuple[str, ...] = (
    "member_joined_channel",
    "member_left_channel",
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
    "reaction_removed",
)

_DESCRIPTION = "Facilitates Q&A events: a question queue, threads, snapshots and reports."
_MAX_DESCRIPTION = 100  # the command picker shows one short line


def build_manifest(
    commands: Sequence[tuple[str, str]],
    name: str,
    socket_mode: bool,
    request_url: str | None,
    *,
    description: str = _DESCRIPTION,
) -> dict[str, Any]:
    """Build the app manifest as a dict (``json.dumps`` it for Slack).

    Args:
        commands: (name, one-line description) pairs from the bot's grammar; each
            becomes ``/name``.
        name: the app and bot user name shown in Slack.
        socket_mode: True for Socket Mode (no public URL); False for HTTP.
        request_url: the public https URL Slack posts events and commands to;
            required when ``socket_mode`` is False, ignored otherwise.
        description: the app's short description.

    Raises:
        ValueError: HTTP mode without a request URL, or a command name Slack refuses.
    """
    if not socket_mode and not request_url:
        raise ValueError("HTTP mode needs the public request_url Slack will post to")
    url = None if socket_mode else request_url
    slash_commands = []
    for command, text in commands:
        word = command.strip().lstrip("/").lower()
        if not word or len(word) > 31 or any(c.isspace() for c in word):
            raise ValueError(f"not a valid Slack command name: {command!r}")
        entry: dict[str, Any] = {
            "command": f"/{word}",
            "description": text.strip()[:_MAX_DESCRIPTION] or word,
            "should_escape": False,
        }
        if url:
            entry["url"] = url
        slash_commands.append(entry)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if url:
        events["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": name, "description": description},
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": slash_commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
