"""Actions through the real AsyncWebClient against the fake Web API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError

from adapters.slack import SlackAdapter
from bot.actions import DirectMessage, OpenThread, Pin, React, Reply, Say, Target, UploadFile
from tests.fakes.slack_fake import SlackFake

ROOM = Target("slack", "T0FAKE", "C1")
PARENT = "1700000000.000100"


@pytest.fixture
def parent(fake: SlackFake) -> str:
    fake.know_message("C1", PARENT)
    return f"C1:{PARENT}"


async def test_say_in_a_thread_posts_with_thread_ts(
    fake: SlackFake, socket_adapter: SlackAdapter, parent: str
) -> None:
    refs = await socket_adapter.send(Say(target=Target("slack", "T0FAKE", "C1", PARENT), text="hi"))
    posted = fake.posted[-1]
    assert posted["thread_ts"] == PARENT
    assert posted["text"] == "hi"
    assert refs[0].message_id == f"C1:{posted['ts']}"
    assert refs[0].thread == PARENT


async def test_reply_threads_under_the_message(
    fake: SlackFake, socket_adapter: SlackAdapter, parent: str
) -> None:
    refs = await socket_adapter.send(Reply(target=ROOM, message_id=parent, text="answered"))
    assert fake.posted[-1]["thread_ts"] == PARENT
    assert len(refs) == 1


async def test_reply_to_a_slash_command_posts_in_the_channel(
    fake: SlackFake, socket_adapter: SlackAdapter
) -> None:
    await socket_adapter.send(Reply(target=ROOM, message_id="13345.7384.abc", text="queued"))
    assert "thread_ts" not in fake.posted[-1]


async def test_user_text_cannot_mass_mention(fake: SlackFake, socket_adapter: SlackAdapter) -> None:
    await socket_adapter.send(Say(target=ROOM, text="<!channel> <!everyone> @here & <@U1>"))
    posted = fake.posted[-1]
    assert posted["text"] == "&lt;!channel&gt; &lt;!everyone&gt; @here &amp; &lt;@U1&gt;"
    assert "<" not in posted["text"]
    assert posted["link_names"] is False


async def test_long_text_is_split_under_the_limit(
    fake: SlackFake, socket_adapter: SlackAdapter
) -> None:
    text = "\n\n".join(f"paragraph {i} " + "word " * 300 for i in range(6))
    refs = await socket_adapter.send(Say(target=ROOM, text=text))
    assert len(refs) > 1
    assert len(fake.posted) == len(refs)
    assert all(len(p["text"]) <= socket_adapter.capabilities.message_limit for p in fake.posted)


async def test_react_maps_unicode_to_slack_names_and_tolerates_repeats(
    fake: SlackFake, socket_adapter: SlackAdapter, parent: str
) -> None:
    await socket_adapter.send(React(target=ROOM, message_id=parent, emoji="👍"))
    await socket_adapter.send(React(target=ROOM, message_id=parent, emoji="👍"))
    await socket_adapter.send(React(target=ROOM, message_id=parent, emoji=":partyparrot:"))
    assert fake.reactions == [("C1", PARENT, "+1"), ("C1", PARENT, "partyparrot")]


async def test_react_to_a_missing_message_raises(
    fake: SlackFake, socket_adapter: SlackAdapter
) -> None:
    with pytest.raises(SlackApiError, match="message_not_found"):
        await socket_adapter.send(React(target=ROOM, message_id="C1:1.000001", emoji="👍"))


async def test_pin_and_open_thread(
    fake: SlackFake, socket_adapter: SlackAdapter, parent: str
) -> None:
    await socket_adapter.send(Pin(target=ROOM, message_id=parent))
    await socket_adapter.send(Pin(target=ROOM, message_id=parent))
    refs = await socket_adapter.send(
        OpenThread(target=ROOM, message_id=parent, name="Q3: sleep", text="Discuss here")
    )
    assert fake.pins == [("C1", PARENT)]
    assert fake.posted[-1]["thread_ts"] == PARENT
    assert fake.posted[-1]["text"] == "Q3: sleep\nDiscuss here"
    assert refs[0].thread == PARENT


async def test_direct_message_opens_the_dm_once(
    fake: SlackFake, socket_adapter: SlackAdapter
) -> None:
    await socket_adapter.send(DirectMessage(platform="slack", user="U1", text="your digest"))
    refs = await socket_adapter.send(DirectMessage(platform="slack", user="U1", text="more"))
    assert len(fake.calls_to("conversations.open")) == 1
    assert fake.posted[-1]["channel"] == "D1"
    assert refs[0].channel == "D1"


async def test_upload_file_uses_the_external_upload_flow(
    fake: SlackFake, socket_adapter: SlackAdapter, tmp_path: Path
) -> None:
    export = tmp_path / "questions.csv"
    export.write_text("id,text\n1,why?\n", encoding="utf-8")
    refs = await socket_adapter.send(
        UploadFile(target=ROOM, path=export, comment="Questions <so far>")
    )
    methods = [c.method for c in fake.calls if c.method.startswith("files.")]
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    file_id = refs[0].message_id.removeprefix("file:")
    assert fake.uploads[file_id] == export.read_bytes()
    share = fake.shared_files[-1]
    assert share["channel_id"] == "C1"
    assert share["initial_comment"] == "Questions &lt;so far&gt;"


async def test_private_upload_goes_to_the_dm(
    fake: SlackFake, socket_adapter: SlackAdapter, tmp_path: Path
) -> None:
    export = tmp_path / "report.md"
    export.write_text("# Report\n", encoding="utf-8")
    refs = await socket_adapter.send(UploadFile(target=ROOM, path=export, private_to="U2"))
    assert fake.shared_files[-1]["channel_id"] == "D2"
    assert refs[0].channel == "D2"


async def test_an_injected_429_is_waited_out(fake: SlackFake, socket_adapter: SlackAdapter) -> None:
    fake.inject_429("chat.postMessage", retry_after=0)
    started = time.monotonic()
    refs = await socket_adapter.send(Say(target=ROOM, text="still here"))
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(refs) == 1
    assert time.monotonic() - started < 3
