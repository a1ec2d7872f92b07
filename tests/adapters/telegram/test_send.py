"""Actions performed through the real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bot.actions import (
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
from tests.adapters.telegram.conftest import Recorder, StartAdapter
from tests.fakes.telegram_fake import TelegramFake, user

ALICE = user(7, "Alice", "alice")
BOB = user(8, "Bob", "bob")
GROUP = -1001
FORUM = -1002
HERE = Target("telegram", str(GROUP), str(GROUP))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_say_is_plain_text_split_to_the_limit(
    tg: TelegramFake, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    adapter = await start_adapter()
    markup = "<b>*not bold*</b> [x](https://example.org) "
    refs = await adapter.send(Say(target=HERE, text=markup * 200))
    sent = tg.calls_to("sendMessage")
    assert len(refs) == len(sent) == 3
    assert all("parse_mode" not in c.params for c in sent), "user text must not be parsed"
    assert "".join(c.params["text"] for c in sent).replace(" ", "") == (markup * 200).replace(
        " ", ""
    )
    assert refs[0] == MessageRef("telegram", str(GROUP), "-1001:1", None)


async def test_user_mentions_in_quoted_text_never_notify(
    tg: TelegramFake, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    adapter = await start_adapter()
    text = "Now answering #2 from Ann: @alice_w and @Bob123 what do you think? (mail a@b.org)"
    await adapter.send(Say(target=HERE, text=text))
    [call] = tg.calls_to("sendMessage")
    sent = call.params["text"]
    assert not re.search(r"(?<![\w@])@[A-Za-z]\w{4,31}", sent)  # no mention left
    assert sent.replace("\u2060", "") == text  # reads the same


async def test_emoji_heavy_text_respects_utf16_limit(
    tg: TelegramFake, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    adapter = await start_adapter()
    refs = await adapter.send(Say(target=HERE, text="🎉 " * 3000))
    assert len(refs) >= 2
    assert all(_utf16(c.params["text"]) <= 4096 for c in tg.calls_to("sendMessage"))


async def test_reply_in_a_forum_topic(tg: TelegramFake, start_adapter: StartAdapter) -> None:
    tg.add_group(FORUM, forum=True)
    topic = tg.add_topic(FORUM, "Sleep", ALICE)
    question = tg.post(FORUM, ALICE, "Q?", thread=topic)
    adapter = await start_adapter()
    target = Target("telegram", str(FORUM), str(FORUM), str(topic))
    (ref,) = await adapter.send(
        Reply(target=target, message_id=f"{FORUM}:{question['message_id']}", text="A!")
    )
    (call,) = tg.calls_to("sendMessage")
    assert int(call.params["message_thread_id"]) == topic
    assert call.params["reply_parameters"]["message_id"] == question["message_id"]
    assert ref.thread == str(topic)


async def test_react_and_pin(
    tg: TelegramFake, start_adapter: StartAdapter, library_log: Recorder
) -> None:
    tg.add_group(GROUP)
    msg = tg.post(GROUP, ALICE, "pin me")
    adapter = await start_adapter()
    ref = f"{GROUP}:{msg['message_id']}"
    assert await adapter.send(React(target=HERE, message_id=ref, emoji="❤️")) == []
    assert await adapter.send(React(target=HERE, message_id=ref, emoji="🧪")) == []
    assert await adapter.send(Pin(target=HERE, message_id=ref)) == []
    first, refused = tg.calls_to("setMessageReaction")
    assert first.params["reaction"] == [{"type": "emoji", "emoji": "❤"}]
    assert refused.params["reaction"][0]["emoji"] == "🧪"
    assert any("refused reaction" in m for m in library_log.at(logging.WARNING))
    assert tg.pinned[GROUP] == msg["message_id"]


async def test_open_thread_makes_a_topic_in_a_forum(
    tg: TelegramFake, start_adapter: StartAdapter
) -> None:
    tg.add_group(FORUM, forum=True)
    msg = tg.post(FORUM, ALICE, "a big question")
    adapter = await start_adapter()
    target = Target("telegram", str(FORUM), str(FORUM))
    (ref,) = await adapter.send(
        OpenThread(
            target=target,
            message_id=f"{FORUM}:{msg['message_id']}",
            name="Naps",
            text="Let's talk naps here",
        )
    )
    (topic,) = tg.calls_to("createForumTopic")
    assert topic.params["name"] == "Naps"
    (post,) = tg.calls_to("sendMessage")
    assert ref.thread is not None
    assert int(post.params["message_thread_id"]) == int(ref.thread)


async def test_open_thread_falls_back_to_a_reply(
    tg: TelegramFake, start_adapter: StartAdapter
) -> None:
    tg.add_group(GROUP)
    msg = tg.post(GROUP, ALICE, "a big question")
    adapter = await start_adapter()
    refs = await adapter.send(
        OpenThread(target=HERE, message_id=f"{GROUP}:{msg['message_id']}", name="Naps")
    )
    assert tg.calls_to("createForumTopic") == []
    (post,) = tg.calls_to("sendMessage")
    assert post.params["reply_parameters"]["message_id"] == msg["message_id"]
    assert post.params["text"] == "Naps"
    assert len(refs) == 1


async def test_direct_message_needs_a_started_chat(
    tg: TelegramFake, start_adapter: StartAdapter, library_log: Recorder
) -> None:
    tg.add_private(ALICE)
    tg.add_private(BOB, started=False)
    adapter = await start_adapter()
    (ref,) = await adapter.send(DirectMessage(platform="telegram", user="7", text="Your digest"))
    assert ref.channel == "7"
    assert await adapter.send(DirectMessage(platform="telegram", user="8", text="hi")) == []
    assert any("privately" in m for m in library_log.at(logging.WARNING))


async def test_upload_file_with_caption_and_privately(
    tg: TelegramFake, start_adapter: StartAdapter, tmp_path: Path
) -> None:
    tg.add_group(GROUP)
    tg.add_private(ALICE)
    export = tmp_path / "questions.csv"
    export.write_text("n,question\n1,Why sleep?\n")
    adapter = await start_adapter()
    (public,) = await adapter.send(UploadFile(target=HERE, path=export, comment="The queue"))
    long_comment = "word " * 400
    private = await adapter.send(
        UploadFile(target=HERE, path=export, comment=long_comment, private_to="7")
    )
    first, second = tg.calls_to("sendDocument")
    assert first.files["document"] == ("questions.csv", export.read_bytes())
    assert first.params["caption"] == "The queue"
    assert int(first.params["chat_id"]) == GROUP
    assert int(second.params["chat_id"]) == 7
    assert "caption" not in second.params
    assert len(private) == 2, "a comment over the caption limit follows as a message"
    assert public.channel == str(GROUP)


async def test_injected_429_is_survived(tg: TelegramFake, start_adapter: StartAdapter) -> None:
    tg.add_group(GROUP)
    adapter = await start_adapter()
    tg.inject_429("sendMessage", retry_after=1)
    (ref,) = await adapter.send(Say(target=HERE, text="after the flood wait"))
    assert len(tg.calls_to("sendMessage")) == 2, "rate limiter retried once"
    assert ref.message_id == "-1001:1"
