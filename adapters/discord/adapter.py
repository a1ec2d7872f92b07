"""The Discord adapter: a discord.py client running inside Roundtable's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import discord

from adapters.base import NotStarted, PlatformAdapter, TokenError
from adapters.discord import translate
from adapters.discord.commands import build_tree, sync_tree
from adapters.discord.config import DiscordConfig
from adapters.discord.sender import MESSAGE_LIMIT, SAFE_MENTIONS, DiscordSender, PendingInteractions
from adapters.discord.translate import neutralise_mass_mentions
from bot.actions import Action, MessageRef
from bot.clock import Clock, SystemClock
from bot.events import Capabilities, Event

__all__ = ["CAPABILITIES", "DiscordAdapter", "intents_for"]

_log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(
    native_threads=True,
    reactions=True,
    direct_messages=True,
    file_upload=True,
    slash_commands=True,
    pins=True,
    edits=True,
    message_limit=MESSAGE_LIMIT,
)

_DRAIN_TIMEOUT = 5.0
_RETRY_FIRST, _RETRY_MAX = 1.0, 60.0  # pauses before storing an event again


def intents_for(config: DiscordConfig) -> discord.Intents:
    """The gateway intents Roundtable needs: guild and DM messages and reactions.

    ``message_content`` and ``members`` are privileged: they must also be switched on
    in the Developer Portal, or Discord refuses the connection (close code 4014).
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.guild_reactions = True
    intents.dm_reactions = True
    intents.message_content = config.message_content
    intents.members = config.members
    return intents


class DiscordAdapter(PlatformAdapter):
    """Connects to the Discord gateway, pushes events into a sink, performs actions.

    Args:
        config: The ``[discord]`` settings.
        environ: Where the token is read from (``config.token_env`` names the variable).
        commands: (name, one-line description) of each command in the bot's grammar;
            each becomes a slash command taking the rest of the line as text.
        clock: Time source for events Discord sends without a timestamp.

    discord.py runs each gateway handler as a task of its own, so received events
    wait in one queue and a pump hands them to the bot in arrival order.
    """

    name = translate.PLATFORM
    capabilities = CAPABILITIES

    def __init__(
        self,
        config: DiscordConfig,
        environ: Mapping[str, str],
        commands: Sequence[tuple[str, str]],
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self._config = config
        self._token = environ.get(config.token_env, "").strip()
        self._commands = tuple(commands)
        self._clock: Clock = clock or SystemClock()
        self._interactions = PendingInteractions(self._clock)
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._client: _Client | None = None
        self._sender: DiscordSender | None = None
        self._runner: asyncio.Task[None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self.unstored: Event | None = None  # the event being tried again, if storing failed
        self._left: list[Event] = []  # received, not stored, when it closed
        self._current: Event | None = None  # the event the pump is handing over now

    @property
    def client(self) -> discord.Client | None:
        """The underlying discord.py client while started (for diagnostics)."""
        return self._client

    def token_problems(self) -> list[str]:
        if not self._token:
            return [f"{self._config.token_env} is not set"]
        return []

    async def connect(self) -> None:
        """Log in, register the slash commands, connect, and return once ready.

        Raises:
            TokenError: Discord rejected the token.
            discord.PrivilegedIntentsRequired: An intent is not enabled in the portal.
            TimeoutError: The gateway did not become ready in ``connect_timeout``.
        """
        kind = _ShardedClient if self._config.shard_count is not None else _Client
        client = kind(self, intents_for(self._config), self._config, self._commands)
        self._client = client
        self._sender = DiscordSender(client, self._interactions)
        self._pump = asyncio.create_task(self._pump_events(), name="discord-events")
        # client.start() owns the reconnect loop; we only watch it.
        self._runner = asyncio.create_task(client.start(self._token), name="discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {ready, self._runner},
                timeout=self._config.connect_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            ready.cancel()
        if ready in done and not ready.cancelled():
            return
        failure = self._runner.exception() if self._runner in done else None
        if isinstance(failure, discord.LoginFailure):
            raise TokenError(
                translate.PLATFORM,
                f"Discord refused the token in {self._config.token_env} ({failure}); copy the "
                "bot's token from the Developer Portal (Bot, Reset Token) and set it again",
            ) from failure
        if failure is not None:
            raise failure
        raise TimeoutError("Discord gateway did not become ready in time")

    async def perform(self, action: Action) -> list[MessageRef]:
        """Perform one action through Discord's REST API."""
        if self._sender is None:
            raise NotStarted(translate.PLATFORM, "Discord is not connected")
        return await self._sender.send(action)

    async def disconnect(self) -> None:
        """Disconnect, deliver the events already received, and stop the background tasks."""
        client, runner, pump = self._client, self._runner, self._pump
        self._client = self._sender = self._runner = self._pump = None
        if client is not None:
            await client.close()
        if runner is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await runner
        if pump is not None:
            await self._drain()
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
            # Discord will not send these again: hand them back to the bot, which keeps them
            # (the one being stored when the pump stopped may be stored: kept anyway, and
            # storing it again is a redelivery, stored once)
            left = [self._current] if self._current is not None else []
            while not self._queue.empty():
                left.append(self._queue.get_nowait())
                self._queue.task_done()
            self.unstored = self._current = None
            self._left = left
            if left:
                _log.warning(
                    "stopping with %d Discord event(s) not stored yet; handing them back", len(left)
                )

    async def _drain(self) -> None:
        """Wait while the events received are being stored (stop waiting once none get stored)."""
        while not self._queue.empty() or self._current is not None:
            before = self._queue.qsize()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), _DRAIN_TIMEOUT)
            if self.unstored is not None or self._queue.qsize() >= before:
                return  # storing fails, or makes no progress: keep the rest

    def leftovers(self) -> list[Event]:
        """The events received and not stored when the adapter closed (see ``disconnect``)."""
        left, self._left = self._left, []
        return left

    def emit(self, event: Event | None) -> None:
        """Queue an event for the sink (discord.py calls handlers as separate tasks;
        one queue keeps them in arrival order)."""
        if event is not None:
            self._queue.put_nowait(event)

    def now(self) -> datetime:
        """The adapter clock's time (for events Discord sends without one)."""
        return self._clock.now()

    async def on_command(
        self, interaction: discord.Interaction[discord.Client], name: str, args: str
    ) -> None:
        # Discord drops an interaction not acknowledged within 3 s, so acknowledge
        # before the bot does any work. A deferral would leave a "thinking..."
        # placeholder that only a followup clears, and many commands are answered
        # by a DM or a channel message instead; so the acknowledgement is a short
        # echo only the caller sees, and the bot's answer arrives as usual.
        echo = f"/{name} {args}".strip()
        await interaction.response.send_message(
            neutralise_mass_mentions(echo[:1900]), ephemeral=True, allowed_mentions=SAFE_MENTIONS
        )
        self._interactions.add(interaction)
        self.emit(translate.command_issued(interaction, name=name, args=args))

    async def _pump_events(self) -> None:
        """Hand queued events to the bot in order; one it could not store is tried again.

        The gateway has no acknowledgement and does not send an event twice, so
        an event whose storing failed (a broken or full database) stays at the
        head of the queue, with a warning saying why, and is tried again with a
        growing pause (the events behind it wait, keeping their order).
        """
        while True:
            event = await self._queue.get()
            self._current = event
            try:
                pause = _RETRY_FIRST
                while True:
                    try:
                        await self.deliver(event)
                        break
                    except Exception as exc:
                        self.unstored = event
                        _log.warning(
                            "could not store a Discord %s (%s: %s); kept, trying again in"
                            " %.0f s (%d more waiting behind it)",
                            event.kind,
                            type(exc).__name__,
                            exc,
                            pause,
                            self._queue.qsize(),
                        )
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _RETRY_MAX)
                self.unstored = None
                self._current = None
            finally:
                self._queue.task_done()


