"""The question queue in the chat: detection, votes by reaction, answers by reply, the end list.

Subscriptions (commands are in :mod:`facilitation.questions.commands`):

* ``MessagePosted``: a panellist's reply to a question links the answer; any
  other participant's message that asks something is queued, with a light
  acknowledgement (a reaction; a short text at most once a minute per channel).
  A question that is not for the panel is remembered as a room ask; when another
  participant answers it (a reply, naming the asker, or the next message in the
  channel) it becomes a room question, answered by the room (never in the
  panel's queue or left open for the panel).
* ``ReactionAdded`` / ``ReactionRemoved`` with an upvote emoji on a question's
  message add or remove that person's vote.
* ``SessionChanged`` to ``ended``: post what was answered and what was left open.

Only platform-neutral actions are used (Say, Reply, React, DirectMessage), with
a text fallback where a platform has no reactions.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.actions import DirectMessage, React, Reply, Say, Target
from bot.bus import Bus
from bot.commands import CommandRouter
from bot.events import (
    CommandIssued,
    Event,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    SessionChanged,
)
from bot.mirror import mention_safe, post_everywhere
from bot.roles import Role
from bot.sessions import ENDED, Session
from bot.store.personal import LogPersonalData
from facilitation.base import Services
from facilitation.questions.answers import Recent, named_at_start, pick, room_answer
from facilitation.questions.bridge import QuestionBridge
from facilitation.questions.commands import QuestionCommands
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.intake import Intake
from facilitation.questions.memory import QuestionMemory, RoomAsk
from facilitation.questions.pairs import content_words
from facilitation.questions.panel import PanelModel
from facilitation.questions.queue import Asked, Outcome, QuestionQueue
from facilitation.questions.render import short, summary_text
from facilitation.questions.store import Question, QuestionStore, States

__all__ = ["QuestionsModule", "normalise_emoji"]

log = logging.getLogger("roundtable.questions")
STAFF = frozenset({Role.PANELLIST, Role.MODERATOR, Role.ORGANISER})
ANSWERERS = frozenset({Role.PANELLIST, Role.ORGANISER})
ROOM_NAMED = timedelta(minutes=10)  # "lu, just clone the pool": a room ask this recent
ROOM_NEXT = timedelta(minutes=3)  # the next message in the channel, this soon after


def normalise_emoji(emoji: str) -> str:
    """Drop skin tones and the emoji presentation selector: 👍🏽 counts as 👍."""
    return "".join(ch for ch in emoji if ch != "\ufe0f" and not 0x1F3FB <= ord(ch) <= 0x1F3FF)


class QuestionsModule:
    """A fair question queue per event, living in the chat.

    Args:
        services: the shared services; reads ``config.questions`` (defaults when
            the section is absent) and ``config.privacy.keep_anonymous_askers``.
    """

    name = "questions"

    def __init__(self, services: Services) -> None:
        self.s = services
        self.cfg = services.config.section("questions", QuestionsConfig)
        self.store = QuestionStore(services.db)
        self.memory = QuestionMemory(services.db)
        self.queue = QuestionQueue(
            self.store,
            self.cfg,
            services.clock,
            services.embedder,
            keep_anonymous=services.config.privacy.keep_anonymous_askers,
            person_of=services.people.person_of,
            memory=self.memory,
        )
        self.keep_anonymous = services.config.privacy.keep_anonymous_askers
        self._upvote = {normalise_emoji(e) for e in self.cfg.upvote_emoji}
        self.intake = Intake(PanelModel(), services.embedder, self.memory)
        upvote = self.cfg.upvote_emoji[0] if self.cfg.upvote_emoji else "👍"
        self.bridge = QuestionBridge(services, self.store, upvote)

    async def setup(self) -> None:
        await self.store.setup()
        await self.memory.setup()
        self.s.personal.register(self.store)
        self.s.personal.register(self.memory)

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        bus.subscribe(MessagePosted, self.on_message, where=_from_people, name="questions.message")
        bus.subscribe(MessageEdited, self.on_edit, name="questions.edit")
        bus.subscribe(MessageDeleted, self.on_delete, name="questions.delete")
        bus.subscribe(ReactionAdded, self.on_reaction, name="questions.vote")
        bus.subscribe(ReactionRemoved, self.on_unreaction, name="questions.unvote")
        bus.subscribe(SessionChanged, self.on_ended, where=_is_ended, name="questions.ended")
        for spec in QuestionCommands(self).specs():
            commands.add(spec)

    # -- helpers shared with the commands -----------------------------------

    def roles(self, event: Event) -> frozenset[Role]:
        return self.s.roles.roles_of(event.platform, event.author, event.author_roles)

    async def may_speak(self, place: str) -> bool:
        """At most one text acknowledgement per channel per ``ack_interval_seconds``."""
        now = self.s.clock.now()
        last = self.memory.last_spoke(place)
        if last is not None and (now - last).total_seconds() < self.cfg.ack_interval_seconds:
            return False
        await self.memory.spoke(place, now)
        return True

    async def send(self, action: Say | Reply | React | DirectMessage, session_id: int) -> list[str]:
        refs = await self.s.outbox.send(action, session_id)
        return [r.message_id for r in refs]

    async def react_or_none(self, q: Question, emoji: str, message_id: str | None = None) -> bool:
        """React on the question's message where the platform has reactions."""
        mid = message_id or q.message_id
        if not mid or not self.s.outbox.capabilities(q.platform).reactions:
            return False
        target = Target(q.platform, q.community, q.channel, q.thread)
        await self.send(React(target=target, message_id=mid, emoji=emoji), q.session_id)
        return True

    def place_on(self, session: Session, platform: str) -> Target | None:
        """Where an event runs on ``platform`` (anonymous questions are posted there)."""
        for place in session.places:
            plat, community, channel = place.split(":", 2)
            if plat == platform:
                return Target(plat, community, channel)
        return None

    def unrecorded_reply(self, ev: CommandIssued) -> Callable[[str], Awaitable[None]]:
        """Answer an anonymous asker privately, keeping no record that links them to it."""

        async def reply(text: str) -> None:
            dm = DirectMessage(
                platform=ev.platform, user=ev.author, text=text, community=ev.community
            )
            await self.s.outbox.send(dm, record=False)

        return reply

    async def unlink(self, ev: CommandIssued) -> None:
        """Keep the anonymous /ask in the log without its words or asker.

        With ``privacy.keep_anonymous_askers`` false, nothing stored may tie an
        anonymous question to who asked it: the question has no asker, the
        confirmation was sent unrecorded, and the command's row loses its text.
        """
        await LogPersonalData(self.s.db).blank_command(ev.platform, ev.dedup_key)

    async def post_anonymous(self, q: Question) -> None:
        """Post an anonymous question in every channel of the event, each post mapped to it."""
        text = self.s.prompts("questions.anonymous_post", n=q.number, text=q.text)
        session = self.s.sessions.get(q.session_id)
        if session is not None and self.bridge.spans(session):
            for target, refs in await post_everywhere(self.s.outbox, session, text):
                for ref in refs:
                    await self.store.map_message(target.platform, ref.message_id, q.id, "announce")
            return
        target = Target(q.platform, q.community, q.channel)
        for mid in await self.send(Say(target=target, text=mention_safe(text)), q.session_id):
            await self.store.map_message(q.platform, mid, q.id, "announce")

    async def link_answer(
        self,
        q: Question,
        event: Event,
        message_id: str | None,
        text: str,
        answerer: str = "panel",
    ) -> bool:
        """Record an answer to ``q`` (or the question it was merged into)."""
        root = await self.store.root(q)
        if root.state in States.GONE:
            return False
        first = root.first_answer_at is None
        added = await self.store.add_answer(
            root,
            event.platform,
            message_id,
            event.author,
            event.display_name,
            text,
            self.s.clock.now(),
            answerer,
        )
        if first and added:
            await self.react_or_none(root, self.s.prompts("questions.answer_linked"))
        return True

    # -- subscriptions --------------------------------------------------------

    async def on_message(self, event: MessagePosted) -> None:
        if event.private:
            return  # private questions come with /ask
        session = self.s.sessions.for_event(event)
        if session is None or event.text.startswith("/"):
            return
        roles = self.roles(event)
        if roles & STAFF:
            await self.intake.seen_staff(event.platform, event.author, event.display_name)
        await self.intake.observe(
            event.place, event.platform, event.author, event.message_id, event.mentions, event.ts
        )
        replied = await self._replied_question(event, session)
        if roles & ANSWERERS:
            await self._panel_message(event, session, replied)
            return
        if (
            replied is not None
            and not roles & STAFF
            and replied.asker != event.author
            and room_answer(event.text)
        ):
            await self.link_answer(replied, event, event.message_id, event.text, "room")
            return
        if replied is None and not roles & STAFF and room_answer(event.text):
            ask = await self._room_ask_answered(event, session)
            if ask is not None:
                q = await self._room_question(ask)
                await self.link_answer(q, event, event.message_id, event.text, "room")
                return
        if not self.cfg.detect or (roles & STAFF and not self.cfg.detect_from_staff):
            return
        await self._detect(event, session)

    async def _room_ask_answered(self, event: MessagePosted, session: Session) -> RoomAsk | None:
        """The room ask this participant's message answers: the one it replies to; the
        latest of an asker it names first, if the asker has said nothing since; or the
        message right before it, if this one speaks to nobody else and is on its subject."""
        mine = event.author

        def usable(ask: RoomAsk | None) -> RoomAsk | None:
            ok = ask is not None and ask.session_id == session.id and ask.person != mine
            return ask if ok else None

        if event.reply_to:
            return usable(self.memory.room_ask(event.platform, event.reply_to))
        recent = self.memory.room_asks(event.place, event.ts - ROOM_NAMED)
        names = {a.name.split()[0].lower(): a.person for a in recent if a.name.split()}
        for who in named_at_start(event.text, names):
            theirs = [a for a in recent if a.person == who and a.person != mine]
            if theirs and await self._last_message(event, who) == theirs[-1].message_id:
                return theirs[-1]
        if event.mentions:
            return None
        before = usable(self.memory.room_ask(event.platform, await self._last_message(event)))
        if (
            before is not None
            and event.ts - before.at <= ROOM_NEXT
            and content_words(before.text) & content_words(event.text)
        ):
            return before
        return None

    async def _last_message(self, event: MessagePosted, author: str | None = None) -> str | None:
        """The message posted in this channel just before ``event`` (by ``author``, if given)."""
        by = " AND author = ?" if author else ""
        row = await self.s.db.fetchone(
            "SELECT message_id FROM events WHERE platform = ? AND community = ? AND channel = ?"
            f" AND kind = 'MessagePosted' AND message_id IS NOT NULL AND message_id != ?{by}"
            " AND seq < COALESCE((SELECT MAX(seq) FROM events WHERE platform = ?"
            " AND message_id = ?), 1 << 62) ORDER BY seq DESC LIMIT 1",
            (
                event.platform,
                event.community,
                event.channel,
                event.message_id,
                *([author] if author else []),
                event.platform,
                event.message_id,
            ),
        )
        return str(row["message_id"]) if row is not None else None

    async def _room_question(self, ask: RoomAsk) -> Question:
        """The room ask as a question of the event (numbered, never queued for the panel)."""
        qid = self.store.question_of(ask.platform, ask.message_id)
        found = await self.store.by_id(qid) if qid is not None else None
        if found is not None:
            return found
        q = await self.store.add(
            {
                "session_id": ask.session_id,
                "platform": ask.platform,
                "community": ask.community,
                "channel": ask.channel,
                "thread": ask.thread,
                "asker": ask.person,
                "asker_name": ask.name,
                "text": ask.text.strip()[: self.cfg.max_length],
                "original_text": ask.text,
                "message_id": ask.message_id,
                "source": "room",
                "state": States.ANSWERED,
                "asked_at": ask.at.isoformat(),
                "answered_by": "room",
            }
        )
        await self.memory.drop_room_ask(ask.platform, ask.message_id)
        return q

    async def _replied_question(self, event: MessagePosted, session: Session) -> Question | None:
        qid = self.store.question_of(event.platform, event.reply_to)
        qid = qid or self.store.question_of(event.platform, event.thread)
        q = await self.store.by_id(qid) if qid is not None else None
        return q if q is not None and q.session_id == session.id else None

    async def _panel_message(
        self, event: MessagePosted, session: Session, replied: Question | None
    ) -> None:
        """A panellist's message: an answer by reply, by naming the asker, or by following."""
        if replied is not None:
            await self.link_answer(replied, event, event.message_id, event.text)
            await self.bridge.relay_panel(session, event, await self.store.root(replied))
            return
        if event.reply_to:
            await self.bridge.relay_panel(session, event, None)
            return  # a reply to a message that is not a question answers that message
        questions = await self.store.in_session(session.id)
        by_id = {q.id: q for q in questions}
        roots = {q.id: _root_of(q, by_id) for q in questions}
        names = {
            q.asker_name.split()[0].lower(): q.asker
            for q in questions
            if q.asker and q.asker_name.split() and not q.anonymous
        }
        recent = await self.store.last_panel_answer(session.id, event.platform, event.author)
        answered: list[Question] = []
        for q in pick(
            event.text,
            event.author,
            self.s.clock.now(),
            questions,
            roots,
            names,
            Recent(*recent) if recent is not None else None,
            staff_names=self.intake.staff_names,
        ):
            await self.link_answer(q, event, event.message_id, event.text)
            answered.append(q)
        await self.bridge.relay_panel(session, event, answered[0] if answered else None)

    async def _author_of(self, platform: str, message_id: str | None) -> str | None:
        if not message_id:
            return None
        row = await self.s.db.fetchone(
            "SELECT author FROM events WHERE platform = ? AND message_id = ? LIMIT 1",
            (platform, message_id),
        )
        return str(row["author"]) if row is not None and row["author"] else None

    async def _detect(self, event: MessagePosted, session: Session) -> None:
        async def lookup() -> tuple[str | None, set[str]]:
            reply_author = await self._author_of(event.platform, event.reply_to)
            people = {*event.mentions, *([reply_author] if reply_author else [])}
            return reply_author, {
                p for p in people if self.s.roles.roles_of(event.platform, p) & STAFF
            }

        verdict = await self.intake.judge(
            place=event.place,
            platform=event.platform,
            author=event.author,
            message_id=event.message_id,
            text=event.text,
            at=event.ts,
            mentions=event.mentions,
            lookup=lookup,
        )
        if not verdict.panel:
            if verdict.room and len(event.text) <= self.cfg.max_length:
                ask = RoomAsk(
                    event.platform,
                    event.message_id,
                    session.id,
                    event.place,
                    event.community,
                    event.channel,
                    event.thread,
                    event.author,
                    event.display_name,
                    event.text,
                    event.ts,
                )
                await self.memory.add_room_ask(ask)
            return
        if verdict.joins is not None:
            qid = self.store.question_of(event.platform, verdict.joins)
            earlier = await self.store.by_id(qid) if qid is not None else None
            if earlier is not None and earlier.state in States.LIVE:
                await self.store.update(earlier.id, text=verdict.text)
                await self.store.map_message(event.platform, event.message_id, earlier.id, "part")
                self.queue.forget_vector(earlier.id)
                return
        if len(verdict.text) > self.cfg.max_length:
            await self._too_long(event, session)
            return
        asked = Asked(
            session.id,
            event.platform,
            event.community,
            event.channel,
            event.thread,
            event.author,
            event.display_name,
            verdict.text.strip(),
            event.message_id,
            "detected",
        )
        outcome = await self.queue.submit(asked)
        if verdict.joins is not None and outcome.question is not None:
            await self.store.map_message(event.platform, verdict.joins, outcome.question.id, "part")
        await self._acknowledge(event, outcome, session)

    async def _too_long(self, event: MessagePosted, session: Session) -> None:
        """Say privately (once per person) that a very long message was not queued."""
        if self.memory.was_told(session.id, event.platform, event.author, "too_long"):
            return
        await self.memory.told(session.id, event.platform, event.author, "too_long")
        text = self.s.prompts("questions.too_long_detected", limit=self.cfg.max_length)
        await self._tell(event, session, text)

    async def _tell(self, event: Event, session: Session, text: str) -> None:
        """A private word where the platform has DMs (else nothing: never a public scold)."""
        if not self.s.outbox.capabilities(event.platform).direct_messages:
            return
        dm = DirectMessage(
            platform=event.platform, user=event.author, community=event.community, text=text
        )
        await self.send(dm, session.id)

    async def on_edit(self, event: MessageEdited) -> None:
        """An edited question reads as edited; an edit that makes a question queues it."""
        session = self.s.sessions.for_event(event)
        if session is None or event.private:
            return
        qid = self.store.question_of(event.platform, event.message_id)
        q = await self.store.by_id(qid) if qid is not None else None
        if q is not None:
            if q.message_id == event.message_id and q.state in States.LIVE:
                await self.store.update(q.id, text=event.text.strip()[: self.cfg.max_length])
                self.queue.forget_vector(q.id)
            return
        roles = self.roles(event)
        if not self.cfg.detect or roles & (STAFF if not self.cfg.detect_from_staff else ANSWERERS):
            return
        posted = MessagePosted(
            platform=event.platform,
            community=event.community,
            channel=event.channel,
            thread=event.thread,
            ts=event.ts,
            author=event.author,
            author_name=event.author_name,
            message_id=event.message_id,
            text=event.text,
            mentions=event.mentions,
        )
        await self._detect(posted, session)

    async def on_delete(self, event: MessageDeleted) -> None:
        """A question deleted by its asker leaves the queue; a repost soon after replaces it."""
        qid = self.store.question_of(event.platform, event.message_id)
        q = await self.store.by_id(qid) if qid is not None else None
        if q is None or q.message_id != event.message_id or q.state not in States.LIVE:
            return
        await self.store.update(q.id, state=States.DELETED, pinned=0)
        self.queue.forget_vector(q.id)
        if q.asker:
            await self.memory.set_deleted(
                q.session_id, q.platform, q.asker, (q.id, self.s.clock.now())
            )

    async def _acknowledge(self, event: MessagePosted, outcome: Outcome, session: Session) -> None:
        """A reaction always; words only where they help, and the hint privately, once."""
        q = outcome.question
        if q is None or outcome.kind == "limited":
            return
        if outcome.kind == "repeat":
            if q.state == States.ANSWERED:  # asked again: say where the answer is
                text = await self.answered_before(q)
                await self.send(
                    Reply(target=Target.of(event), message_id=event.message_id, text=text),
                    session.id,
                )
            return
        if outcome.kind == "added":
            await self.bridge.announce(session, q, Target.of(event))
        reacted = await self.react_or_none(q, self.cfg.ack_emoji, event.message_id)
        first = not self.memory.was_told(session.id, event.platform, event.author, "hint")
        p = self.s.prompts
        if outcome.kind == "merged_answered":
            text = await self.answered_before(q)
        elif outcome.kind == "merged":
            text = p("questions.merged", n=q.number, also=outcome.also)
        elif first or not reacted:
            emoji = self.cfg.upvote_emoji[0] if self.cfg.upvote_emoji else "👍"
            name = event.display_name.split()[0] if event.display_name.split() else ""
            text = p("questions.caught", n=q.number, name=name, emoji=emoji)
        else:
            return
        if outcome.kind == "merged_answered" or await self.may_speak(event.place):
            target = Target.of(event)
            await self.send(
                Reply(target=target, message_id=event.message_id, text=text), session.id
            )
        if first:
            await self.memory.told(session.id, event.platform, event.author, "hint")
            if outcome.kind in ("added", "pending"):
                await self._tell(event, session, p("questions.caught_hint", n=q.number))

    async def answered_before(self, q: Question) -> str:
        """Where an earlier answer to this question is (a short quote of it)."""
        answers = await self.store.answers(q.id)
        panel = [a for a in answers if a["answerer"] == "panel" and a["text"]]
        written = panel or [a for a in answers if a["text"]]
        if not written:
            return self.s.prompts("questions.answered_before_no_text", n=q.number)
        key = (
            "questions.answered_before"
            if (chosen := written[0])["answerer"] == "panel"
            else "questions.room_before"
        )
        return self.s.prompts(
            key,
            n=q.number,
            who=chosen["author_name"] or "?",
            answer=short(str(chosen["text"]), 160),
        )

    async def _question_for(self, event: ReactionAdded | ReactionRemoved) -> Question | None:
        if normalise_emoji(event.emoji) not in self._upvote:
            return None
        qid = self.store.question_of(event.platform, event.message_id)
        if qid is None:
            return None
        q = await self.store.by_id(qid)
        session = self.s.sessions.get(q.session_id) if q else None
        return q if session is not None and session.open else None

    async def on_reaction(self, event: ReactionAdded) -> None:
        q = await self._question_for(event)
        if q is not None:
            await self.queue.vote(q, event.platform, event.author, "reaction")

    async def on_unreaction(self, event: ReactionRemoved) -> None:
        q = await self._question_for(event)
        if q is not None:
            await self.queue.unvote(q, event.platform, event.author)

    async def on_ended(self, event: SessionChanged) -> None:
        questions = await self.store.in_session(event.session_id)
        if not questions:
            return
        ranked = await self.queue.ranked(event.session_id)
        text = summary_text(self.s.prompts, questions, ranked, self.cfg.queue_length)
        session = self.s.sessions.get(event.session_id)
        if session is not None and self.bridge.spans(session):
            await self.bridge.everywhere(session, text)  # one end list in every channel
            return
        target = Target(event.platform, event.community, event.channel)
        await self.send(Say(target=target, text=text), event.session_id)


def _root_of(q: Question, by_id: dict[int, Question]) -> Question:
    seen = {q.id}
    while q.merged_into is not None and q.merged_into in by_id and q.merged_into not in seen:
        q = by_id[q.merged_into]
        seen.add(q.id)
    return q


def _from_people(event: MessagePosted) -> bool:
    return not event.from_bot


def _is_ended(event: SessionChanged) -> bool:
    return event.state == ENDED
