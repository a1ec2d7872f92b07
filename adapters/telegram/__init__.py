"""Telegram adapter (python-telegram-bot), by long polling or by webhook.

What it maps:

- groups and supergroups: ``community`` and ``channel`` are both the chat id;
  forum topics are threads (``message_thread_id`` -> ``event.thread``);
  ``reply_to_message`` -> ``reply_to``; private chats -> ``private=True``.
- a ``/command`` is an ordinary Telegram message, so it arrives as
  ``MessagePosted`` (``/ask@RoundtableBot foo`` becomes ``/ask foo``) and the bot
  parses it; the command list is shown in Telegram's menu with ``setMyCommands``.
- author role hints: group owners and administrators are ``"admin"`` (and
  ``"moderator"`` when they may delete messages), from ``getChatAdministrators``
  (cached) kept current by ``chat_member`` updates.

The reaction caveat: Telegram sends ``message_reaction`` updates only when
``allowed_updates`` names them (left out by default, so the adapter always asks
for message, edited_message, message_reaction, chat_member and my_chat_member),
and in groups only when the bot is an administrator. Reactions are how people
vote on questions, so make the bot an admin of every group it runs an event in;
the adapter logs a WARNING for a group where it is not. Each update carries a
user's whole reaction set before and after a change; the adapter diffs the two
into ``ReactionAdded`` / ``ReactionRemoved``. ``chat_member`` updates (joins,
leaves, promotions) have the same admin requirement.

Direct messages reach only people who have started a chat with the bot
(Telegram's rule); otherwise the DM is dropped with a WARNING.
"""

from adapters.telegram.adapter import ALLOWED_UPDATES, TelegramAdapter
from adapters.telegram.config import TelegramConfig, check_tokens

__all__ = ["ALLOWED_UPDATES", "TelegramAdapter", "TelegramConfig", "check_tokens"]
