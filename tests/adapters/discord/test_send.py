"""Actions through discord.py's REST client into the fake, which checks what Discord checks."""

from __future__ import annotations

from pathlib import Path

from adapters.discord import DiscordAdapter
from bot.actions import DirectMessage, OpenThread, Pin, React, Reply, Say, Target, UploadFile
from bot.events import MessagePosted
from tests.adapters.discord.conftest import RecordingSink
from tests.fakes.discord_fake import CHANNEL_ID, GUILD_ID, MEMBER, THREAD_ID, DiscordFake

TARGET = Target("discord", GUILD_ID, CHANNEL_ID)


async def test_say_splits_long_text_at_2000(fake: DiscordFake, adapter: DiscordAdapter) -> None:
    text = "\n\n".join(f"Paragraph {i}: " + "words " * 60 for i in range(12))
    refs = await adapter.send(Say(target=TARGET, text=text))
    assert len(refs) >= 2
    assert [r.message_id for r in refs] == [m["id"] for m in fake.sent]
    assert all(len(m["content"]) <= 2000 for m in fake.sent)
    assert " ".join(m["content"] for m in fake.sent).split() == text.split()


async def test_say_in_thread(fake: DiscordFake, adapter: DiscordAdapter) -> None:
    [ref] = await adapter.send(
        Say(target=Target("discord", GUILD_ID, CHANNEL_ID, THREAD_ID), text="hi")
    )
    assert fake.sent[0]["channel_id"] == THREAD_ID
    assert (ref.channel, ref.thread) == (CHANNEL_ID, THREAD_ID)


async def test_reply_references_and_never_mass_mentions(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    question = await fake.post_message("@everyone what about @here?")
    await sink.wait_for(MessagePosted)
    text = f"Quoting <@{MEMBER['id']}>: @everyone what about @here?"
    [ref] = await adapter.send(Reply(target=TARGET, message_id=question["id"], text=text))
    [sent] = fake.sent
    assert sent["id"] == ref.message_id
    assert sent["message_reference"]["message_id"] == question["id"]
    parse = sent["allowed_mentions"]["parse"]
    assert "users" not in parse and not sent["pings_users"]  # named, not pinged
    assert "everyone" not in parse
    assert "roles" not in parse
    assert not sent["pings_everyone"]
    assert "@everyone" not in sent["content"]
    assert "@\u200beveryone" in sent["content"]
    assert "@\u200bhere" in sent["content"]
    assert f"<@{MEMBER['id']}>" in sent["content"]  # people can still be named


async def test_reply_to_deleted_message_still_posts(
    fake: DiscordFake, adapter: DiscordAdapter
) -> None:
    refs = await adapter.send(Reply(target=TARGET, message_id="1100000000000000999", text="ok"))
    assert len(refs) == 1
    assert fake.sent[0].get("message_reference") is None


async def test_react_pin_and_open_thread(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    question = await fake.post_message("Can we talk about funding?")
    await sink.wait_for(MessagePosted)
    assert await adapter.send(React(target=TARGET, message_id=question["id"], emoji="✅")) == []
    await adapter.send(React(target=TARGET, message_id=question["id"], emoji=":thumbsup:"))
    assert fake.reactions == [
        (CHANNEL_ID, question["id"], "✅"),
        (CHANNEL_ID, question["id"], "👍"),
    ]

    assert await adapter.send(Pin(target=TARGET, message_id=question["id"])) == []
    assert fake.pins == [(CHANNEL_ID, question["id"])]

    refs = await adapter.send(
        OpenThread(target=TARGET, message_id=question["id"], name="Funding", text="Let's talk here")
    )
    assert fake.threads[question["id"]]["name"] == "Funding"
    assert [(r.channel, r.thread) for r in refs] == [(CHANNEL_ID, question["id"])]
    assert fake.sent[-1]["channel_id"] == question["id"]  # posted inside the new thread


async def test_direct_message(fake: DiscordFake, adapter: DiscordAdapter) -> None:
    [ref] = await adapter.send(
        DirectMessage(platform="discord", user=MEMBER["id"], text="Your digest")
    )
    dm = fake.dm_channels[MEMBER["id"]]
    assert ref.channel == dm
    assert (fake.sent[0]["channel_id"], fake.sent[0]["content"]) == (dm, "Your digest")


async def test_upload_file_multipart(
    fake: DiscordFake, adapter: DiscordAdapter, tmp_path: Path
) -> None:
    report = tmp_path / "report.csv"
    report.write_text("participant,messages\nP1,4\n")
    [ref] = await adapter.send(UploadFile(target=TARGET, path=report, comment="The export"))
    [call] = [c for c in fake.calls if c.files]
    assert call.files == [("report.csv", report.read_bytes())]
    assert call.body["content"] == "The export"  # payload_json part of the multipart body
    assert fake.sent[0]["attachments"][0]["filename"] == "report.csv"
    assert ref.message_id == fake.sent[0]["id"]

    await adapter.send(UploadFile(target=TARGET, path=report, private_to=MEMBER["id"]))
    assert fake.sent[1]["channel_id"] == fake.dm_channels[MEMBER["id"]]


async def test_injected_429_is_survived(fake: DiscordFake, adapter: DiscordAdapter) -> None:
    fake.fail_next("POST", r"channels/\d+/messages", retry_after=0.2)
    [ref] = await adapter.send(Say(target=TARGET, text="after a short wait"))
    assert len(fake.rate_limited) == 1
    posts = [c for c in fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert [c.status for c in posts] == [429, 200]
    assert [m["id"] for m in fake.sent] == [ref.message_id]  # posted once
