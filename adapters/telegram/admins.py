"""Who administers each Telegram group: the source of ``author_roles`` hints.

The list comes from ``getChatAdministrators`` (one call per chat, cached for a while)
and is kept current by ``chat_member`` updates, which Telegram only sends to a bot
that is itself an administrator.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from telegram import ChatMember
from telegram.error import TelegramError

from adapters.telegram.translate import roles_of_member
from bot.clock import Clock

__all__ = ["AdminDirectory"]

log = logging.getLogger("roundtable.adapters.telegram")

FetchAdmins = Callable[[int], Awaitable[Sequence[ChatMember]]]

# After a failed lookup, try again this soon rather than after the whole cache period.
_RETRY_AFTER_FAILURE = 60.0


class AdminDirectory:
    """Role hints per (chat, user), cached.

    Args:
        fetch: returns a chat's administrators (``bot.get_chat_administrators``).
        clock: decides when a cached list is stale.
        ttl: seconds a fetched list is trusted.
        bot_id: our bot's user id, to warn when the bot itself is not an admin.
    """

    def __init__(self, fetch: FetchAdmins, clock: Clock, ttl: float, bot_id: int) -> None:
        self._fetch = fetch
        self._clock = clock
        self._ttl = ttl
        self._bot_id = bot_id
        self._chats: dict[int, tuple[datetime, dict[int, frozenset[str]]]] = {}
        self._warned: set[int] = set()

    async def roles(self, chat_id: int, user_id: int) -> frozenset[str]:
        """The role hints of ``user_id`` in group ``chat_id`` (fetched if not cached)."""
        cached = self._chats.get(chat_id)
        if cached is None or cached[0] <= self._clock.now():
            cached = await self._refresh(chat_id)
        return cached[1].get(user_id, frozenset())

    def note(self, chat_id: int, member: ChatMember) -> None:
        """Apply a ``chat_member`` / ``my_chat_member`` change to the cached list."""
        roles = roles_of_member(member)
        if member.user.id == self._bot_id:
            self._check_bot(chat_id, "admin" in roles)
        cached = self._chats.get(chat_id)
        if cached is None:
            return  # the next lookup fetches the whole list anyway
        if roles:
            cached[1][member.user.id] = roles
        else:
            cached[1].pop(member.user.id, None)

    async def _refresh(self, chat_id: int) -> tuple[datetime, dict[int, frozenset[str]]]:
        now = self._clock.now()
        try:
            members = await self._fetch(chat_id)
        except TelegramError as exc:
            log.warning("could not list the admins of Telegram chat %s: %s", chat_id, exc)
            entry = (now + timedelta(seconds=_RETRY_AFTER_FAILURE), dict[int, frozenset[str]]())
        else:
            table = {m.user.id: roles_of_member(m) for m in members}
            entry = (now + timedelta(seconds=self._ttl), table)
            self._check_bot(chat_id, self._bot_id in table)
        self._chats[chat_id] = entry
        return entry

    def _check_bot(self, chat_id: int, is_admin: bool) -> None:
        if is_admin:
            self._warned.discard(chat_id)
        elif chat_id not in self._warned:
            self._warned.add(chat_id)
            log.warning(
                "Roundtable is not an admin in Telegram chat %s: Telegram will not send it "
                "reactions (votes) or joins there. Make the bot an admin of the group.",
                chat_id,
            )
