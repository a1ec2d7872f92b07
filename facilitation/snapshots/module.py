"""The snapshots module: research passages offered in the chat at the right moment.

Commands: ``/snapshot <topic>`` (anyone: the best passage and its source),
``/snapshots`` (moderators: snapshots waiting for approval), ``/snapapprove N``
and ``/snapskip N`` (moderators). Planned starters are posted at their minute
(at the first activity after it, or by a poll in a quiet room).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.actions import DirectMessage, MessageRef, Reply, Say, Target
from bot.bus import Bus
from bot.commands import Arg, CommandRouter, CommandSpec, Invocation
from bot.events import CommandIssued, MessagePosted, ReactionAdded, SessionChanged
from bot.roles import Role
from bot.sessions import ENDED, LIVE, Session
from facilitation.base import Services
from facilitation.snapshots.config import SnapshotsConfig
from facilitation.snapshots.effects import EffectTracker
from facilitation.snapshots.framing import Framer, ModelRephraser, Rephraser, Trigger
from facilitation.snapshots.index import Hit, PassageIndex, Vectors, section_vectors
from facilitation.snapshots.ingest import Ingester, IngestProgress, ProgressBar, TextEmbedder
from facilitation.snapshots.policy import ConversationWindow, SurfacingPolicy, agreed
from facilitation.snapshots.sentences import DEPTH, SentenceScorer, ceiling
from facilitation.snapshots.store import SnapshotStore

__all__ = ["SnapshotsModule"]

log = logging.getLogger("roundtable.snapshots")
MODERATORS = frozenset({Role.MODERATOR})
MIN_WORDS = 4  # shorter messages ("thanks!", "+1") say nothing about the topic


@dataclass
class _State:
    """One event's snapshots: what was offered, when, and its conversation windows."""

    session: Session
    corpus: str
    offered: set[int] = field(default_factory=set)
    last_auto: datetime | None = None
    windows: dict[str | None, ConversationWindow] = field(default_factory=dict)
    starters_done: set[int] = field(default_factory=set)


def _target(place: str, thread: str | None = None) -> Target:
    platform, community, channel = place.split(":", 2)
    return Target(platform, community, channel, thread)


