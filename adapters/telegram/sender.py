"""Actions -> Bot API calls: what Roundtable says and does on Telegram."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import Any

from telegram import Message, ReactionTypeEmoji, ReplyParameters
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from adapters.base import split_text
from adapters.telegram.translate import PLATFORM, message_ref_id, parse_message_id
from bot.actions import (
    Action,
    DirectMessage,
    MessageRef,
    OpenThread,
    Pin,
    React,
    Reply,
    Say,
    UploadFile,
)

__all__ = ["CAPTION_LIMIT", "MESSAGE_LIMIT", "TelegramSender"]

log = logging.getLogger("roundtable.adapters.telegram")

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


# Telegram accepts only a fixed list of reaction emoji; the bot's usual marks are
# mapped to the nearest one on the list so they still show.
_NEAREST_REACTION = {
    "✅": "👌",
    "☑": "👌",
    "✔": "👌",
    "🙋": "👀",
    "❓": "🤔",
    "📌": "👀",
    "⭐": "🔥",
}


def telegram_reaction(emoji: str) -> str:
    """``emoji`` as Telegram's reaction list spells it (no variation selectors)."""
    bare = emoji.replace("\ufe0f", "")
    return _NEAREST_REACTION.get(bare, bare)


class TelegramSender:
    """Performs actions with a connected bot.

    Args:
        bot: the application's bot (requests pass through its rate limiter).
        forums: chat id -> whether it is a forum, as learnt from incoming updates
            (shared with the adapter; unknown chats are looked up once).
    """

    def __init__(self, bot: ExtBot[Any], forums: dict[int, bool]) -> None:
        self._bot = bot
        self._forums = forums

    async def send(self, action: Action) -> list[MessageRef]:
        """Perform ``action``; return the messages it produced (none for React and Pin)."""
        bot = self._bot
        match action:
            case Say(target=target, text=text):
                return await self._post(_chat(target.channel), text, target.thread)
            case Reply(target=target, message_id=message_id, text=text):
                return await self._post(_chat(target.channel), text, target.thread, message_id)
            case React(target=target, message_id=message_id, emoji=emoji):
                try:
                    # Telegram's reaction list has no variation selectors: "❤️" must be "❤".
                    await bot.set_message_reaction(
                        _chat(target.channel),
                        parse_message_id(message_id),
                        ReactionTypeEmoji(telegram_reaction(emoji)),
                    )
                except BadRequest as exc:  # Telegram allows only a fixed set of emoji
                    log.warning("Telegram refused reaction %r: %s", emoji, exc)
                return []
            case Pin(target=target, message_id=message_id):
                await bot.pin_chat_message(
                    _chat(target.channel), parse_message_id(message_id), disable_notification=True
                )
                return []
            case OpenThread():
                return await self._open_thread(action)
            case DirectMessage(user=user, text=text):
                return await self._private(self._post(_chat(user), text, None))
            case UploadFile(private_to=None):
                return await self._upload(
                    action, _chat(action.target.channel), action.target.thread
                )
            case UploadFile(private_to=str(user)):
                return await self._private(self._upload(action, _chat(user), None))
        raise TypeError(f"not an action: {action!r}")

    async def _post(
        self, chat_id: int | str, text: str, thread: str | None, reply_to: str | None = None
    ) -> list[MessageRef]:
        refs: list[MessageRef] = []
        for i, chunk in enumerate(_chunks(text)):
            reply = None
            if reply_to is not None and i == 0:
                reply = ReplyParameters(
                    parse_message_id(reply_to), allow_sending_without_reply=True
                )
            # No parse_mode: user text goes out as plain text, so it can never break markup.
            sent = await self._bot.send_message(
                chat_id,
                chunk,
                message_thread_id=int(thread) if thread else None,
                reply_parameters=reply,
            )
            refs.append(_ref(sent, thread))
        return refs

    async def _open_thread(self, action: OpenThread) -> list[MessageRef]:
        chat_id = _chat(action.target.channel)
        text = action.text or action.name
        if await self._is_forum(chat_id):
            try:
                topic = await self._bot.create_forum_topic(chat_id, action.name[:128])
            except (BadRequest, Forbidden) as exc:  # the bot lacks "manage topics"
                log.warning("could not open a Telegram topic in %s: %s", chat_id, exc)
            else:
                return await self._post(chat_id, text, str(topic.message_thread_id))
        return await self._post(chat_id, text, action.target.thread, action.message_id)

    async def _is_forum(self, chat_id: int | str) -> bool:
        if isinstance(chat_id, int) and chat_id > 0:
            return False  # a private chat
        known = self._forums.get(chat_id) if isinstance(chat_id, int) else None
        if known is None:
            chat = await self._bot.get_chat(chat_id)
            known = self._forums[chat.id] = bool(chat.is_forum)
        return known

    async def _upload(
        self, action: UploadFile, chat_id: int | str, thread: str | None
    ) -> list[MessageRef]:
        comment = mention_safe(action.comment.strip())
        caption = comment if len(comment) <= CAPTION_LIMIT else None
        sent = await self._bot.send_document(
            chat_id,
            action.path,
            caption=caption or None,
            filename=action.path.name,
            message_thread_id=int(thread) if thread else None,
        )
        refs = [_ref(sent, thread)]
        if comment and caption is None:
            refs += await self._post(chat_id, comment, thread)
        return refs

    async def _private(self, sending: Awaitable[list[MessageRef]]) -> list[MessageRef]:
        try:
            refs = await sending
        except (Forbidden, BadRequest) as exc:
            # Telegram lets a bot write only to people who have started a chat with it.
            log.warning("could not message a Telegram user privately: %s", exc)
            return []
        return refs


def _chat(value: str) -> int | str:
    """Chat ids are numbers; a public ``@channel`` name is passed as is."""
    try:
        return int(value)
    except ValueError:
        return value


def _ref(sent: Message, thread: str | None) -> MessageRef:
    return MessageRef(
        PLATFORM, str(sent.chat.id), message_ref_id(sent.chat.id, sent.message_id), thread
    )


_USERNAME = re.compile(r"(?<![\w@])@(?=[A-Za-z][A-Za-z0-9_]{3,31}\b)")


def mention_safe(text: str) -> str:
    """Keep ``@username`` in user text from notifying anyone.

    Telegram turns any ``@username`` in a message into a mention that notifies
    that person, so a question quoting someone would ping them again with every
    /now and /queue post. A word joiner after the ``@`` keeps the text as it
    reads and stops it being a mention.
    """
    return _USERNAME.sub("@\u2060", text)


def _chunks(text: str) -> list[str]:
    # Telegram counts UTF-16 code units: text rich in emoji needs smaller pieces.
    text = mention_safe(text)
    parts = split_text(text, MESSAGE_LIMIT)
    if any(len(p.encode("utf-16-le")) // 2 > MESSAGE_LIMIT for p in parts):
        parts = split_text(text, MESSAGE_LIMIT // 2)
    return parts
