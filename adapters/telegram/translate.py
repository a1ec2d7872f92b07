"""Telegram updates -> Roundtable events. Pure: no I/O, so it is tested without a server.

Ids: Telegram numbers messages per chat, so a Roundtable message id is
``"<chat id>:<message id>"``; the same Telegram message always gives the same id,
which is what lets the bot drop a redelivered update.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from telegram import (
    ChatMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    MessageReactionUpdated,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
)

from bot.events import (
    MemberJoined,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    extract_links,
)

__all__ = [
    "PLATFORM",
    "member_event",
    "message_event",
    "message_ref_id",
    "parse_message_id",
    "reaction_events",
    "roles_of_member",
    "strip_bot_suffix",
]

PLATFORM = "telegram"

# "/ask@RoundtableBot rest": in groups Telegram appends the bot's username to a command.
_COMMAND_RE = re.compile(r"^(/[A-Za-z0-9_]{1,32})@([A-Za-z0-9_]{3,64})(?=\s|$)")
_IN_CHAT = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER})


def message_ref_id(chat_id: int, message_id: int) -> str:
    """The Roundtable id of a Telegram message (message ids are only unique per chat)."""
    return f"{chat_id}:{message_id}"


def parse_message_id(value: str) -> int:
    """Telegram's own message id from a Roundtable id (a bare number is accepted too)."""
    return int(value.rsplit(":", 1)[-1])


def strip_bot_suffix(text: str, bot_username: str) -> str:
    """Turn ``/ask@RoundtableBot foo`` into ``/ask foo`` when the command is addressed to us.

    A command addressed to another bot is left alone, so the bot never takes it as its own.
    """
    match = _COMMAND_RE.match(text)
    if match is None or match.group(2).lower() != bot_username.lower():
        return text
    return match.group(1) + text[match.end() :]


def _author(msg: Message) -> tuple[str, str]:
    # Anonymous admins and channels post "as the chat": sender_chat is then the author.
    if msg.sender_chat is not None:
        chat = msg.sender_chat
        return str(chat.id), chat.title or chat.username or str(chat.id)
    if msg.from_user is not None:
        return str(msg.from_user.id), msg.from_user.full_name
    return str(msg.chat.id), msg.chat.title or ""


def _thread(msg: Message) -> str | None:
    # message_thread_id is also set on reply chains in ordinary supergroups; only forum
    # topics are threads one can post into.
    if msg.is_topic_message and msg.message_thread_id is not None:
        return str(msg.message_thread_id)
    return None


def _reply_to(msg: Message) -> str | None:
    replied = msg.reply_to_message
    # Inside a forum topic every message "replies" to the topic's opening service message.
    if replied is None or replied.forum_topic_created is not None:
        return None
    return message_ref_id(msg.chat.id, replied.message_id)


def _mentions(msg: Message, usernames: Mapping[str, int]) -> tuple[str, ...]:
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    try:
        found = msg.parse_entities(kinds) if msg.text else msg.parse_caption_entities(kinds)
    except (UnicodeDecodeError, ValueError):  # an entity cutting a character in two
        return ()
    ids: list[str] = []
    for entity, text in found.items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
            user_id: int | None = entity.user.id
        else:
            # A plain @username carries no id: only users seen before can be resolved.
            user_id = usernames.get(text.lstrip("@").lower())
        if user_id is not None and str(user_id) not in ids:
            ids.append(str(user_id))
    return tuple(ids)


def _links(msg: Message, text: str) -> tuple[str, ...]:
    links = list(extract_links(text))
    entities = msg.entities if msg.text else msg.caption_entities
    links += [e.url for e in entities if e.type == MessageEntity.TEXT_LINK and e.url]
    return tuple(dict.fromkeys(links))


