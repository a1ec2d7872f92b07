"""Pure payload -> event translation and text handling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.slack.emoji import emoji_to_name, name_to_emoji
from adapters.slack.translate import (
    Delivery,
    command_event,
    escape_text,
    event_from_callback,
    parse_ts,
    slack_to_plain,
    split_message_id,
)
from bot.events import (
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionRemoved,
)
from tests.fakes.slack_fake import callback, command_form, message, reaction


def test_ts_parses_exactly() -> None:
    assert parse_ts("1700000000.000100") == datetime(2023, 11, 14, 22, 13, 20, 100, tzinfo=UTC)


def test_message_ids_round_trip() -> None:
    assert split_message_id("C1:1700000000.000100", "C9") == ("C1", "1700000000.000100")
    assert split_message_id("1700000000.000100", "C9") == ("C9", "1700000000.000100")


@pytest.mark.parametrize(
    ("slack", "plain", "mentions"),
    [
        ("hi <@U1> and <@U2|bo>", "hi @U1 and @bo", ("U1", "U2")),
        ("in <#C1|general>", "in #general", ()),
        ("<https://a.org/x>", "https://a.org/x", ()),
        ("<https://a.org/x|paper>", "paper (https://a.org/x)", ()),
        ("<mailto:a@b.org|a@b.org>", "a@b.org", ()),
        ("<!here> &amp; a &lt;b&gt;", "@here & a <b>", ()),
        ("<!subteam^S1|@panel> please", "@panel please", ()),
    ],
)
def test_slack_markup_becomes_plain(slack: str, plain: str, mentions: tuple[str, ...]) -> None:
    assert slack_to_plain(slack) == (plain, mentions)


def test_escape_neutralises_every_mention_form() -> None:
    escaped = escape_text("<!channel> <!everyone> <@U1> a&b")
    assert escaped == "&lt;!channel&gt; &lt;!everyone&gt; &lt;@U1&gt; a&amp;b"
    assert slack_to_plain(escaped)[0] == "<!channel> <!everyone> <@U1> a&b"


@pytest.mark.parametrize(
    ("name", "emoji"),
    [
        ("+1", "👍"),
        ("thumbsup", "👍"),
        ("+1::skin-tone-4", "👍"),
        ("heart", "❤️"),
        ("blob", ":blob:"),
    ],
)
def test_reaction_names_map_to_unicode(name: str, emoji: str) -> None:
    assert name_to_emoji(name) == emoji


def test_unicode_maps_back_to_a_slack_name() -> None:
    assert [emoji_to_name(e) for e in ("👍", "❤", "❤️", ":blob:")] == [
        "+1",
        "heart",
        "heart",
        "blob",
    ]


def test_message_in_dm_is_private_and_keeps_delivery() -> None:
    body = callback(message("psst", channel="D5", channel_type="im"), event_id="Ev1")
    event = event_from_callback(body, delivery=Delivery("Ev1", 2))
    assert isinstance(event, MessagePosted)
    assert event.private is True
    assert event.delivery_id == "Ev1:retry2"
    assert event.thread is None
    assert event.reply_to is None


def test_bot_message_is_marked() -> None:
    event = event_from_callback(callback(message("beep", subtype="bot_message", bot_id="B9")))
    assert isinstance(event, MessagePosted)
    assert event.from_bot is True


def test_edit_and_delete() -> None:
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": {
            "user": "U1",
            "text": "fixed <https://x.io>",
            "ts": "1700000000.000100",
            "edited": {"user": "U1", "ts": "1700000099.000000"},
        },
        "event_ts": "1700000099.000001",
        "ts": "1700000099.000001",
    }
    edited = event_from_callback(callback(edit))
    assert isinstance(edited, MessageEdited)
    assert edited.message_id == "C1:1700000000.000100"
    assert edited.links == ("https://x.io",)
    unfurl = {**edit, "message": {**edit["message"], "edited": None}}  # type: ignore[dict-item]
    assert event_from_callback(callback(unfurl)) is None
    gone = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "deleted_ts": "1700000000.000100",
        "previous_message": {"user": "U1", "ts": "1700000000.000100"},
        "event_ts": "1700000100.000000",
        "ts": "1700000100.000000",
    }
    deleted = event_from_callback(callback(gone))
    assert isinstance(deleted, MessageDeleted)
    assert (deleted.message_id, deleted.author) == ("C1:1700000000.000100", "U1")


def test_joins_channel_topic_changes_are_ignored() -> None:
    join = message("<@U3> has joined the channel", subtype="channel_join")
    assert event_from_callback(callback(join)) is None


def test_reaction_removed_and_members() -> None:
    removed = event_from_callback(callback(reaction("thumbsup", added=False)))
    assert isinstance(removed, ReactionRemoved)
    assert (removed.emoji, removed.message_id) == ("👍", "C1:1700000000.000100")
    joined = {"type": "member_joined_channel", "user": "U3", "channel": "C1", "event_ts": "1.5"}
    left = {**joined, "type": "member_left_channel"}
    assert isinstance(event_from_callback(callback(joined)), MemberJoined)
    assert isinstance(event_from_callback(callback(left)), MemberLeft)
    file_reaction = {**reaction("+1"), "item": {"type": "file", "file": "F1"}}
    assert event_from_callback(callback(file_reaction)) is None


def test_command_in_a_dm() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    event = command_event(command_form("/ASK", "  why?  ", channel="D1"), now=now)
    assert (event.name, event.args, event.private, event.ts) == ("ask", "why?", True, now)
    assert event.dedup_key == "cmd:13345.7384.abc"
