"""Who is this Slack user? Names and admin hints from ``users.info``, cached."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock

__all__ = ["UserDirectory", "Who", "who_from_user"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Who:
    """What we know about an author: the name to show and role hints."""

    name: str = ""
    roles: frozenset[str] = frozenset()


def who_from_user(user: dict[str, Any]) -> Who:
    """A ``users.info`` user object -> display name and role hints.

    Workspace admins and owners get ``"admin"``. Slack has no workspace-wide
    "can manage messages" flag for ordinary members, so ``"moderator"`` is never
    set here; the bot's own config names its moderators.
    """
    profile: dict[str, Any] = user.get("profile") or {}
    name = str(
        profile.get("display_name") or profile.get("real_name") or user.get("real_name") or ""
    ) or str(user.get("name", ""))
    admin = any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner"))
    return Who(name=name, roles=frozenset({"admin"}) if admin else frozenset())


class UserDirectory:
    """Looks users up once per ``ttl_seconds`` (one ``users.info`` call per new author).

    A failed lookup (e.g. the ``users:read`` scope is missing) is logged once per
    user and cached like a success, so events keep flowing with an empty name.
    """

    def __init__(self, client: AsyncWebClient, clock: Clock, ttl_seconds: float) -> None:
        self._client = client
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._cache: dict[str, tuple[datetime, Who]] = {}
        self._pending: dict[str, asyncio.Future[Who]] = {}

    async def lookup(self, user_id: str) -> Who:
        if not user_id:
            return Who()
        hit = self._cache.get(user_id)
        if hit is not None and self._clock.now() - hit[0] < self._ttl:
            return hit[1]
        # Events arrive concurrently: several from one new author share one call.
        pending = self._pending.get(user_id)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(user_id))
            self._pending[user_id] = pending
            pending.add_done_callback(lambda _: self._pending.pop(user_id, None))
        return await asyncio.shield(pending)

    async def _fetch(self, user_id: str) -> Who:
        try:
            response = await self._client.users_info(user=user_id)
            user: dict[str, Any] = response.get("user") or {}
            who = who_from_user(user)
        except SlackApiError as exc:
            data = exc.response.data
            reason = data.get("error") if isinstance(data, dict) else exc.response.status_code
            log.warning("users.info failed for %s: %s", user_id, reason)
            who = Who()
        self._cache[user_id] = (self._clock.now(), who)
        return who
