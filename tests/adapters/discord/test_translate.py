"""translate.py on real discord.py objects built from payloads, without any connection."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from adapters.discord import translate
from tests.fakes.discord_fake import (
    ADMIN,
    BOT,
    CHANNEL_ID,
    GUILD_ID,
    MANAGER,
    MEMBER,
    MODERATOR,
    OWNER,
    THREAD_ID,
    guild_create,
    member_payload,
    message_payload,
)

Json = dict[str, object]
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def guild() -> discord.Guild:
    client = discord.Client(intents=discord.Intents.default())
    return discord.Guild(data=guild_create([]), state=client._connection)  # type: ignore[arg-type]


def _message(
    guild: discord.Guild,
    content: str,
    *,
    author: Json = MEMBER,
    channel_id: str = CHANNEL_ID,
    mid: str = "1100000000000001000",
) -> discord.Message:
    channel = guild.get_channel_or_thread(int(channel_id))
    data = message_payload(mid, channel_id, content, author=author, guild_id=GUILD_ID)
    return discord.Message(state=guild._state, channel=channel, data=data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("user", "roles"),
    [
        (OWNER, {"admin", "moderator"}),
        (ADMIN, {"admin", "moderator"}),
        (MANAGER, {"admin"}),
        (MODERATOR, {"moderator"}),
        (MEMBER, set()),
    ],
)
def test_author_roles(guild: discord.Guild, user: Json, roles: set[str]) -> None:
    member = discord.Member(data=member_payload(user), guild=guild, state=guild._state)  # type: ignore[arg-type]
    assert translate.author_roles(member) == roles


def test_plain_user_has_no_roles(guild: discord.Guild) -> None:
    assert translate.author_roles(discord.User(state=guild._state, data=MEMBER)) == frozenset()  # type: ignore[arg-type]
    assert translate.author_roles(None) == frozenset()


def test_message_in_thread_reports_parent_channel(guild: discord.Guild) -> None:
    event = translate.message_posted(
        _message(guild, "see https://a.example/x, thanks", channel_id=THREAD_ID), bot_user_id=1
    )
    assert event is not None
    assert (event.channel, event.thread, event.community) == (CHANNEL_ID, THREAD_ID, GUILD_ID)
    assert event.links == ("https://a.example/x",)


def test_own_messages_and_system_messages_are_skipped(guild: discord.Guild) -> None:
    own = _message(guild, "from the bot", author=BOT)
    assert translate.message_posted(own, bot_user_id=int(BOT["id"])) is None
    pinned = _message(guild, "")
    pinned.type = discord.MessageType.pins_add
    assert translate.message_posted(pinned, bot_user_id=int(BOT["id"])) is None


def test_same_payload_same_ids(guild: discord.Guild) -> None:
    a = translate.message_posted(_message(guild, "again"), bot_user_id=None)
    b = translate.message_posted(_message(guild, "again"), bot_user_id=None)
    assert a is not None
    assert b is not None
    assert (a.message_id, a.ts, a.dedup_key) == (b.message_id, b.ts, b.dedup_key)


def test_reaction_from_raw_payload(guild: discord.Guild) -> None:
    data = {
        "user_id": MEMBER["id"],
        "channel_id": CHANNEL_ID,
        "message_id": "1100000000000001000",
        "guild_id": GUILD_ID,
        "type": 0,
        "burst": False,
    }
    payload = discord.RawReactionActionEvent(
        data,  # type: ignore[arg-type]
        discord.PartialEmoji(name="👍"),
        "REACTION_REMOVE",
    )
    event = translate.reaction_event(payload, channel=guild.get_channel(int(CHANNEL_ID)), now=NOW)
    assert type(event).__name__ == "ReactionRemoved"
    assert (event.emoji, event.author, event.ts) == ("👍", MEMBER["id"], NOW)


def test_emoji_text() -> None:
    assert translate.emoji_text(discord.PartialEmoji(name="🎉")) == "🎉"
    assert translate.emoji_text(discord.PartialEmoji(name="upvote", id=123)) == ":upvote:"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("@everyone look", "@\u200beveryone look"),
        ("hi @here and @here", "hi @\u200bhere and @\u200bhere"),
        ("mail me@example.org", "mail me@example.org"),
        ("<@123> is fine", "<@123> is fine"),
    ],
)
def test_neutralise_mass_mentions(text: str, safe: str) -> None:
    assert translate.neutralise_mass_mentions(text) == safe
