"""Discord adapter settings and the token check behind ``roundtable doctor``."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["DiscordConfig", "check_tokens"]

_SNOWFLAKE = re.compile(r"^[0-9]{15,21}$")
_TOKEN_PART = re.compile(r"^[A-Za-z0-9_-]+$")


class DiscordConfig(BaseModel):
    """The ``[discord]`` table of the Roundtable config.

    Attributes:
        token_env: Name of the environment variable holding the bot token (never the token).
        channels: Channel id -> event id: which event a channel's messages belong to.
        command_guilds: Guild ids to register slash commands in. Guild commands appear at
            once; when empty the commands are registered globally, which Discord may take
            up to an hour to show everywhere.
        sync_commands: Register (overwrite) the slash commands at start.
        message_content: Ask for the privileged message-content intent. Without it Discord
            blanks the text of messages that do not mention the bot, so questions cannot be
            read; it must also be switched on in the Developer Portal.
        members: Ask for the privileged server-members intent (join/leave events).
        guild_ready_timeout: Seconds discord.py waits after the last server arrives before
            it reports ready.
        connect_timeout: Seconds ``start`` waits for the gateway to become ready.
        shard_count: How many shards the bot runs as in all (Discord asks for sharding
            once a bot is in 2,500 servers). With it, this worker connects as the shards
            in ``shard_ids`` only, through discord.py's ``AutoShardedClient``; give every
            worker its own ids, together covering 0 to ``shard_count - 1``.
        shard_ids: This worker's shards (empty with a ``shard_count``: all of them).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_env: str = "DISCORD_BOT_TOKEN"
    channels: dict[str, str] = Field(default_factory=dict)
    command_guilds: tuple[str, ...] = ()
    sync_commands: bool = True
    message_content: bool = True
    members: bool = False
    guild_ready_timeout: float = Field(default=2.0, ge=0.0, le=60.0)
    connect_timeout: float = Field(default=30.0, gt=0.0)
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: tuple[int, ...] = ()

    @model_validator(mode="after")
    def _shards(self) -> DiscordConfig:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (how many shards there are in all)")
        bad = [i for i in self.shard_ids if self.shard_count and not 0 <= i < self.shard_count]
        if bad:
            raise ValueError(f"shard ids run from 0 to shard_count - 1: {bad}")
        return self

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [key for key in value if not _SNOWFLAKE.match(key)]
        if bad:
            raise ValueError(f"channel ids must be Discord snowflakes (digits): {bad}")
        return value

    @field_validator("command_guilds")
    @classmethod
    def _guild_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [key for key in value if not _SNOWFLAKE.match(key)]
        if bad:
            raise ValueError(f"guild ids must be Discord snowflakes (digits): {bad}")
        return value


def check_tokens(cfg: DiscordConfig, environ: Mapping[str, str]) -> list[str]:
    """Say what is wrong with the Discord token in ``environ``, in plain words.

    Args:
        cfg: The Discord settings (names the environment variable).
        environ: The environment to read, usually ``os.environ``.

    Returns:
        One sentence per problem; empty when the token looks usable. The token is
        never echoed back.
    """
    name = cfg.token_env
    token = environ.get(name)
    if token is None or not token.strip():
        return [f"{name} is not set"]
    if token.strip().lower().startswith("bot "):
        return [f"{name} should be the bare token, without the 'Bot ' prefix"]
    if token != token.strip() or any(ch.isspace() for ch in token):
        return [f"{name} contains spaces or line breaks; paste the token alone"]
    parts = token.split(".")
    if len(parts) != 3 or not all(part and _TOKEN_PART.match(part) for part in parts):
        return [
            f"{name} does not look like a Discord bot token "
            "(three parts separated by dots, from the Bot page of the Developer Portal)"
        ]
    if not _decodes_to_snowflake(parts[0]):
        return [
            f"{name} does not start with an encoded application id; "
            "it may be a client secret or a public key instead of the bot token"
        ]
    return []


def _decodes_to_snowflake(part: str) -> bool:
    # The first part of a bot token is the bot's user id, base64-encoded without padding.
    try:
        decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return False
    return decoded.isdigit()