class SnapshotsModule:
    """Ingests the configured corpus, then retrieves and surfaces snapshots during events.

    Args:
        services: the shared parts.
        rephraser: says passages in plain words (default: the configured model, if any).
        progress: shows auto-ingest progress (default: on stderr).
        poll_seconds: how often a quiet room is checked for due starters (``None``: never).
    """

    name = "snapshots"

    def __init__(
        self,
        services: Services,
        *,
        rephraser: Rephraser | None = None,
        progress: Callable[[IngestProgress], None] | None = None,
        poll_seconds: float | None = 30.0,
    ) -> None:
        self._s = services
        self.cfg = services.config.section("snapshots", SnapshotsConfig)
        self.store = SnapshotStore(services.db)
        self._own_rephraser: ModelRephraser | None = None
        if rephraser is None and self.cfg.rephrase_model:
            self._own_rephraser = ModelRephraser(
                self.cfg.rephrase_model,
                services.prompts,
                timeout_s=self.cfg.rephrase_timeout_seconds,
            )
            rephraser = self._own_rephraser
        self.framer = Framer(services.prompts, rephraser)
        self.policy = SurfacingPolicy(
            self.cfg.threshold, timedelta(minutes=self.cfg.min_gap_minutes), self.cfg.min_messages
        )
        self.effects = EffectTracker(self.store, timedelta(minutes=self.cfg.effect_minutes))
        self.indexes: dict[str, PassageIndex] = {}
        self._progress = progress
        self._poll_seconds = poll_seconds
        self._states: dict[int, _State] = {}
        self._poller: asyncio.Task[None] | None = None
        self._sentences: SentenceScorer | None = None

    # setup

    async def setup(self) -> None:
        await self.store.setup()
        self._s.personal.register(self.store)
        if not self.cfg.enabled:
            return
        if self.cfg.auto_ingest:
            await self.ingest_configured()
        await self.load_indexes()

    async def ingest_configured(self) -> None:
        """Bring the configured corpora up to date (new and changed files only)."""
        config = self._s.config
        names = ["default", *(slug for slug, ev in self.cfg.events.items() if ev.corpus)]
        for name in names:
            paths = [config.resolve(p) for p in self.cfg.corpus_paths(name)]
            if not paths:
                continue
            embedder = await self._s.embedder.get()
            ingester = Ingester(
                self.store,
                embedder,
                self._s.clock,
                model_name=config.models.embeddings,
                max_words=self.cfg.max_words,
                max_file_mb=self.cfg.max_file_mb,
                progress=self._progress or ProgressBar(f"research corpus {name!r}"),
            )
            report = await ingester.ingest(paths, name, prune=True)
            for path, reason in report.failed:
                log.warning("could not ingest %s: %s", path, reason)
            log.info("%s", report.describe())

    async def load_indexes(self) -> None:
        for name in await self.store.corpora():
            passages, vectors = await self.store.passages(name)
            embedder = await self._s.embedder.get() if vectors is not None else None
            # section titles are embedded once here: the reranker weighs how well they fit
            sections = await section_vectors(passages, embedder.embed) if embedder else None
            self.indexes[name] = await asyncio.to_thread(
                functools.partial(PassageIndex, passages, vectors, sections=sections)
            )
            if embedder is not None:  # each answer sentence embedded now, in one call
                await self._scorer(embedder).warm([p.text for p in passages])
            log.info("corpus %r: %d passages", name, len(passages))

    async def aclose(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._own_rephraser is not None:
            self._own_rephraser.close()

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        if not self.cfg.enabled:
            return
        bus.subscribe(MessagePosted, self._on_message, name="snapshots")
        bus.subscribe(ReactionAdded, self._on_reaction, name="snapshots")
        bus.subscribe(CommandIssued, self._on_command, name="snapshots")
        bus.subscribe(SessionChanged, self._on_session, name="snapshots")
        add = commands.add
        add(
            CommandSpec(
                "snapshot",
                "A short finding from the research on a topic",
                self._cmd_snapshot,
                args=(Arg("topic", "text"),),
                examples=("/snapshot cooling centres",),
            )
        )
        add(
            CommandSpec(
                "snapshots",
                "See snapshots waiting for approval",
                self._cmd_pending,
                roles=MODERATORS,
                needs_session=True,
            )
        )
        for name, summary, handler in (
            ("snapapprove", "Share a snapshot that is waiting", self._cmd_approve),
            ("snapskip", "Drop a snapshot that is waiting", self._cmd_skip),
        ):
            add(
                CommandSpec(
                    name,
                    summary,
                    handler,
                    args=(Arg("number", "int"),),
                    roles=MODERATORS,
                    needs_session=True,
                )
            )
        if self._poll_seconds:
            self._poller = asyncio.create_task(self._poll(self._poll_seconds), name="snap-poll")

    # state

    def index_for(self, corpus: str) -> PassageIndex | None:
        index = self.indexes.get(corpus)
        return index if index is not None and len(index) else None

    async def _state(self, session: Session) -> _State:
        state = self._states.get(session.id)
        if state is None:
            state = _State(session, self.cfg.corpus_name(session.slug))
            for post in await self.store.posts(session.id):
                state.offered.add(post.passage_id)
                if post.trigger == "auto":
                    state.last_auto = max(state.last_auto or post.created_at, post.created_at)
                if post.trigger == "scheduled" and (post.asked_by or "").startswith("starter:"):
                    state.starters_done.add(int((post.asked_by or "")[len("starter:") :]))
                self.effects.watch(post)
            await self._rebuild_windows(state)
            state = self._states.setdefault(session.id, state)
        state.session = session
        return state

    async def _rebuild_windows(self, state: _State) -> None:
        """The event's conversation windows as they were (after a restart), from the log."""
        stored = await self.store.windows(state.session.id)
        if not stored:
            return
        embedder = await self._s.embedder.get()
        if embedder is None:
            return
        for thread, said in stored.items():
            vectors = await embedder.embed([text for _, _, text in said])
            window = state.windows.setdefault(thread, ConversationWindow(self.cfg.window))
            for (_, message_id, text), vector in zip(said, vectors, strict=True):
                window.add(message_id, text, vector)

    # events

    async def _on_message(self, event: MessagePosted) -> None:
        if event.from_bot or event.private:
            return
        session = self._s.sessions.at(event.place)
        if session is None:
            return
        state = await self._state(session)
        await self.effects.on_message(event, session.id)
        await self._due_starters(state)
        if not self.cfg.surface or session.state != LIVE or len(event.text.split()) < MIN_WORDS:
            return
        index = self.index_for(state.corpus)
        embedder = await self._s.embedder.get()
        if index is None or not index.has_vectors or embedder is None:
            return
        vector = (await embedder.messages([event.text]))[0]  # the message's one vector
        window = state.windows.setdefault(event.thread, ConversationWindow(self.cfg.window))
        window.add(event.message_id, event.text, vector)
        await self.store.window_add(
            session.id, event.thread, event.platform, event.message_id, self.cfg.window
        )
        now = self._s.clock.now()
        if self.policy.ready(len(window), now, state.last_auto) is not None:
            return
        # An offer needs the window's best and the latest message's best to be one
        # passage at the threshold: when no candidate of either search could reach
        # it even with a perfect answer sentence, the sentence step is skipped.
        floor = self.policy.threshold
        found = await self._lookup(
            index, window.centroid(), window.text(), exclude=state.offered, floor=floor
        )
        latest = (
            await self._lookup(index, vector, event.text, exclude=state.offered, floor=floor)
            if found
            else []
        )
        hits = agreed(found, latest)
        decision = self.policy.decide(
            hits, window_size=len(window), now=now, last_auto=state.last_auto
        )
        log.debug("snapshot check at %s: %s", event.message_id, decision.reason)
        if decision.hit is not None:
            await self._offer(state, decision.hit, event.place, event.thread, window)

    async def _on_reaction(self, event: ReactionAdded) -> None:
        session = self._s.sessions.at(event.place)
        if session is not None:
            await self._state(session)  # after a restart: the posts it watches, first
        await self.effects.on_reaction(event)

    async def _on_command(self, event: CommandIssued) -> None:
        session = self._s.sessions.at(event.place)
        if session is not None:
            await self._state(session)
            await self.effects.on_message(event, session.id)

    async def _on_session(self, event: SessionChanged) -> None:
        session = self._s.sessions.get(event.session_id)
        if session is None:
            return
        if event.state == ENDED:
            self._states.pop(session.id, None)
            await self.store.end_windows(session.id)
        elif event.state == LIVE:
            await self._due_starters(await self._state(session))

    async def _poll(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)  # real time: a replay's fake clock must not jump
            for state in list(self._states.values()):
                try:
                    # one unit of work, posts journaled: a crash neither loses
                    # nor doubles a starter
                    async with self._s.outbox.job(f"snapshots.starters.{state.session.id}"):
                        await self._due_starters(state)
                except Exception:
                    log.exception("could not post a starter")

    # offering and posting

    async def _offer(
        self, state: _State, hit: Hit, place: str, thread: str | None, window: ConversationWindow
    ) -> None:
        now = self._s.clock.now()
        state.offered.add(hit.passage.id)
        state.last_auto = now
        gist = window.gist()
        window.clear()
        await self.store.window_clear(state.session.id, thread)
        said = await self.framer.frame(hit.passage, "auto")
        post_id = await self._record(state, hit, "auto", said, place, thread, None)
        if not self.cfg.require_approval:
            await self._publish(post_id, state.session, _target(place, thread), said, None)
            return
        note = self._s.prompts(
            "snapshots.pending_note",
            number=post_id,
            gist=gist,
            text=hit.passage.text,
            source=self.framer.source(hit.passage),
        )
        await self._tell_moderators(state.session, note)

    async def _record(
        self,
        state: _State,
        hit: Hit,
        trigger: Trigger,
        said: str,
        place: str,
        thread: str | None,
        asked_by: str | None,
    ) -> int:
        p = hit.passage
        return await self.store.add_post(
            session_id=state.session.id,
            passage_id=p.id,
            trigger=trigger,
            state="pending",
            score=hit.score,
            passage_text=p.text,
            source=self.framer.source(p),
            url=p.url,
            said=said,
            place=place,
            thread=thread,
            asked_by=asked_by,
            created_at=self._s.clock.now(),
        )

    async def _publish(
        self, post_id: int, session: Session, target: Target, text: str, reply_to: str | None
    ) -> list[MessageRef]:
        action = (
            Reply(target=target, message_id=reply_to, text=text)
            if reply_to
            else Say(target=target, text=text)
        )
        refs = await self._s.outbox.send(action, session.id)
        await self.store.mark_posted(post_id, self._s.clock.now(), [r.message_id for r in refs])
        post = await self.store.post(post_id)
        if post is not None:
            self.effects.watch(post)
        return refs

    async def _tell_moderators(self, session: Session, text: str) -> None:
        platforms = session.platforms
        for who in self._s.config.roles.moderators:
            platform, _, user = who.partition(":")
            if platform in platforms and self._s.outbox.capabilities(platform).direct_messages:
                await self._s.outbox.send(
                    DirectMessage(platform=platform, user=user, text=text), session.id
                )

    async def _due_starters(self, state: _State) -> None:
        session = state.session
        if session.state != LIVE or session.started_at is None or not session.places:
            return
        if not self._s.owns_place(session.places[0]):
            return  # posted there, so by the worker that handles that channel
        now = self._s.clock.now()
        for i, starter in enumerate(self.cfg.starters_for(session.slug)):
            due = session.started_at + timedelta(minutes=starter.at_minute)
            if i in state.starters_done or now < due:
                continue
            state.starters_done.add(i)
            hit = await self.best(state.corpus, starter.topic, state.offered, starter.source)
            if hit is None:
                log.warning("no passage for the starter %r", starter.topic)
                continue
            state.offered.add(hit.passage.id)
            said = await self.framer.frame(hit.passage, "scheduled")
            post_id = await self._record(
                state, hit, "scheduled", said, session.places[0], None, f"starter:{i}"
            )
            await self._publish(post_id, session, _target(session.places[0]), said, None)

    async def best(
        self, corpus: str, topic: str, exclude: set[int] | None = None, source: str | None = None
    ) -> Hit | None:
        """The best passage of ``corpus`` for ``topic`` (meaning and keywords)."""
        index = self.index_for(corpus)
        if index is None:
            return None
        embedder = await self._s.embedder.get() if index.has_vectors else None
        query = (await embedder.embed([topic]))[0] if embedder is not None else None
        hits = await self._lookup(index, query, topic, exclude=exclude or (), source=source)
        return hits[0] if hits else None

    async def _lookup(
        self,
        index: PassageIndex,
        query: Vectors | None,
        text: str,
        *,
        exclude: Collection[int] = (),
        source: str | None = None,
        floor: float | None = None,
    ) -> list[Hit]:
        """The best hit: the reranker's best candidates, each answer sentence scored alone.

        With ``floor``: nothing (and no sentence embedded) when no candidate could
        score ``floor`` whatever its best sentence (:func:`sentences.ceiling`).
        """
        if query is None:
            return index.search(None, text, k=1, exclude=exclude, source=source)
        hits = index.search(query, text, k=DEPTH, exclude=exclude, source=source)
        if floor is not None and all(ceiling(h.score) < floor for h in hits):
            return []
        embedder = await self._s.embedder.get()
        if embedder is None:
            return hits[:1]
        return await self._scorer(embedder).rescore(hits, query, 1)

    def _scorer(self, embedder: TextEmbedder) -> SentenceScorer:
        if self._sentences is None:
            self._sentences = SentenceScorer(embedder.embed)
        return self._sentences

    # commands

    async def _cmd_snapshot(self, inv: Invocation) -> None:
        topic = str(inv.args["topic"])
        session = inv.session
        corpus = self.cfg.corpus_name(session.slug if session else None)
        if self.index_for(corpus) is None:
            await inv.reply(self._s.prompts("snapshots.no_corpus"))
            return
        hit = await self.best(corpus, topic)
        if hit is None or hit.score < self.cfg.request_min_score:
            await inv.reply(self._s.prompts("snapshots.nothing_found", topic=topic))
            return
        said = await self.framer.frame(hit.passage, "request")
        event = inv.event
        if session is None or event.private:
            await inv.reply(said)
            return
        state = await self._state(session)
        state.offered.add(hit.passage.id)
        post_id = await self._record(
            state, hit, "request", said, event.place, event.thread, event.author
        )
        await self._publish(post_id, session, Target.of(event), said, event.message_id)

    async def _cmd_pending(self, inv: Invocation) -> None:
        assert inv.session is not None
        posts = await self.store.posts(inv.session.id)
        pending = [p for p in posts if p.state == "pending"]
        if not pending:
            shared = sum(1 for p in posts if p.state == "posted")
            await inv.tell(self._s.prompts("snapshots.pending_none", posted=shared))
            return
        lines = [self._s.prompts("snapshots.pending_header")]
        lines += [
            self._s.prompts(
                "snapshots.pending_line", number=p.id, text=p.passage_text, source=p.source
            )
            for p in pending
        ]
        lines.append(self._s.prompts("snapshots.pending_footer"))
        await inv.tell("\n".join(lines))

    async def _decide(self, inv: Invocation, approve: bool) -> None:
        assert inv.session is not None
        number = int(inv.args["number"])
        post = await self.store.post(number)
        if post is None or post.session_id != inv.session.id or post.state != "pending":
            await inv.reply(self._s.prompts("snapshots.not_pending", number=number))
            return
        await self.store.decide(post.id, "approved" if approve else "skipped", inv.event.author)
        if approve:
            target = _target(post.place, post.thread)
            await self._publish(post.id, inv.session, target, post.said, None)
        await inv.reply(
            self._s.prompts("snapshots.approved" if approve else "snapshots.skipped", number=number)
        )

    async def _cmd_approve(self, inv: Invocation) -> None:
        await self._decide(inv, approve=True)

    async def _cmd_skip(self, inv: Invocation) -> None:
        await self._decide(inv, approve=False)
