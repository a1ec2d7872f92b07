"""Native slash commands built from the bot's command grammar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord import app_commands

__all__ = ["ARGS_OPTION", "CommandHandler", "build_tree", "sync_tree"]

ARGS_OPTION = "text"
"""Every command takes one optional string: the rest of the line, parsed by the bot."""

_ARGS_DESCRIPTION = "The rest of the command, as you would type it after the name"
_DESCRIPTION_LIMIT = 100

CommandHandler = Callable[[discord.Interaction[discord.Client], str, str], Awaitable[None]]
"""Called with (interaction, command name, rest of the line)."""


def build_tree(
    client: discord.Client,
    commands: Sequence[tuple[str, str]],
    handler: CommandHandler,
) -> app_commands.CommandTree[discord.Client]:
    """Attach a command tree with one slash command per (name, description) pair.

    The grammar stays in ``bot/``: each command only carries its text through, so
    ``/event start "Sleep"`` reaches the bot as name ``event``, args ``start "Sleep"``.
    """
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    for name, description in commands:
        tree.add_command(_command(name.lower(), description, handler))
    return tree


async def sync_tree(
    tree: app_commands.CommandTree[discord.Client], guild_ids: Sequence[str]
) -> list[app_commands.AppCommand]:
    """Register the commands with Discord (a bulk overwrite, so it is idempotent).

    Guild commands show up at once; global ones can take up to an hour.
    """
    if not guild_ids:
        return await tree.sync()
    synced: list[app_commands.AppCommand] = []
    for guild_id in guild_ids:
        guild = discord.Object(id=int(guild_id))
        tree.copy_global_to(guild=guild)
        synced.extend(await tree.sync(guild=guild))
    return synced


def _command(
    name: str, description: str, handler: CommandHandler
) -> app_commands.Command[Any, Any, None]:
    # discord.py reads the callback's signature to build the command's options, so
    # each command needs a real function with a typed ``text`` parameter.
    @app_commands.describe(text=_ARGS_DESCRIPTION)
    async def callback(
        interaction: discord.Interaction[discord.Client], text: str | None = None
    ) -> None:
        await handler(interaction, name, text or "")

    return app_commands.Command(
        name=name,
        description=(description or name)[:_DESCRIPTION_LIMIT],
        callback=callback,
    )
