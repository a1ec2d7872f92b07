"""The real discord.py client against the fake gateway: connecting, intents, events in."""

from __future__ import annotations

import discord
import pytest

from adapters.discord import DiscordAdapter, DiscordConfig
from bot.adapter import TokenError
from bot.events import (
    Event,
    MemberJoined,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from tests.adapters.discord.conftest import COMMANDS, ErrorLog, RecordingSink, StartAdapter
from tests.fakes.discord_fake import (
    ADMIN,
    BOT,
    CHANNEL_ID,
    GUILD_ID,
    MANAGER,
    MEMBER,
    MODERATOR,
    OTHER_BOT,
    OWNER,
    THREAD_ID,
    DiscordFake,
    Intent,
    eventually,
)

Json = dict[str, object]


async def test_connects_with_zlib_stream_and_needed_intents(
    fake: DiscordFake, adapter: DiscordAdapter
) -> None:
    assert fake.connections[0]["compress"] == "zlib-stream"
    assert fake.gateway_ops[:2] == [1, 2]  # a heartbeat right after HELLO, then IDENTIFY
    assert fake.heartbeats >= 1
    intents = fake.session_intents
    for needed in (
        Intent.GUILDS,
        Intent.GUILD_MESSAGES,
        Intent.DIRECT_MESSAGES,
        Intent.GUILD_MESSAGE_REACTIONS,
        Intent.MESSAGE_CONTENT,
    ):
        assert intents & needed
    assert not intents & Intent.GUILD_MEMBERS
    assert adapter.client is not None
    assert [g.id for g in adapter.client.guilds] == [int(GUILD_ID)]


async def test_message_posted(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    msg = await fake.post_message("What did the trial find? https://example.org/report.")
    [event] = await sink.wait_for(MessagePosted)
    assert event.platform == "discord"
    assert event.message_id == msg["id"]
    assert event.text == "What did the trial find? https://example.org/report."
    assert (event.community, event.channel, event.thread) == (GUILD_ID, CHANNEL_ID, None)
    assert (event.author, event.author_name) == (MEMBER["id"], "Mel")
    assert event.links == ("https://example.org/report",)
    assert not event.private
    assert not event.from_bot
    assert event.ts == discord.utils.snowflake_time(int(msg["id"]))


@pytest.mark.parametrize(
    ("author", "roles"),
    [
        (OWNER, {"admin", "moderator"}),  # the owner may do everything
        (ADMIN, {"admin", "moderator"}),  # ADMINISTRATOR implies every permission
        (MANAGER, {"admin"}),  # MANAGE_GUILD
        (MODERATOR, {"moderator"}),  # MANAGE_MESSAGES
        (MEMBER, set()),
    ],
)
async def test_author_roles_from_guild_permissions(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink, author: Json, roles: set[str]
) -> None:
    await fake.post_message("hello", author=author)
    [event] = await sink.wait_for(MessagePosted)
    assert event.author_roles == roles


async def test_without_message_content_intent_text_is_blank(
    fake: DiscordFake, start_adapter: StartAdapter, sink: RecordingSink
) -> None:
    await start_adapter(message_content=False)
    assert not fake.session_intents & Intent.MESSAGE_CONTENT
    await fake.post_message("a question nobody can read")
    await fake.post_message("<@1100000000000000001> a question for the bot", mentions=(BOT,))
    await fake.post_message("a private question", dm=True)
    events = await sink.wait_for(MessagePosted, 3)
    assert [e.text for e in events] == [
        "",
        "<@1100000000000000001> a question for the bot",
        "a private question",
    ]
    assert events[1].mentions == (BOT["id"],)


async def test_privileged_intent_not_enabled_in_portal_fails_start(
    fake: DiscordFake, start_adapter: StartAdapter
) -> None:
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await start_adapter(members=True)
    assert fake.identifies  # it did try, and Discord (the fake) closed with 4014


async def test_members_intent_gives_joins(
    fake: DiscordFake, start_adapter: StartAdapter, sink: RecordingSink
) -> None:
    fake.privileged_allowed = frozenset({"message_content", "members"})  # portal toggle
    await start_adapter(members=True)
    assert fake.session_intents & Intent.GUILD_MEMBERS
    await fake.member_join(MODERATOR)
    [joined] = await sink.wait_for(MemberJoined)
    assert (joined.author, joined.community) == (MODERATOR["id"], GUILD_ID)


async def test_edit_and_delete(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    msg = await fake.post_message("Whta about sleep?")
    await sink.wait_for(MessagePosted)
    await fake.edit_message(msg, "What about sleep?")
    [edited] = await sink.wait_for(MessageEdited)
    assert (edited.message_id, edited.text, edited.author) == (
        msg["id"],
        "What about sleep?",
        MEMBER["id"],
    )
    await fake.delete_message(msg)
    [deleted] = await sink.wait_for(MessageDeleted)
    assert deleted.message_id == msg["id"]
    assert deleted.author == MEMBER["id"]  # known from discord.py's message cache
    assert deleted.dedup_key == f"del:{msg['id']}"


async def test_reactions_added_and_removed(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    msg = await fake.post_message("Is there a summary?")
    await fake.react(msg, {"id": None, "name": "👍"}, user=MODERATOR)
    await fake.react(msg, {"id": "1100000000000000900", "name": "upvote"}, user=MEMBER)
    await fake.react(msg, {"id": None, "name": "👍"}, user=MODERATOR, add=False)
    added = await sink.wait_for(ReactionAdded, 2)
    [removed] = await sink.wait_for(ReactionRemoved)
    assert [(e.emoji, e.author, e.message_id) for e in added] == [
        ("👍", MODERATOR["id"], msg["id"]),
        (":upvote:", MEMBER["id"], msg["id"]),
    ]
    assert added[0].author_roles == {"moderator"}
    assert (removed.emoji, removed.author) == ("👍", MODERATOR["id"])


async def test_thread_dm_reply_and_bots(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    question = await fake.post_message("Where is the data?")
    await fake.post_message("In the appendix", channel_id=THREAD_ID, author=ADMIN)
    await fake.post_message("Ask anonymously: is it safe?", dm=True)
    await fake.post_message("See above", reply_to=question["id"], mentions=(MEMBER,), author=ADMIN)
    await fake.post_message("relayed from Slack", author=OTHER_BOT)
    await fake.post_message("the bot's own words", author=BOT)
    await fake.post_message("last")
    events = await sink.wait_for(MessagePosted, 6)
    assert events[-1].text == "last"  # so the bot's own message was seen and dropped
    in_thread, dm, reply, relayed = events[1:5]
    assert (in_thread.channel, in_thread.thread) == (CHANNEL_ID, THREAD_ID)
    assert (dm.private, dm.community, dm.channel) == (True, "@me", fake.dm_channels[MEMBER["id"]])
    assert dm.author_roles == frozenset()
    assert (reply.reply_to, reply.mentions) == (question["id"], (MEMBER["id"],))
    assert relayed.from_bot
    assert all(e.author != BOT["id"] for e in sink.events)


async def test_redelivered_message_has_the_same_id(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    msg = await fake.post_message("Same question twice?")
    await fake.redeliver("MESSAGE_CREATE", msg)
    first, second = await sink.wait_for(MessagePosted, 2)
    assert first.message_id == second.message_id == msg["id"]
    assert first.dedup_key == second.dedup_key
    assert first.ts == second.ts


async def test_dropped_connection_resumes_and_gets_missed_events(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    await fake.drop()
    missed = await fake.post_message("sent while the bot was away")  # buffered by the gateway
    await eventually(lambda: fake.resumes and fake.connected)
    [resume] = fake.resumes
    assert resume["session_id"] == "session-1"
    assert fake.connections[-1]["path"] == "/gw-resume/"  # READY's resume_gateway_url
    assert len(fake.identifies) == 1  # resumed, not a new session
    [event] = await sink.wait_for(MessagePosted)
    assert event.message_id == missed["id"]
    after = await fake.post_message("and after")
    events = await sink.wait_for(MessagePosted, 2)
    assert events[1].message_id == after["id"]


@pytest.mark.slow
async def test_invalid_session_reidentifies(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    fake.forget_session()
    await fake.drop(code=4000)
    # discord.py waits 5 s before a re-IDENTIFY (the identify rate limit).
    await eventually(lambda: len(fake.identifies) == 2 and fake.connected, within=8)
    assert fake.gateway_ops.count(6) == 1  # it tried to resume first
    msg = await fake.post_message("back again")
    [event] = await sink.wait_for(MessagePosted)
    assert event.message_id == msg["id"]


async def test_a_failing_sink_keeps_the_event_and_later_events_follow_in_order(
    fake: DiscordFake, sink: RecordingSink, library_errors: ErrorLog
) -> None:
    calls: list[str] = []

    async def flaky(event: Event) -> None:
        calls.append(event.kind)
        if len(calls) == 1:
            raise RuntimeError("store is down")
        await sink(event)

    adapter = DiscordAdapter(
        DiscordConfig(guild_ready_timeout=0.05), {"DISCORD_BOT_TOKEN": fake.token}, COMMANDS
    )
    await adapter.start(flaky)
    try:
        first = await fake.post_message("not lost")
        then = await fake.post_message("kept")
        events = await sink.wait_for(MessagePosted, count=2)
    finally:
        await adapter.aclose()
    assert [e.message_id for e in events] == [first["id"], then["id"]]
    assert calls == ["MessagePosted"] * 3  # the first one twice
    assert library_errors.records == []  # a warning with the reason, no error


async def test_bad_token_fails_start(fake: DiscordFake, sink: RecordingSink) -> None:
    adapter = DiscordAdapter(DiscordConfig(), {"DISCORD_BOT_TOKEN": "bad.token.here"}, COMMANDS)
    with pytest.raises(TokenError, match="Discord refused the token in DISCORD_BOT_TOKEN"):
        await adapter.start(sink)
    assert adapter.client is None


async def test_missing_token_fails_before_connecting(sink: RecordingSink) -> None:
    adapter = DiscordAdapter(DiscordConfig(), {}, COMMANDS)
    with pytest.raises(TokenError, match="DISCORD_BOT_TOKEN is not set"):
        await adapter.start(sink)


async def test_aclose_disconnects_cleanly(fake: DiscordFake, adapter: DiscordAdapter) -> None:
    client = adapter.client
    assert client is not None
    await adapter.aclose()
    assert client.is_closed()
    await eventually(lambda: not fake.connected)
    await adapter.aclose()  # twice is harmless


async def test_heartbeats_are_acknowledged_and_keep_the_session(
    fake: DiscordFake, start_adapter: StartAdapter
) -> None:
    fake.heartbeat_interval_ms = 50
    await start_adapter()
    await eventually(lambda: fake.heartbeats >= 4)
    assert len(fake.connections) == 1  # every beat was ACKed: no zombie-connection reconnect
    assert fake.resumes == []