class _Client(discord.Client):
    """discord.py calls ``on_<event>`` methods; each one translates and queues."""

    def __init__(
        self,
        adapter: DiscordAdapter,
        intents: discord.Intents,
        config: DiscordConfig,
        commands: Sequence[tuple[str, str]],
    ) -> None:
        shards: dict[str, Any] = {}
        if config.shard_count is not None:
            shards["shard_count"] = config.shard_count
            if config.shard_ids:
                shards["shard_ids"] = list(config.shard_ids)
        super().__init__(
            intents=intents,
            allowed_mentions=SAFE_MENTIONS,  # the default for anything sent: nobody pinged
            # Member lists are not needed and would need the members intent.
            chunk_guilds_at_startup=False,
            guild_ready_timeout=config.guild_ready_timeout,
            **shards,
        )
        self._adapter = adapter
        self._config = config
        self.tree = build_tree(self, commands, adapter.on_command)

    async def setup_hook(self) -> None:
        if self._config.sync_commands:
            await sync_tree(self.tree, self._config.command_guilds)

    def _bot_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    async def on_message(self, message: discord.Message) -> None:
        self._adapter.emit(translate.message_posted(message, bot_user_id=self._bot_id()))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        event = translate.message_edited(
            payload, bot_user_id=self._bot_id(), now=self._adapter.now()
        )
        self._adapter.emit(event)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        channel = self.get_channel(payload.channel_id)
        event = translate.message_deleted(payload, channel=channel, now=self._adapter.now())
        self._adapter.emit(event)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self._reaction(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self._reaction(payload)

    def _reaction(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.user_id == self._bot_id():
            return
        channel = self.get_channel(payload.channel_id)
        event = translate.reaction_event(payload, channel=channel, now=self._adapter.now())
        self._adapter.emit(event)

    async def on_member_join(self, member: discord.Member) -> None:
        self._adapter.emit(translate.member_joined(member))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        self._adapter.emit(translate.member_left(payload, now=self._adapter.now()))


class _ShardedClient(_Client, discord.AutoShardedClient):
    """The same client, connected as this worker's shards only (``[discord] shard_ids``)."""
