"""Discord objects -> platform-neutral events. Pure: reads attributes, does no I/O."""

from __future__ import annotations

import re
from datetime import datetime

import discord

from bot.events import (
    CommandIssued,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    extract_links,
)

__all__ = [
    "DM_COMMUNITY",
    "PLATFORM",
    "author_roles",
    "command_issued",
    "emoji_text",
    "member_joined",
    "member_left",
    "message_deleted",
    "message_edited",
    "message_posted",
    "neutralise_mass_mentions",
    "place",
    "reaction_event",
]

PLATFORM = "discord"
DM_COMMUNITY = "@me"
"""The community of a direct message (Discord's own URLs use ``/channels/@me/...``)."""

_USER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
_MASS_MENTION = re.compile(r"@(everyone|here)")

Author = discord.User | discord.Member


def author_roles(author: Author | None) -> frozenset[str]:
    """Role hints from the author's permissions in the guild.

    ``guild_permissions`` folds the owner check and the permissions of every role
    the member holds (including @everyone) together, which is what Discord itself
    uses to decide what a member may do. Interactions also carry the member's
    resolved permissions in the channel, which may add to that.
    """
    if not isinstance(author, discord.Member):
        return frozenset()
    roles: set[str] = set()
    perms = author.guild_permissions
    if author.resolved_permissions is not None:
        perms = perms | author.resolved_permissions
    if author.id == author.guild.owner_id or perms.administrator or perms.manage_guild:
        roles.add("admin")
    if perms.manage_messages:
        roles.add("moderator")
    return frozenset(roles)


def place(channel: object, channel_id: int, guild_id: int | None) -> tuple[str, str, str | None]:
    """Return (community, channel, thread) for a message's channel.

    A thread is reported under its parent channel so that the channel -> event
    mapping still applies to conversations inside threads.
    """
    community = str(guild_id) if guild_id is not None else DM_COMMUNITY
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return community, str(channel.parent_id), str(channel.id)
    return community, str(channel_id), None


def emoji_text(emoji: discord.PartialEmoji | discord.Emoji | str) -> str:
    """A unicode emoji as itself; a custom server emoji as ``:name:``."""
    if isinstance(emoji, str):
        return emoji
    if emoji.id is None:
        return emoji.name or ""
    return f":{emoji.name}:"


def neutralise_mass_mentions(text: str) -> str:
    """Break ``@everyone``/``@here`` with a zero-width space so they never ping."""
    return _MASS_MENTION.sub("@\u200b\\1", text)


def message_posted(msg: discord.Message, *, bot_user_id: int | None) -> MessagePosted | None:
    """Translate a new message; ``None`` for the bot's own and for system messages."""
    if bot_user_id is not None and msg.author.id == bot_user_id:
        return None
    if msg.type not in _USER_MESSAGE_TYPES:
        return None
    guild_id = msg.guild.id if msg.guild is not None else None
    community, channel, thread = place(msg.channel, msg.channel.id, guild_id)
    reply_to = None
    if msg.type is discord.MessageType.reply and msg.reference is not None:
        reply_to = str(msg.reference.message_id) if msg.reference.message_id else None
    return MessagePosted(
        platform=PLATFORM,
        community=community,
        channel=channel,
        thread=thread,
        ts=msg.created_at,
        author=str(msg.author.id),
        author_name=msg.author.display_name,
        private=guild_id is None,
        author_roles=author_roles(msg.author),
        message_id=str(msg.id),
        text=msg.content,
        reply_to=reply_to,
        mentions=_mentions(msg),
        links=extract_links(msg.content),
        from_bot=msg.author.bot,
        raw=msg,
    )


def message_edited(
    payload: discord.RawMessageUpdateEvent, *, bot_user_id: int | None, now: datetime
) -> MessageEdited | None:
    """Translate an edit; ``None`` for the bot's own messages."""
    msg = payload.message
    if bot_user_id is not None and msg.author.id == bot_user_id:
        return None
    community, channel, thread = place(msg.channel, payload.channel_id, payload.guild_id)
    return MessageEdited(
        platform=PLATFORM,
        community=community,
        channel=channel,
        thread=thread,
        ts=msg.edited_at or now,
        author=str(msg.author.id),
        author_name=msg.author.display_name,
        private=payload.guild_id is None,
        author_roles=author_roles(msg.author),
        message_id=str(payload.message_id),
        text=msg.content,
        mentions=_mentions(msg),
        links=extract_links(msg.content),
        raw=payload,
    )


def message_deleted(
    payload: discord.RawMessageDeleteEvent, *, channel: object, now: datetime
) -> MessageDeleted:
    """Translate a deletion; Discord does not say who deleted it, so ``author`` is the
    original author when the message was still cached, else empty."""
    community, chan, thread = place(channel, payload.channel_id, payload.guild_id)
    cached = payload.cached_message
    return MessageDeleted(
        platform=PLATFORM,
        community=community,
        channel=chan,
        thread=thread,
        ts=now,
        author=str(cached.author.id) if cached is not None else "",
        private=payload.guild_id is None,
        message_id=str(payload.message_id),
        raw=payload,
    )


def reaction_event(
    payload: discord.RawReactionActionEvent,
    *,
    channel: object,
    now: datetime,
) -> ReactionAdded | ReactionRemoved:
    """Translate a raw reaction add/remove (raw, so reactions on uncached messages count)."""
    community, chan, thread = place(channel, payload.channel_id, payload.guild_id)
    cls = ReactionAdded if payload.event_type == "REACTION_ADD" else ReactionRemoved
    return cls(
        platform=PLATFORM,
        community=community,
        channel=chan,
        thread=thread,
        ts=now,
        author=str(payload.user_id),
        author_name=payload.member.display_name if payload.member is not None else "",
        private=payload.guild_id is None,
        author_roles=author_roles(payload.member),
        message_id=str(payload.message_id),
        emoji=emoji_text(payload.emoji),
        raw=payload,
    )


def command_issued(
    interaction: discord.Interaction[discord.Client], *, name: str, args: str
) -> CommandIssued:
    """Translate a native slash command invocation."""
    community, channel, thread = place(
        interaction.channel, interaction.channel_id or 0, interaction.guild_id
    )
    return CommandIssued(
        platform=PLATFORM,
        community=community,
        channel=channel,
        thread=thread,
        ts=interaction.created_at,
        author=str(interaction.user.id),
        author_name=interaction.user.display_name,
        private=interaction.guild_id is None,
        author_roles=author_roles(interaction.user),
        name=name.lower(),
        args=args.strip(),
        interaction_id=str(interaction.id),
        raw=interaction,
    )


def member_joined(member: discord.Member) -> MemberJoined:
    """Translate a member joining a guild (needs the members intent)."""
    return MemberJoined(
        platform=PLATFORM,
        community=str(member.guild.id),
        channel="",
        ts=member.joined_at or discord.utils.snowflake_time(member.id),
        author=str(member.id),
        author_name=member.display_name,
        raw=member,
    )


def member_left(payload: discord.RawMemberRemoveEvent, *, now: datetime) -> MemberLeft:
    """Translate a member leaving a guild (needs the members intent)."""
    return MemberLeft(
        platform=PLATFORM,
        community=str(payload.guild_id),
        channel="",
        ts=now,
        author=str(payload.user.id),
        author_name=payload.user.display_name,
        raw=payload,
    )


def _mentions(msg: discord.Message) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for user in msg.mentions:
        seen.setdefault(str(user.id), None)
    return tuple(seen)
