"""Long polling against the fake Bot API, driven by the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.telegram import ALLOWED_UPDATES, TelegramAdapter, TelegramConfig
from bot.adapter import TokenError
from bot.events import (
    MemberJoined,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from tests.adapters.telegram.conftest import COMMANDS, EventSink, Recorder, StartAdapter
from tests.fakes.telegram_fake import BOT_USERNAME, TelegramFake, bot_command, user

ALICE = user(7, "Alice", "alice")
BOB = user(8, "Bob", "bob")
GROUP = -1001


async def test_start_registers_commands_and_asks_for_reactions(
    tg: TelegramFake, start_adapter: StartAdapter
) -> None:
    await start_adapter()
    polls = await tg.wait_for("getUpdates")
    assert [c["command"] for c in tg.commands] == [name for name, _ in COMMANDS]
    assert tg.calls_to("deleteWebhook"), "polling must clear any webhook first"
    assert set(polls[0].params["allowed_updates"]) >= {
        "message",
        "edited_message",
        "message_reaction",
        "chat_member",
        "my_chat_member",
    }
    assert set(ALLOWED_UPDATES) == set(polls[0].params["allowed_updates"])


async def test_group_message_from_admin(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter, library_log: Recorder
) -> None:
    tg.add_group(GROUP, "Sleep panel", admins=(ALICE,))
    await start_adapter()
    tg.post(GROUP, ALICE, "What did the study find? https://example.org/report.")
    tg.post(GROUP, BOB, "@alice good question")
    first, second = await sink.wait(2)
    assert isinstance(first, MessagePosted)
    assert (first.platform, first.community, first.channel) == ("telegram", "-1001", "-1001")
    assert first.message_id == "-1001:1"
    assert first.author == "7"
    assert first.author_name == "Alice"
    assert first.author_roles == frozenset({"admin", "moderator"})
    assert first.links == ("https://example.org/report",)
    assert not first.private
    assert first.thread is None
    assert isinstance(second, MessagePosted)
    assert second.author_roles == frozenset()
    assert len(tg.calls_to("getChatAdministrators")) == 1, "the admin list is cached"
    unmapped = [m for m in library_log.at(logging.INFO) if "not mapped" in m]
    assert unmapped == ["Telegram chat -1001 (Sleep panel) is not mapped to an event"]


async def test_forum_topic_reply_and_private_chat(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP, "Forum", forum=True)
    tg.add_private(BOB)
    topic = tg.add_topic(GROUP, "Sleep", ALICE)
    await start_adapter()
    question = tg.post(GROUP, ALICE, "In the topic", thread=topic)
    tg.post(GROUP, BOB, "A reply", thread=topic, reply_to=question["message_id"])
    tg.post(BOB["id"], BOB, "an anonymous question")
    in_topic, reply, private = await sink.wait(3)
    assert isinstance(in_topic, MessagePosted)
    assert isinstance(reply, MessagePosted)
    assert in_topic.thread == str(topic)
    assert in_topic.reply_to is None
    assert reply.thread == str(topic)
    assert reply.reply_to == in_topic.message_id
    assert isinstance(private, MessagePosted)
    assert private.private
    assert private.channel == "8"
    assert private.author_roles == frozenset()


async def test_commands_arrive_as_messages_without_bot_suffix(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    await start_adapter()
    command = f"/ask@{BOT_USERNAME}"
    tg.post(GROUP, ALICE, f"{command} what about naps?", entities=bot_command(command))
    tg.post(GROUP, ALICE, "/ask@OtherBot hi", entities=bot_command("/ask@OtherBot"))
    ours, theirs = await sink.wait(2)
    assert isinstance(ours, MessagePosted)
    assert isinstance(theirs, MessagePosted)
    assert ours.text == "/ask what about naps?"
    assert theirs.text == "/ask@OtherBot hi"


async def test_edits_and_reactions(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    await start_adapter()
    msg = tg.post(GROUP, ALICE, "first")
    tg.edit(msg, "first, edited")
    tg.react(GROUP, msg["message_id"], BOB, [], ["👍"])
    tg.react(GROUP, msg["message_id"], BOB, ["👍"], ["🔥"])
    events = await sink.wait(5)
    edited = sink.of(MessageEdited)
    assert [e.text for e in edited] == ["first, edited"]
    assert edited[0].message_id == events[0].message_id  # type: ignore[attr-defined]
    added, removed = sink.of(ReactionAdded), sink.of(ReactionRemoved)
    assert [(e.emoji, e.author, e.message_id) for e in added] == [
        ("👍", "8", "-1001:1"),
        ("🔥", "8", "-1001:1"),
    ]
    assert [e.emoji for e in removed] == ["👍"]


async def test_member_updates_keep_admin_roles_current(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    await start_adapter()
    tg.post(GROUP, BOB, "before")
    await sink.wait(1)
    tg.member_change(GROUP, ALICE, "left", "member")
    tg.member_change(GROUP, BOB, "member", "administrator")
    tg.post(GROUP, BOB, "after")
    await sink.wait(3)
    joined = sink.of(MemberJoined)
    assert [e.author for e in joined] == ["7"]
    before, after = sink.of(MessagePosted)
    assert before.author_roles == frozenset()
    assert "admin" in after.author_roles
    assert len(tg.calls_to("getChatAdministrators")) == 1, "promotion applied without refetch"


async def test_not_admin_warns_that_reactions_will_not_arrive(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter, library_log: Recorder
) -> None:
    tg.add_group(GROUP, bot_admin=False)
    await start_adapter()
    msg = tg.post(GROUP, ALICE, "vote on me")
    assert tg.react(GROUP, msg["message_id"], BOB, [], ["👍"]) is None
    await sink.wait(1)
    assert any("not an admin" in m for m in library_log.at(logging.WARNING))


async def test_redelivered_update_has_the_same_message_id(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    await start_adapter()
    tg.post(GROUP, ALICE, "once")
    await sink.wait(1)
    tg.redeliver(tg.delivered[-1])
    first, again = await sink.wait(2)
    assert isinstance(first, MessagePosted)
    assert isinstance(again, MessagePosted)
    assert first.message_id == again.message_id
    assert first.dedup_key == again.dedup_key
    assert first.ts == again.ts


async def test_dropped_connection_recovers_without_error(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter, library_log: Recorder
) -> None:
    tg.add_group(GROUP)
    await start_adapter()
    await tg.wait_for("getUpdates")
    tg.drop_connections(1)
    tg.fail_next("getUpdates", 502, "Bad Gateway")
    await asyncio.sleep(0.05)
    tg.post(GROUP, ALICE, "sent while the connection was down")
    (event,) = await sink.wait(1, within=8)
    assert isinstance(event, MessagePosted)
    assert event.text.startswith("sent while")
    warnings = library_log.at(logging.WARNING)
    assert sum("reconnecting" in m for m in warnings) == 2


async def test_stop_confirms_updates_and_stops_polling(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    adapter = await start_adapter()
    tg.post(GROUP, ALICE, "hello")
    await sink.wait(1)
    await adapter.aclose()
    polls = len(tg.calls_to("getUpdates"))
    assert int(tg.calls_to("getUpdates")[-1].params["offset"]) == 2, "last update confirmed"
    await asyncio.sleep(0.2)
    assert len(tg.calls_to("getUpdates")) == polls
    await adapter.aclose()  # closing twice is harmless


async def test_a_rejected_token_fails_start(tg: TelegramFake, sink: EventSink) -> None:
    config = TelegramConfig(base_url=tg.base_url)
    other = {"TELEGRAM_BOT_TOKEN": "987654321:" + "B" * 35}
    adapter = TelegramAdapter(config, other, COMMANDS)
    with pytest.raises(TokenError, match="Telegram refused the token in TELEGRAM_BOT_TOKEN"):
        await adapter.start(sink)
    await adapter.aclose()
