"""Roundtable actions -> Discord REST calls (rate limits are discord.py's job)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from pathlib import Path

import discord

from adapters.base import split_text
from adapters.discord.translate import PLATFORM, neutralise_mass_mentions
from bot.actions import (
    Action,
    DirectMessage,
    MessageRef,
    OpenThread,
    Pin,
    React,
    Reply,
    Say,
    Target,
    UploadFile,
)
from bot.clock import Clock

__all__ = ["MESSAGE_LIMIT", "SAFE_MENTIONS", "DiscordSender", "PendingInteractions"]

MESSAGE_LIMIT = 2000
THREAD_NAME_LIMIT = 100

# The bot never means to ping anyone: a question quoting "<@123>" is shown with the
# name by every /now and /queue post, without pinging them again.
SAFE_MENTIONS = discord.AllowedMentions(
    everyone=False, roles=False, users=False, replied_user=False
)
"""People may be pinged by name; @everyone, @here and roles never, whatever the text says."""

# An interaction token is valid for 15 minutes; after that a followup fails.
_INTERACTION_TTL = timedelta(minutes=15)

_EMOJI_NAMES = {
    ":+1:": "👍",
    ":thumbsup:": "👍",
    ":-1:": "👎",
    ":thumbsdown:": "👎",
    ":heart:": "❤️",
    ":white_check_mark:": "✅",
    ":pushpin:": "📌",
    ":raised_hand:": "✋",
    ":eyes:": "👀",
    ":tada:": "🎉",
    ":question:": "❓",
    ":bulb:": "💡",
}


class PendingInteractions:
    """Slash-command interactions the bot may still answer through their followup webhook."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: OrderedDict[str, tuple[datetime, discord.Interaction[discord.Client]]] = (
            OrderedDict()
        )

    def add(self, interaction: discord.Interaction[discord.Client]) -> None:
        self._prune()
        self._items[str(interaction.id)] = (self._clock.now(), interaction)

    def get(self, interaction_id: str) -> discord.Interaction[discord.Client] | None:
        self._prune()
        item = self._items.get(interaction_id)
        return item[1] if item is not None else None

    def _prune(self) -> None:
        cutoff = self._clock.now() - _INTERACTION_TTL
        while self._items:
            key, (when, _) = next(iter(self._items.items()))
            if when >= cutoff:
                break
            del self._items[key]


class DiscordSender:
    """Performs actions through a connected discord.py client."""

    def __init__(self, client: discord.Client, interactions: PendingInteractions) -> None:
        self._client = client
        self._interactions = interactions

    async def send(self, action: Action) -> list[MessageRef]:
        """Perform one action; return the messages it produced."""
        match action:
            case Say(target=target, text=text):
                return await self._post(target, text)
            case Reply(target=target, message_id=message_id, text=text):
                interaction = self._interactions.get(message_id)
                if interaction is not None:
                    return await self._followup(interaction, target, text)
                return await self._post(target, text, reply_to=message_id)
            case React(target=target, message_id=message_id, emoji=emoji):
                await self._message(target, message_id).add_reaction(self._emoji(emoji))
                return []
            case OpenThread(target=target, message_id=message_id, name=name, text=text):
                return await self._open_thread(target, message_id, name, text)
            case Pin(target=target, message_id=message_id):
                await self._message(target, message_id).pin()
                return []
            case DirectMessage(user=user, text=text):
                dm = await self._client.create_dm(discord.Object(id=int(user)))
                return await self._post_to(dm, text, channel=str(dm.id), thread=None)
            case UploadFile(target=target, path=path, comment=comment, private_to=private_to):
                return await self._upload(target, path, comment, private_to)
        raise TypeError(f"not an action: {action!r}")

    def _channel(self, target: Target) -> discord.PartialMessageable:
        # A partial channel needs no cache and no API call; a thread is a channel too.
        guild_id = int(target.community) if target.community.isdigit() else None
        return self._client.get_partial_messageable(
            int(target.thread or target.channel), guild_id=guild_id
        )

    def _message(self, target: Target, message_id: str) -> discord.PartialMessage:
        return self._channel(target).get_partial_message(int(message_id))

    def _emoji(self, emoji: str) -> str | discord.Emoji:
        if not (emoji.startswith(":") and emoji.endswith(":") and len(emoji) > 2):
            return emoji
        if emoji in _EMOJI_NAMES:
            return _EMOJI_NAMES[emoji]
        custom = discord.utils.get(self._client.emojis, name=emoji.strip(":"))
        if custom is None:
            raise ValueError(f"unknown emoji {emoji!r}")
        return custom

    async def _post(
        self, target: Target, text: str, reply_to: str | None = None
    ) -> list[MessageRef]:
        reference = None
        if reply_to is not None:
            # fail_if_not_exists=False: a reply to a since-deleted question still gets posted.
            reference = self._message(target, reply_to).to_reference(fail_if_not_exists=False)
        return await self._post_to(
            self._channel(target),
            text,
            channel=target.channel,
            thread=target.thread,
            reference=reference,
        )

    async def _post_to(
        self,
        where: discord.abc.Messageable,
        text: str,
        *,
        channel: str,
        thread: str | None,
        reference: discord.MessageReference | None = None,
    ) -> list[MessageRef]:
        refs: list[MessageRef] = []
        for chunk in split_text(neutralise_mass_mentions(text), MESSAGE_LIMIT):
            # Only the first chunk is the reply; the rest follow it.
            if reference is not None and not refs:
                sent = await where.send(chunk, reference=reference, allowed_mentions=SAFE_MENTIONS)
            else:
                sent = await where.send(chunk, allowed_mentions=SAFE_MENTIONS)
            refs.append(MessageRef(PLATFORM, channel, str(sent.id), thread))
        return refs

    async def _followup(
        self, interaction: discord.Interaction[discord.Client], target: Target, text: str
    ) -> list[MessageRef]:
        refs: list[MessageRef] = []
        for chunk in split_text(neutralise_mass_mentions(text), MESSAGE_LIMIT):
            # The first followup after a deferral replaces the "thinking..." message.
            sent = await interaction.followup.send(chunk, wait=True, allowed_mentions=SAFE_MENTIONS)
            refs.append(MessageRef(PLATFORM, target.channel, str(sent.id), target.thread))
        return refs

    async def _open_thread(
        self, target: Target, message_id: str, name: str, text: str
    ) -> list[MessageRef]:
        starter = self._message(target, message_id)
        thread = await starter.create_thread(name=_thread_name(name))
        if not text:
            # Discord gives a thread started from a message the message's own id.
            return [MessageRef(PLATFORM, target.channel, message_id, str(thread.id))]
        return await self._post_to(thread, text, channel=target.channel, thread=str(thread.id))

    async def _upload(
        self, target: Target, path: Path, comment: str, private_to: str | None
    ) -> list[MessageRef]:
        where: discord.abc.Messageable
        if private_to is not None:
            dm = await self._client.create_dm(discord.Object(id=int(private_to)))
            where, channel, thread = dm, str(dm.id), None
        else:
            where, channel, thread = self._channel(target), target.channel, target.thread
        sent = await where.send(
            neutralise_mass_mentions(comment)[:MESSAGE_LIMIT] or None,
            file=discord.File(path, filename=path.name),
            allowed_mentions=SAFE_MENTIONS,
        )
        return [MessageRef(PLATFORM, channel, str(sent.id), thread)]


def _thread_name(name: str) -> str:
    name = " ".join(name.split()) or "Discussion"
    return name[:THREAD_NAME_LIMIT]
