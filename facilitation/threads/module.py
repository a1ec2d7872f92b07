"""The threads module: links each message into a conversation as it arrives.

Every message's conversation is announced as a ``ConversationAssigned`` event,
which the participation log stores on the message, so reports and exports can
use it. Each channel keeps
a live map of open conversations for ``/threads`` and ``/catchup``.
"""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np

from bot.actions import OpenThread, Say, Target
from bot.bus import Bus, current_delivery
from bot.commands import Arg, CommandRouter, CommandSpec, Invocation
from bot.embeddings import StaticEmbedder
from bot.events import ConversationAssigned, Event, MessagePosted
from bot.exports import Question
from facilitation.base import Services
from facilitation.threads.config import ThreadsConfig
from facilitation.threads.disentangle import Disentangler
from facilitation.threads.message import Link, ThreadMessage
from facilitation.threads.restore import Offers, linked_before
from facilitation.threads.scorer import Scorer
from facilitation.threads.threadmap import (
    Answered,
    ThreadMap,
    catchup_since,
    catchup_text,
    threads_text,
    topic,
)

__all__ = ["ThreadsModule"]

log = logging.getLogger("roundtable.threads")

RECENT_SECONDS = 180


class _Channel:
    """One channel's disentangler and map."""

    def __init__(self, scorer: Scorer, services: Services, idle_minutes: float) -> None:
        self.linker = Disentangler(scorer)
        self.map = ThreadMap(services.clock, idle_minutes=idle_minutes)
        self.suggested: set[str] = set()


