"""Pure translation: Telegram payloads -> Roundtable events, no server involved."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import ChatMember, ChatMemberUpdated, Message, MessageReactionUpdated

from adapters.telegram.translate import (
    member_event,
    message_event,
    parse_message_id,
    reaction_events,
    roles_of_member,
    strip_bot_suffix,
)
from bot.events import (
    MemberJoined,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from tests.fakes.telegram_fake import BOT_USERNAME, chat_member, group, user

ALICE = user(7, "Alice", "alice")
BOB = user(8, "Bob")
FORUM = group(-1002, "Forum", forum=True)


def _message(**fields: Any) -> Message:
    payload = {
        "message_id": 5,
        "date": 1_767_268_800,
        "chat": group(-1001, "Panel"),
        "from": ALICE,
        "text": "hello",
        **fields,
    }
    return Message.de_json(payload, None)


def _posted(msg: Message, **kwargs: Any) -> MessagePosted:
    event = message_event(msg, edited=False, bot_username=BOT_USERNAME, **kwargs)
    assert isinstance(event, MessagePosted)
    return event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ask@RoundtableBot foo bar", "/ask foo bar"),
        ("/ask@roundtablebot foo", "/ask foo"),
        ("/event@RoundtableBot", "/event"),
        ("/ask@OtherBot foo", "/ask@OtherBot foo"),
        ("/ask foo", "/ask foo"),
        ("hello /ask@RoundtableBot", "hello /ask@RoundtableBot"),
    ],
)
def test_strip_bot_suffix(text: str, expected: str) -> None:
    assert strip_bot_suffix(text, BOT_USERNAME) == expected


def test_ids_are_qualified_by_chat() -> None:
    event = _posted(_message())
    assert event.message_id == "-1001:5"
    assert event.dedup_key == "msg:-1001:5"
    assert parse_message_id(event.message_id) == 5
    assert parse_message_id("5") == 5


def test_topic_opener_is_not_a_reply_but_a_real_reply_is() -> None:
    opener = {
        "message_id": 3,
        "date": 1,
        "chat": FORUM,
        "from": BOB,
        "forum_topic_created": {"name": "Naps", "icon_color": 1},
        "message_thread_id": 3,
        "is_topic_message": True,
    }
    in_topic = _posted(
        _message(chat=FORUM, message_thread_id=3, is_topic_message=True, reply_to_message=opener)
    )
    assert in_topic.thread == "3"
    assert in_topic.reply_to is None
    question = {"message_id": 4, "date": 1, "chat": FORUM, "from": BOB, "text": "Q"}
    reply = _posted(
        _message(chat=FORUM, message_thread_id=3, is_topic_message=True, reply_to_message=question)
    )
    assert reply.reply_to == "-1002:4"


def test_reply_chain_in_plain_supergroup_is_not_a_thread() -> None:
    question = {"message_id": 4, "date": 1, "chat": group(-1001, "Panel"), "text": "Q"}
    event = _posted(_message(message_thread_id=4, reply_to_message=question))
    assert event.thread is None
    assert event.reply_to == "-1001:4"


def test_private_caption_mentions_and_hidden_links() -> None:
    private = {"id": 7, "type": "private", "first_name": "Alice"}
    msg = _message(
        chat=private,
        text=None,
        caption="see @Bob and Carol",
        caption_entities=[
            {"type": "mention", "offset": 4, "length": 4},
            {"type": "text_mention", "offset": 13, "length": 5, "user": user(9, "Carol")},
            {"type": "text_link", "offset": 0, "length": 3, "url": "https://example.org/x"},
        ],
    )
    event = _posted(msg, usernames={"bob": 8})
    assert event.private
    assert event.text == "see @Bob and Carol"
    assert event.mentions == ("8", "9")
    assert event.links == ("https://example.org/x",)


def test_no_text_no_event_and_edits() -> None:
    sticker_only = _message(text=None)
    assert message_event(sticker_only, edited=False, bot_username=BOT_USERNAME) is None
    edited = message_event(
        _message(text="fixed", edit_date=1_767_268_900), edited=True, bot_username=BOT_USERNAME
    )
    assert isinstance(edited, MessageEdited)
    assert edited.text == "fixed"
    assert edited.ts.timestamp() == 1_767_268_900


def test_anonymous_admin_is_the_chat() -> None:
    chat = group(-1001, "Panel")
    event = _posted(_message(sender_chat=chat, **{"from": user(1087968824, "Group", bot=True)}))
    assert event.author == "-1001"
    assert event.author_name == "Panel"
    assert not event.from_bot


def _reaction(old: list[str], new: list[str]) -> MessageReactionUpdated:
    payload = {
        "chat": group(-1001, "Panel"),
        "message_id": 5,
        "user": BOB,
        "date": 10,
        "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
        "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
    }
    return MessageReactionUpdated.de_json(payload, None)


def test_reactions_are_diffed() -> None:
    events = reaction_events(_reaction(["👍", "🔥"], ["🔥", "🎉"]))
    assert [(type(e), e.emoji) for e in events] == [
        (ReactionRemoved, "👍"),
        (ReactionAdded, "🎉"),
    ]
    assert {e.message_id for e in events} == {"-1001:5"}
    assert reaction_events(_reaction(["👍"], ["👍"])) == []


def _member_update(old: str, new: str) -> ChatMemberUpdated:
    payload = {
        "chat": group(-1001, "Panel"),
        "from": ALICE,
        "date": 10,
        "old_chat_member": chat_member(ALICE, old),
        "new_chat_member": chat_member(ALICE, new),
    }
    return ChatMemberUpdated.de_json(payload, None)


def test_member_joins_leaves_and_promotions() -> None:
    assert isinstance(member_event(_member_update("left", "member")), MemberJoined)
    assert isinstance(member_event(_member_update("member", "kicked")), MemberLeft)
    assert member_event(_member_update("member", "administrator")) is None


def test_roles_of_member() -> None:
    owner = ChatMember.de_json(chat_member(ALICE, "creator"), None)
    plain = ChatMember.de_json(chat_member(ALICE, "member"), None)
    limited = chat_member(ALICE, "administrator") | {"can_delete_messages": False}
    assert roles_of_member(owner) == {"admin", "moderator"}
    assert roles_of_member(ChatMember.de_json(limited, None)) == {"admin"}
    assert roles_of_member(plain) == frozenset()


def test_an_entity_cutting_a_character_in_two_is_ignored() -> None:
    # found by fuzzing: offsets count UTF-16 units, and this one ends inside an emoji
    msg = _message(
        text="0000000\U00010000", entities=[{"type": "mention", "offset": 0, "length": 8}]
    )
    assert _posted(msg).mentions == ()
