"""The question queue in the chat: detection, votes by reaction, answers by reply, the end list.

Subscriptions (commands are in :mod:`facilitation.questions.commands`):

* ``MessagePosted``: a panellist's reply to a question links the answer; any
  other participant's message that asks something is queued, with a light
  acknowledgement (a reaction; a short text at most once a minute per channel).
* ``ReactionAdded`` / ``ReactionRemoved`` with an upvote emoji on a question's
  message add or remove that person's vote.
* ``SessionChanged`` to ``ended``: post what was answered and what was left open.

Only platform-neutral actions are used (Say, Reply, React, DirectMessage), with
a text fallback where a platform has no reactions.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.actions import DirectMessage, React, Reply, Say, Target
from bot.bus import Bus
from bot.commands import CommandRouter
from bot.events import (
    CommandIssued,
    Event,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    SessionChanged,
)
from bot.roles import Role
from bot.sessions import ENDED, Session
from bot.store.personal import LogPersonalData
from facilitation.base import Services
from facilitation.questions.commands import QuestionCommands
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.detect import is_question
from facilitation.questions.queue import Asked, Outcome, QuestionQueue
from facilitation.questions.render import summary_text
from facilitation.questions.store import Question, QuestionStore, States

__all__ = ["QuestionsModule", "normalise_emoji"]

log = logging.getLogger("roundtable.questions")
STAFF = frozenset({Role.PANELLIST, Role.MODERATOR, Role.ORGANISER})
ANSWERERS = frozenset({Role.PANELLIST, Role.ORGANISER})


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
        found = getattr(services.config, "questions", None)
        self.cfg: QuestionsConfig = (
            found if isinstance(found, QuestionsConfig) else QuestionsConfig()
        )
        self.store = QuestionStore(services.db)
        self.queue = QuestionQueue(
            self.store,
            self.cfg,
            services.clock,
            services.embedder,
            keep_anonymous=services.config.privacy.keep_anonymous_askers,
        )
        self.keep_anonymous = services.config.privacy.keep_anonymous_askers
        self._upvote = {normalise_emoji(e) for e in self.cfg.upvote_emoji}
        self._last_text_ack: dict[str, datetime] = {}
        self._explained: set[tuple[int, str, str]] = set()

    async def setup(self) -> None:
        await self.store.setup()
        self.s.personal.register(self.store)

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        bus.subscribe(MessagePosted, self.on_message, where=_from_people, name="questions.message")
        bus.subscribe(ReactionAdded, self.on_reaction, name="questions.vote")
        bus.subscribe(ReactionRemoved, self.on_unreaction, name="questions.unvote")
        bus.subscribe(SessionChanged, self.on_ended, where=_is_ended, name="questions.ended")
        for spec in QuestionCommands(self).specs():
            commands.add(spec)

    # -- helpers shared with the commands -----------------------------------

    def roles(self, event: Event) -> frozenset[Role]:
        return self.s.roles.roles_of(event.platform, event.author, event.author_roles)

    def may_speak(self, place: str) -> bool:
        """At most one text acknowledgement per channel per ``ack_interval_seconds``."""
        now = self.s.clock.now()
        last = self._last_text_ack.get(place)
        if last is not None and (now - last).total_seconds() < self.cfg.ack_interval_seconds:
            return False
        self._last_text_ack[place] = now
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
        """Post an anonymous question in the event, and map the post to the question."""
        target = Target(q.platform, q.community, q.channel)
        text = self.s.prompts("questions.anonymous_post", n=q.number, text=q.text)
        for mid in await self.send(Say(target=target, text=text), q.session_id):
            await self.store.map_message(q.platform, mid, q.id, "announce")

    async def link_answer(
        self, q: Question, event: Event, message_id: str | None, text: str
    ) -> bool:
        """Record an answer to ``q`` (or the question it was merged into)."""
        root = await self.store.root(q)
        if root.state in (States.REJECTED, States.WITHDRAWN):
            return False
        first = root.first_answer_at is None
        await self.store.add_answer(
            root,
            event.platform,
            message_id,
            event.author,
            event.display_name,
            text,
            self.s.clock.now(),
        )
        if first:
            await self.react_or_none(root, self.s.prompts("questions.answer_linked"))
        return True

    # -- subscriptions --------------------------------------------------------

    async def on_message(self, event: MessagePosted) -> None:
        if event.private:
            return  # private questions come with /ask
        session = self.s.sessions.for_event(event)
        if session is None:
            return
        roles = self.roles(event)
        if roles & ANSWERERS:
            qid = self.store.question_of(event.platform, event.reply_to)
            qid = qid or self.store.question_of(event.platform, event.thread)
            q = await self.store.by_id(qid) if qid is not None else None
            if q is not None and q.session_id == session.id:
                await self.link_answer(q, event, event.message_id, event.text)
                return
        if not self.cfg.detect or (roles & STAFF and not self.cfg.detect_from_staff):
            return
        if len(event.text) > self.cfg.max_length or not is_question(event.text):
            return
        if await self._between_participants(event):
            return
        asked = Asked(
            session.id,
            event.platform,
            event.community,
            event.channel,
            event.thread,
            event.author,
            event.display_name,
            event.text.strip(),
            event.message_id,
            "detected",
        )
        await self._acknowledge(event, await self.queue.submit(asked), session)

    async def _between_participants(self, event: MessagePosted) -> bool:
        """A question put to another participant (@Ruth..., or a reply) is their chat."""
        people = list(event.mentions)
        if event.reply_to:
            row = await self.s.db.fetchone(
                "SELECT author FROM events WHERE platform = ? AND message_id = ? LIMIT 1",
                (event.platform, event.reply_to),
            )
            if row is not None and row["author"]:
                people.append(str(row["author"]))
        return any(
            p != event.author and not self.s.roles.roles_of(event.platform, p) & STAFF
            for p in people
        )

    async def _acknowledge(self, event: MessagePosted, outcome: Outcome, session: Session) -> None:
        q = outcome.question
        if q is None or outcome.kind == "repeat":
            return
        reacted = await self.react_or_none(q, self.cfg.ack_emoji, event.message_id)
        key = (session.id, event.platform, event.author)
        if outcome.kind == "merged":
            text = self.s.prompts("questions.merged", n=q.number, also=outcome.also)
        elif key not in self._explained or not reacted:
            text = self.s.prompts("questions.caught", n=q.number)
        else:
            return
        if self.may_speak(event.place):
            self._explained.add(key)
            target = Target.of(event)
            await self.send(
                Reply(target=target, message_id=event.message_id, text=text), session.id
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
        target = Target(event.platform, event.community, event.channel)
        await self.send(Say(target=target, text=text), event.session_id)


def _from_people(event: MessagePosted) -> bool:
    return not event.from_bot


def _is_ended(event: SessionChanged) -> bool:
    return event.state == ENDED