class ThreadsModule:
    name = "threads"

    def __init__(self, services: Services) -> None:
        self._s = services
        self._cfg = services.config.section("threads", ThreadsConfig)
        self._scorer: Scorer | None = None
        self._static: StaticEmbedder | None = None
        self._zeros = np.zeros(384, np.float32)
        self._channels: dict[str, _Channel] = {}
        self._bus: Bus | None = None
        self._offers = Offers(services.db)

    async def setup(self) -> None:
        if self._cfg.enabled:
            await self._offers.setup()
            self._scorer = Scorer.load()
            settings = self._scorer.meta.get("embeddings")
            static = isinstance(settings, dict) and settings.get("kind") == "static"
            if self._s.embedder.enabled and static:
                assert isinstance(settings, dict)
                self._static = await self._s.embedder.tokens(int(settings.get("max_length", 64)))

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        if not self._cfg.enabled:
            return
        self._bus = bus
        bus.subscribe(
            MessagePosted, self._on_message, where=lambda e: not e.private, name="threads"
        )
        commands.add(
            CommandSpec(
                "catchup",
                "A private digest of the conversations you missed",
                self._catchup,
                args=(Arg("minutes", "minutes", optional=True),),
                where="channel",
            )
        )
        commands.add(
            CommandSpec(
                "threads", "See the conversations going on now", self._threads, where="channel"
            )
        )

    def map_at(self, place: str) -> ThreadMap | None:
        """The live map of ``place``'s conversations (``None`` before its first message)."""
        channel = self._channels.get(place)
        return channel.map if channel is not None else None

    async def _channel(self, event: Event) -> _Channel:
        """The channel's map; the first time since start, rebuilt from the log (a restart)."""
        channel = self._channels.get(event.place)
        if channel is None:
            assert self._scorer is not None
            channel = _Channel(self._scorer, self._s, self._cfg.idle_minutes)
            delivery = current_delivery()
            earlier = await linked_before(
                self._s.db,
                event.platform,
                event.community,
                event.channel,
                delivery.seq if delivery is not None else None,
            )
            for msg, link in zip(earlier, await self._relink(channel, earlier), strict=True):
                channel.map.add(msg, link)
            channel.suggested = await self._offers.made(event.place)
            if earlier:
                log.info("threads: %s rebuilt from %d earlier messages", event.place, len(earlier))
            # another message of this channel may have rebuilt it meanwhile
            channel = self._channels.setdefault(event.place, channel)
        return channel

    async def _on_message(self, event: MessagePosted) -> None:
        if event.from_bot or not event.text.strip():
            return
        channel = await self._channel(event)
        msg = ThreadMessage(
            id=event.message_id,
            author=event.author,
            text=event.text,
            ts=event.ts,
            reply_to=event.reply_to,
            thread=event.thread,
            mentions=event.mentions,
            author_name=event.author_name,
        )
        link = await self._link(channel, msg)
        conv = channel.map.add(msg, link)
        assert self._bus is not None  # subscribed in register()
        await self._bus.publish(
            ConversationAssigned(
                platform=event.platform,
                community=event.community,
                channel=event.channel,
                thread=event.thread,
                ts=event.ts,
                author=event.author,
                message_id=event.message_id,
                conversation=f"{event.channel}:{link.conversation}",
            )
        )
        if conv is not None and self._cfg.suggest_threads:
            await self._maybe_suggest(event, channel)

    async def _link(self, channel: _Channel, msg: ThreadMessage) -> Link:
        if not self._s.embedder.enabled:
            return channel.linker.link(msg, self._zeros)
        if self._static is not None:
            # Token-table vectors cost microseconds: no need to leave the loop.
            return channel.linker.link(msg, self._static.embed([msg.text])[0])
        embedder = await self._s.embedder.get()
        if embedder is None:
            return channel.linker.link(msg, self._zeros)
        [link] = await channel.linker.alink_many([msg], embedder)
        return link

    async def _relink(self, channel: _Channel, msgs: list[ThreadMessage]) -> list[Link]:
        """Link stored messages again, in one pass (the same decisions as the first time)."""
        zeros = np.zeros((len(msgs), self._zeros.shape[0]), np.float32)
        if not msgs or not self._s.embedder.enabled:
            return channel.linker.link_many(msgs, zeros)
        if self._static is not None:
            vectors = np.asarray(self._static.embed([m.text for m in msgs]), np.float32)
            return channel.linker.link_many(msgs, vectors)
        embedder = await self._s.embedder.get()
        if embedder is None:
            return channel.linker.link_many(msgs, zeros)
        return await channel.linker.alink_many(msgs, embedder)

    async def _maybe_suggest(self, event: MessagePosted, channel: _Channel) -> None:
        caps = self._s.outbox.capabilities(event.platform)
        if not caps.native_threads or event.thread is not None:
            return
        session = self._s.sessions.for_event(event)
        if session is None:
            return
        for conv in channel.map.side_conversations(min_messages=self._cfg.side_min_messages):
            if conv.id in channel.suggested:
                continue
            keywords = topic(channel.map, conv, prose=True)
            if not keywords:
                continue  # "this conversation about this" helps nobody; ask once it has one
            channel.suggested.add(conv.id)
            await self._offers.add(event.place, conv.id)
            people = ", ".join(sorted(conv.people)[:4])
            target = Target(event.platform, event.community, event.channel, None)
            if self._cfg.open_threads:
                name = self._s.prompts("threads.suggest.thread_name", keywords=keywords)
                text = self._s.prompts(
                    "threads.suggest.opened", keywords=keywords, people=people, link=""
                )
                await self._s.outbox.send(
                    OpenThread(target=target, message_id=conv.id, name=name[:90], text=text),
                    session.id,
                )
            else:
                text = self._s.prompts(
                    "threads.suggest.move", keywords=keywords, people=people, link=""
                )
                await self._s.outbox.send(Say(target=target, text=text), session.id)

    async def _catchup(self, inv: Invocation) -> None:
        channel = await self._channel(inv.event)
        minutes = inv.args.get("minutes")
        last = channel.map.last_said(inv.event.author)
        # "sorry, stepped away" just before /catchup is no place to start from:
        # look back over half the idle window instead.
        recent = last is not None and (self._s.clock.now() - last).total_seconds() < RECENT_SECONDS
        if minutes is None and recent:
            minutes = max(1, round(self._cfg.idle_minutes / 2))
        span = float(minutes) if minutes else None
        since, _ = catchup_since(self._s.prompts, channel.map, inv.event.author, span)
        await inv.tell(
            catchup_text(
                self._s.prompts,
                channel.map,
                author=inv.event.author,
                minutes=span,
                answered=await self._answered(inv, since),
            )
        )

    async def _answered(self, inv: Invocation, since: datetime) -> list[Answered]:
        """The asker's questions answered since ``since``, with who answered and what."""
        session = self._s.sessions.for_event(inv.event)
        source = self._s.exports.questions()
        if session is None or source is None:
            return []
        questions = await source.for_session(session.id) or []
        me = (inv.event.platform, inv.event.author)
        by_number = {q.id: q for q in questions}
        found: list[Answered] = []
        for q in questions:
            if q.asker != me or not q.text:
                continue
            # A duplicate is answered when the question it was merged into is.
            target, seen = q, {q.id}
            while target.merged_into in by_number and target.merged_into not in seen:
                seen.add(target.merged_into)
                target = by_number[target.merged_into]
            if target.answered_at is None or target.answered_at < since:
                continue
            answer = await self._answer_of(target)
            if answer is not None:
                found.append(Answered(q.text, *answer))
        return found

    async def _answer_of(self, q: Question) -> tuple[str, str, str] | None:
        """(who, what, message id) of ``q``'s first answer: the message, else as recorded."""
        for mid in q.answer_ids[:1]:
            row = await self._s.db.fetchone(
                "SELECT author_name, text FROM events WHERE platform = ? AND message_id = ?"
                " AND text IS NOT NULL ORDER BY seq DESC LIMIT 1",
                (q.platform, mid),
            )
            if row is not None and row["text"]:
                return row["author_name"] or "someone", row["text"], mid
        for mid, name, text in q.recorded_answers[:1]:
            if text:
                return name or "someone", text, mid
        return None

    async def _threads(self, inv: Invocation) -> None:
        channel = await self._channel(inv.event)
        await inv.reply(threads_text(self._s.prompts, channel.map))
