"""Open questions stay answerable: ``/answer N text`` after the event has ended.

A panellist answering after the end reaches everyone who was there: the answer
is posted in every channel of the event, each asker of the question (and of the
duplicates merged into it) is told privately, and the answer is stored like any
other, with its time, so the report's "answered after the event" section and the
export's ``after_event`` column pick it up (the report module rewrites the
report when it sees the command).
"""

from __future__ import annotations

import logging

from bot.actions import DirectMessage, React, Target
from bot.commands import Invocation
from bot.module import Services
from bot.sessions import Session
from facilitation.questions.bridge import QuestionBridge
from facilitation.questions.render import short
from facilitation.questions.store import Question, QuestionStore, States

__all__ = ["LateAnswers"]

log = logging.getLogger("roundtable.questions")


class LateAnswers:
    """Answers given after an event ended."""

    def __init__(self, services: Services, store: QuestionStore, bridge: QuestionBridge) -> None:
        self.s = services
        self.store = store
        self.bridge = bridge
        self.p = services.prompts

    async def answer(self, inv: Invocation, session: Session) -> None:
        n = int(inv.args["N"])
        text = str(inv.args.get("text") or "").strip()
        if not text:
            await inv.reply(self.p("questions.late_needs_text", n=n, title=session.title))
            return
        q = await self.store.get(session.id, n)
        if q is None:
            await inv.reply(self.p("questions.late_not_found", n=n, title=session.title))
            return
        root = await self.store.root(q)
        if root.state in States.GONE:
            await inv.reply(self.p("questions.late_closed", n=root.number))
            return
        ev = inv.event
        now = self.s.clock.now()
        added = await self.store.add_answer(
            root, ev.platform, ev.message_id, ev.author, ev.display_name, text, now, "panel"
        )
        if not added:
            return  # the same command delivered twice: answered once
        who = self.p("questions.anonymous") if root.anonymous else root.asker_name or "?"
        post = self.p(
            "questions.late_answer_posted",
            title=session.title,
            n=root.number,
            who=who,
            question=short(root.text, 80),
            answer=text,
            answerer=ev.display_name,
        )
        await self.bridge.everywhere(session, post)
        await self._mark(root)
        told = await self._tell_askers(session, root, text, ev.display_name)
        await inv.tell(self.p("questions.late_thanks", n=root.number, told=told))

    async def _mark(self, root: Question) -> None:
        """A tick on the question's own message, where it was asked."""
        if root.message_id and self.s.outbox.capabilities(root.platform).reactions:
            target = Target(root.platform, root.community, root.channel, root.thread)
            emoji = self.p("questions.answer_linked")
            react = React(target=target, message_id=root.message_id, emoji=emoji)
            await self.s.outbox.send(react, root.session_id)

    async def _tell_askers(
        self, session: Session, root: Question, answer: str, answerer: str
    ) -> int:
        """Each asker of the question (merged duplicates too), privately, once per person."""
        told: set[str] = set()
        for q in await self.store.group(root):
            if not q.asker or q.state in (States.WITHDRAWN, States.DELETED, States.REJECTED):
                continue  # nobody known (anonymous without a record, or opted out)
            person = self.s.people.person_of(q.platform, q.asker)
            if person in told:
                continue
            if not self.s.outbox.capabilities(q.platform).direct_messages:
                log.info(
                    "cannot tell the asker of #%s: no direct messages on %s", q.number, q.platform
                )
                continue
            told.add(person)
            dm = DirectMessage(
                platform=q.platform,
                user=q.asker,
                community=q.community,
                text=self.p(
                    "questions.late_to_asker",
                    title=session.title,
                    n=root.number,
                    question=short(q.text, 80),
                    answer=answer,
                    answerer=answerer,
                ),
            )
            # an anonymous asker's receipt keeps no record that ties them to the question
            await self.s.outbox.send(dm, session.id, record=not q.anonymous)
        return len(told)
