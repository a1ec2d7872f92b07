"""Routes actions back to the adapter of their platform, and logs each one.

A post made while handling an event goes through the store's send journal
(:mod:`bot.store.journal`): if the event is handled again after a crash, the
post is not made again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bot.actions import Action, DirectMessage, MessageRef, Reply, Say, Target, action_platform
from bot.adapter import Adapter
from bot.bus import current_delivery, job
from bot.clock import Clock
from bot.events import Capabilities, CommandIssued
from bot.store import EventLog

__all__ = ["Outbox"]

log = logging.getLogger("roundtable.outbox")


class Outbox:
    """Sends actions through the right adapter; a failed send is logged, not raised.

    Every action is recorded in the participation log with what it produced, so
    an organiser can see what the bot said and what failed.
    """

    def __init__(self, log_: EventLog, clock: Clock) -> None:
        self._log = log_
        self._clock = clock
        self._adapters: dict[str, Adapter] = {}
        self._unrecorded: list[Callable[[Action], bool]] = []
        self.sent = 0
        self.failed = 0
        self.not_repeated = 0

    def dont_record(self, predicate: Callable[[Action], bool]) -> None:
        """Send, but keep no record of, actions ``predicate`` picks (to people who opted out)."""
        self._unrecorded.append(predicate)

    async def _record(
        self,
        action: Action,
        refs: list[MessageRef],
        status: str,
        error: str | None,
        session_id: int | None,
    ) -> None:
        if any(p(action) for p in self._unrecorded):
            return
        await self._log.record_action(action, refs, status, error, self._clock.now(), session_id)

    def job(self, name: str) -> AbstractAsyncContextManager[None]:
        """Run a timer's work (and its posts) crash-safe: see :func:`bot.bus.job`."""
        return job(self._log, name)

    def attach(self, adapter: Adapter) -> None:
        self._adapters[adapter.name] = adapter

    def detach(self, name: str) -> None:
        self._adapters.pop(name, None)

    @property
    def platforms(self) -> list[str]:
        return sorted(self._adapters)

    def capabilities(self, platform: str) -> Capabilities:
        adapter = self._adapters.get(platform)
        return adapter.capabilities if adapter else Capabilities()

    async def send(
        self, action: Action, session_id: int | None = None, *, record: bool = True
    ) -> list[MessageRef]:
        """Send ``action``; ``record=False`` keeps no trace of it (an anonymous asker's receipt)."""
        platform = action_platform(action)
        adapter = self._adapters.get(platform)
        if adapter is None:
            log.warning("no adapter for %s; dropped %s", platform, type(action).__name__)
            if record:
                await self._record(action, [], "dropped", "no adapter", session_id)
            return []
        delivery = current_delivery()
        journal = self._log.journal
        key = delivery.post_key(type(action).__name__) if delivery is not None else None
        if key is not None:
            known = await journal.claim(key)
            if known is not None:
                # Handled before a crash: this post was made (or may have been).
                self.not_repeated += 1
                status = "sent" if known.sent else "unsure"
                await self._log.record_action(
                    action, known.refs, status, None, self._clock.now(), session_id
                )
                return list(known.refs)
        try:
            refs = await adapter.send(action)
        except Exception as exc:
            self.failed += 1
            if key is not None:
                await journal.failed(key)
            log.warning("%s could not %s: %s", platform, type(action).__name__, exc)
            if record:
                await self._record(action, [], "failed", f"{type(exc).__name__}: {exc}", session_id)
            return []
        if key is not None:
            await journal.sent(key, tuple(refs))
        self.sent += 1
        if record:
            await self._record(action, refs, "sent", None, session_id)
        return refs

    async def respond(self, command: CommandIssued, text: str, private: bool) -> list[MessageRef]:
        """Answer a command: privately if asked and possible, else in place."""
        if private and (command.private or self.capabilities(command.platform).direct_messages):
            return await self.send(
                DirectMessage(
                    platform=command.platform,
                    user=command.author,
                    text=text,
                    community=command.community,
                )
            )
        target = Target.of(command)
        if command.message_id:
            return await self.send(Reply(target=target, message_id=command.message_id, text=text))
        # A native slash command is seen only by its caller, so a public answer
        # quotes it: the channel then knows what was asked.
        quoted = f"{command.display_name}: {command.text}\n{text}"
        return await self.send(Say(target=target, text=quoted))