def message_event(
    msg: Message,
    *,
    edited: bool,
    bot_username: str,
    roles: frozenset[str] = frozenset(),
    usernames: Mapping[str, int] | None = None,
) -> MessagePosted | MessageEdited | None:
    """Translate a message (or an edit of one); ``None`` for messages without text.

    Args:
        msg: the message from ``update.message`` or ``update.edited_message``.
        edited: whether it came as ``edited_message``.
        bot_username: our bot's username, stripped from ``/command@bot``.
        roles: the author's platform role hints (``"admin"``, ``"moderator"``).
        usernames: lower-case username -> user id, to resolve ``@mentions``.
    """
    raw_text = msg.text if msg.text is not None else msg.caption
    if raw_text is None:
        return None  # stickers, photos without caption, service messages
    text = strip_bot_suffix(raw_text, bot_username)
    author, author_name = _author(msg)
    chat = str(msg.chat.id)
    message_id = message_ref_id(msg.chat.id, msg.message_id)
    mentions = _mentions(msg, usernames or {})
    links = _links(msg, raw_text)
    private = msg.chat.type == msg.chat.PRIVATE
    if edited:
        return MessageEdited(
            platform=PLATFORM,
            community=chat,
            channel=chat,
            thread=_thread(msg),
            ts=msg.edit_date or msg.date,
            author=author,
            author_name=author_name,
            private=private,
            author_roles=roles,
            message_id=message_id,
            text=text,
            mentions=mentions,
            links=links,
            raw=msg,
        )
    from_bot = bool(msg.from_user and msg.from_user.is_bot and msg.sender_chat is None)
    return MessagePosted(
        platform=PLATFORM,
        community=chat,
        channel=chat,
        thread=_thread(msg),
        ts=msg.date,
        author=author,
        author_name=author_name,
        private=private,
        author_roles=roles,
        message_id=message_id,
        text=text,
        reply_to=_reply_to(msg),
        mentions=mentions,
        links=links,
        from_bot=from_bot,
        raw=msg,
    )


def _emoji(reaction: ReactionType) -> str:
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f":custom_emoji_{reaction.custom_emoji_id}:"
    return f":{reaction.type}:"  # "paid" (a star reaction)


def reaction_events(
    update: MessageReactionUpdated, roles: frozenset[str] = frozenset()
) -> list[ReactionAdded | ReactionRemoved]:
    """Diff ``old_reaction`` against ``new_reaction`` into added and removed reactions.

    Telegram sends one user's whole reaction set before and after a change, not the change.
    """
    old = [_emoji(r) for r in update.old_reaction]
    new = [_emoji(r) for r in update.new_reaction]
    if update.user is not None:
        author, name = str(update.user.id), update.user.full_name
    elif update.actor_chat is not None:  # an anonymous admin reacting as the chat
        author, name = str(update.actor_chat.id), update.actor_chat.title or ""
    else:
        return []
    chat, message_id = str(update.chat.id), message_ref_id(update.chat.id, update.message_id)
    private = update.chat.type == update.chat.PRIVATE
    events: list[ReactionAdded | ReactionRemoved] = []
    for kind, emojis in (
        (ReactionRemoved, [e for e in old if e not in new]),
        (ReactionAdded, [e for e in new if e not in old]),
    ):
        events += [
            kind(
                platform=PLATFORM,
                community=chat,
                channel=chat,
                ts=update.date,
                author=author,
                author_name=name,
                private=private,
                author_roles=roles,
                message_id=message_id,
                emoji=emoji,
                raw=update,
            )
            for emoji in emojis
        ]
    return events


def _in_chat(member: ChatMember) -> bool:
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _IN_CHAT


def roles_of_member(member: ChatMember) -> frozenset[str]:
    """Role hints for a chat member: the owner and administrators are ``"admin"``;
    whoever may delete others' messages is also ``"moderator"``."""
    if member.status == ChatMember.OWNER:
        return frozenset({"admin", "moderator"})
    if member.status == ChatMember.ADMINISTRATOR:
        if getattr(member, "can_delete_messages", False):
            return frozenset({"admin", "moderator"})
        return frozenset({"admin"})
    return frozenset()


def member_event(update: ChatMemberUpdated) -> MemberJoined | MemberLeft | None:
    """A join or a leave from a ``chat_member`` update; ``None`` for a mere status change."""
    was_in, is_in = _in_chat(update.old_chat_member), _in_chat(update.new_chat_member)
    if was_in == is_in:
        return None
    user = update.new_chat_member.user
    kind = MemberJoined if is_in else MemberLeft
    return kind(
        platform=PLATFORM,
        community=str(update.chat.id),
        channel=str(update.chat.id),
        ts=update.date,
        author=str(user.id),
        author_name=user.full_name,
        author_roles=roles_of_member(update.new_chat_member),
        raw=update,
    )
