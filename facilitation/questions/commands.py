"""The queue's commands: /ask, /upvote, /queue, /answer and the moderators' tools.

The router has checked roles, place and session and parsed the arguments
before a handler runs; handlers check only what depends on the question (is it
yours, is it still open).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.actions import DirectMessage, React, Target
from bot.commands import Arg, CommandSpec, Handler, Invocation
from bot.events import CommandIssued, Event
from bot.module import Services
from bot.roles import Role
from bot.sessions import Session
from facilitation.questions.bridge import QuestionBridge
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.late import LateAnswers
from facilitation.questions.queue import Asked, QuestionQueue
from facilitation.questions.render import moderator_notes, queue_text, short, votes_phrase
from facilitation.questions.store import Question, QuestionStore, States

__all__ = ["QuestionCommands"]

MODERATORS = frozenset({Role.MODERATOR})
PANEL = frozenset({Role.PANELLIST})
PANEL_OR_MODS = frozenset({Role.PANELLIST, Role.MODERATOR})
STAFF = frozenset({Role.PANELLIST, Role.MODERATOR, Role.ORGANISER})
EVERYONE = frozenset(Role)
N = Arg("N", "int")


def _has_words(text: str) -> bool:
    """Letters or digits beyond @mentions, links and emoji ("🤔🤔" or "@Pat" asks nothing)."""
    bare = re.sub(r"@\S+|<@\S+>|https?://\S+", " ", text)
    return any(ch.isalnum() for ch in bare)


class QuestionsHost(Protocol):
    """What the commands need from the module (:class:`~.module.QuestionsModule`).

    A protocol rather than the class, so the module can import the commands
    without the commands importing the module back.
    """

    s: Services
    cfg: QuestionsConfig
    store: QuestionStore
    queue: QuestionQueue
    keep_anonymous: bool
    bridge: QuestionBridge

    def place_on(self, session: Session, platform: str) -> Target | None: ...

    async def post_anonymous(self, q: Question) -> None: ...

    async def link_answer(
        self, q: Question, event: Event, message_id: str | None, text: str
    ) -> bool: ...

    async def answered_before(self, q: Question) -> str: ...

    def unrecorded_reply(self, ev: CommandIssued) -> Callable[[str], Awaitable[None]]: ...

    async def unlink(self, ev: CommandIssued) -> None: ...


class QuestionCommands:
    """Builds the command specs; each handler works on the invocation's session."""

    def __init__(self, module: QuestionsHost) -> None:
        self.m = module
        self.p = module.s.prompts
        self.late = LateAnswers(module.s, module.store, module.bridge)

    def specs(self) -> list[CommandSpec]:
        def spec(
            name: str,
            summary: str,
            handler: Handler,
            *args: Arg,
            roles: frozenset[Role] = EVERYONE,
            needs_session: bool = True,
        ) -> CommandSpec:
            return CommandSpec(
                name, summary, handler, args=args, roles=roles, needs_session=needs_session
            )

        text = Arg("text", "text")
        return [
            spec(
                "ask",
                "Ask the panel a question (in a DM to me: without your name)",
                self.ask,
                Arg("question", "text"),
            ),
            spec("upvote", "Vote for a question you want answered", self.upvote, N),
            spec("queue", "See the open questions, most wanted first", self.show_queue),
            spec(
                "withdraw",
                "Take your question out of the queue",
                self.withdraw,
                Arg("N", "int", optional=True),
            ),
            spec(
                "answer",
                "Answer a question (after the event too: everyone who was there sees it)",
                self.answer,
                N,
                Arg("text", "text", optional=True),
                roles=PANEL,
                needs_session=False,  # an ended event's open questions stay answerable
            ),
            spec("answered", "Mark a question answered", self.answered, N, roles=PANEL_OR_MODS),
            spec(
                "now",
                "Say which question the panel is answering now",
                self.now,
                N,
                roles=MODERATORS,
            ),
            spec("pin", "Pin (or unpin) a question to the top", self.pin, N, roles=MODERATORS),
            spec(
                "approve",
                "Let a waiting question into the queue",
                self.approve,
                N,
                roles=MODERATORS,
            ),
            spec(
                "reject",
                "Take a question out (the reason goes privately to the asker)",
                self.reject,
                N,
                Arg("reason", "text", optional=True),
                roles=MODERATORS,
            ),
            spec("edit", "Edit a question's text", self.edit, N, text, roles=MODERATORS),
            spec(
                "merge",
                "Merge question N into question M",
                self.merge,
                N,
                Arg("M", "int"),
                roles=MODERATORS,
            ),
            spec("split", "Undo a merge", self.split, N, roles=MODERATORS),
            spec("reopen", "Put a question back in the queue", self.reopen, N, roles=MODERATORS),
        ]

    # -- helpers ---------------------------------------------------------------

    async def _find(self, inv: Invocation, key: str = "N") -> Question | None:
        assert inv.session is not None
        n = int(inv.args[key])
        q = await self.m.store.get(inv.session.id, n)
        if q is None:
            await inv.reply(self.p("questions.not_found", n=n))
        return q

    async def _ack(self, inv: Invocation, text: str) -> None:
        """A tick on the command where reactions exist, else a short private reply."""
        ev = inv.event
        if ev.message_id and not ev.private and self.m.s.outbox.capabilities(ev.platform).reactions:
            react = React(target=Target.of(ev), message_id=ev.message_id, emoji="✅")
            await self.m.s.outbox.send(react, inv.session.id if inv.session else None)
        else:
            await inv.tell(text)

    async def _why_closed(self, q: Question) -> str:
        """Why question ``q`` takes no votes, in words (merged, withdrawn, answered...)."""
        root = await self.m.store.root(q)
        if root.id != q.id and root.state in States.QUEUED:
            return self.p("questions.vote_merged", n=q.number, into=root.number)
        state = root.state if root.id != q.id else q.state
        key = {
            States.ANSWERED: "questions.vote_answered",
            States.WITHDRAWN: "questions.vote_withdrawn",
            States.DELETED: "questions.vote_withdrawn",
            States.REJECTED: "questions.vote_rejected",
            States.PENDING: "questions.vote_pending",
        }.get(state, "questions.vote_closed")
        return self.p(key, n=root.number)

    # -- everyone --------------------------------------------------------------

    async def ask(self, inv: Invocation) -> None:
        ev, session = inv.event, inv.session
        assert session is not None
        text = str(inv.args["question"]).strip()
        if not _has_words(text):
            await inv.reply(self.p("questions.no_words"))
            return
        if len(text) > self.m.cfg.max_length:
            await inv.reply(self.p("questions.too_long", limit=self.m.cfg.max_length))
            return
        where = self.m.place_on(session, ev.platform) if ev.private else Target.of(ev)
        if where is None:
            await inv.reply(self.p("questions.anonymous_no_event"))
            return
        asked = Asked(
            session.id,
            ev.platform,
            where.community,
            where.channel,
            where.thread,
            ev.author,
            ev.display_name,
            text,
            None if ev.private else ev.message_id,
            "private" if ev.private else "ask",
            anonymous=ev.private,
            exempt=bool(inv.roles & STAFF),
        )
        outcome = await self.m.queue.submit(asked)
        q, kind = outcome.question, outcome.kind
        prefix = "anonymous_" if ev.private else ""
        unlinked = ev.private and not self.m.keep_anonymous
        reply = self.m.unrecorded_reply(ev) if unlinked else inv.reply
        if kind == "limited" or q is None:
            await reply(self.p("questions.limited"))
        elif kind == "repeat":
            await reply(self.p("questions.repeat", n=q.number))
        elif kind == "merged_answered":
            await reply(await self.m.answered_before(q))
        elif kind == "merged":
            await reply(self.p(f"questions.{prefix}merged", n=q.number, also=outcome.also))
        elif kind == "pending":
            await reply(self.p(f"questions.{prefix or 'added_'}pending", n=q.number))
        else:
            if ev.private:
                await self.m.post_anonymous(q)
            else:
                await self.m.bridge.announce(session, q, Target.of(ev))
            emoji = self.m.cfg.upvote_emoji[0] if self.m.cfg.upvote_emoji else "👍"
            await reply(self.p(f"questions.{prefix}added", n=q.number, emoji=emoji))
        if unlinked:
            await self.m.unlink(ev)

    async def upvote(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        ev = inv.event
        result = await self.m.queue.vote(q, ev.platform, ev.author, "command")
        if result == "counted":
            root = await self.m.store.root(q)
            tally = await self.m.queue.tally(root)
            await self._ack(
                inv,
                self.p("questions.voted", n=root.number, votes=votes_phrase(self.p, tally.votes)),
            )
        elif result == "own":
            await inv.tell(self.p("questions.own_question"))
        elif result == "already":
            await inv.tell(self.p("questions.already_voted", n=q.number))
        else:
            await inv.tell(await self._why_closed(q))

    async def show_queue(self, inv: Invocation) -> None:
        assert inv.session is not None
        ranked = await self.m.queue.ranked(inv.session.id)
        pending: list[Question] = []
        similar: list[tuple[int, int]] = []
        if inv.has(Role.MODERATOR):
            everything = await self.m.store.in_session(inv.session.id)
            pending = [q for q in everything if q.state == States.PENDING]
            similar = [
                (a.number, b.number) for a, b in await self.m.store.suggestions(inv.session.id)
            ]
        if not (inv.has(Role.MODERATOR) and not inv.event.private):
            await inv.reply(queue_text(self.p, ranked, pending, self.m.cfg.queue_length, similar))
            return
        # a moderator showing the queue shows it to the whole event; their notes
        # (waiting for approval, possible duplicates) go to them alone
        public = queue_text(self.p, ranked, [], self.m.cfg.queue_length, [])
        await inv.reply(public)
        notes = moderator_notes(self.p, pending, similar)
        if notes:
            await inv.tell(notes)
        await self.m.bridge.everywhere(inv.session, public, skip=Target.of(inv.event))

    async def withdraw(self, inv: Invocation) -> None:
        assert inv.session is not None
        ev = inv.event
        if inv.args.get("N") is None:
            withdrawable = States.LIVE | {States.MERGED}
            mine = [
                q
                for q in await self.m.store.in_session(inv.session.id)
                if q.asker == ev.author and q.platform == ev.platform and q.state in withdrawable
            ]
            if not mine:
                await inv.reply(self.p("questions.nothing_to_withdraw"))
                return
            q: Question | None = mine[-1]
        else:
            q = await self._find(inv)
        if q is None:
            return
        if not (q.asker == ev.author and q.platform == ev.platform) and not inv.has(Role.MODERATOR):
            await inv.reply(self.p("questions.only_asker", n=q.number))
            return
        await self.m.store.update(q.id, state=States.WITHDRAWN, pinned=0)
        await self._ack(inv, self.p("questions.withdrawn", n=q.number))

    # -- panel -----------------------------------------------------------------

    async def answer(self, inv: Invocation) -> None:
        if inv.session is None:
            ended = self.m.s.sessions.ended_for(inv.event)
            if ended is None:
                await inv.reply(self.p("core.no_event"))
                return
            await self.late.answer(inv, ended)
            return
        q = await self._find(inv)
        if q is None:
            return
        linked = await self.m.link_answer(
            q, inv.event, inv.event.message_id, str(inv.args.get("text") or "")
        )
        if not linked:
            await inv.reply(await self._why_closed(q))
            return
        answer = str(inv.args.get("text") or "").strip()
        if answer:
            root = await self.m.store.root(q)
            who = self.p("questions.anonymous") if root.anonymous else root.asker_name or "?"
            text = self.p(
                "questions.answer_posted",
                n=root.number,
                who=who,
                question=short(root.text, 60),
                answer=answer,
                answerer=inv.event.display_name,
            )
            await inv.reply(text)
            if not inv.event.private:
                await self.m.bridge.everywhere(inv.session, text, skip=Target.of(inv.event))
        else:
            await self._ack(inv, self.p("questions.marked_answered", n=q.number))

    async def answered(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        root = await self.m.store.root(q)
        now = self.m.s.clock.now()
        await self.m.store.update(
            root.id,
            state=States.ANSWERED,
            pinned=0,
            answered_at=now,
            first_answer_at=root.first_answer_at or now,
        )
        await inv.reply(self.p("questions.marked_answered", n=root.number))

    # -- moderators ------------------------------------------------------------

    async def now(self, inv: Invocation) -> None:
        assert inv.session is not None
        q = await self._find(inv)
        if q is None:
            return
        root = await self.m.store.root(q)
        for other in await self.m.store.in_session(inv.session.id):
            if other.state == States.NOW and other.id != root.id:
                await self.m.store.update(other.id, state=States.OPEN)
        await self.m.store.update(root.id, state=States.NOW)
        who = self.p("questions.anonymous") if root.anonymous else root.asker_name or "?"
        text = short(root.text, 200)
        said = self.p("questions.now_answering", n=root.number, text=text, who=who)
        await inv.reply(said)
        if not inv.event.private:
            await self.m.bridge.everywhere(inv.session, said, skip=Target.of(inv.event))

    async def pin(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        root = await self.m.store.root(q)
        await self.m.store.update(root.id, pinned=0 if root.pinned else 1)
        key = "questions.unpinned" if root.pinned else "questions.pinned"
        await inv.reply(self.p(key, n=root.number))

    async def approve(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        if q.state != States.PENDING:
            await inv.reply(self.p("questions.not_pending", n=q.number))
            return
        await self.m.store.update(q.id, state=States.OPEN)
        if q.anonymous:
            await self.m.post_anonymous(q)
        elif inv.session is not None:
            await self.m.bridge.announce(inv.session, q, Target(q.platform, q.community, q.channel))
        await inv.reply(self.p("questions.approved", n=q.number))

    async def reject(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        reason = inv.args.get("reason")
        await self.m.store.update(q.id, state=States.REJECTED, pinned=0, reject_reason=reason)
        if q.asker:
            key = "questions.rejected_reason" if reason else "questions.rejected_to_asker"
            dm = DirectMessage(
                platform=q.platform,
                user=q.asker,
                community=q.community,
                text=self.p(key, n=q.number, reason=reason or ""),
            )
            await self.m.s.outbox.send(dm, q.session_id)
        await inv.reply(self.p("questions.rejected", n=q.number))

    async def edit(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        text = str(inv.args["text"])
        await self.m.store.update(q.id, text=text)
        self.m.queue.forget_vector(q.id)
        await inv.reply(self.p("questions.edited", n=q.number, text=short(text, 200)))

    async def merge(self, inv: Invocation) -> None:
        q = await self._find(inv)
        into = await self._find(inv, "M") if q is not None else None
        if q is None or into is None:
            return
        target = await self.m.store.root(into)
        if (await self.m.store.root(q)).id == target.id:
            await inv.reply(self.p("questions.merge_same"))
            return
        await self.m.store.merge(q.id, target.id)
        self.m.queue.forget_vector(q.id)
        tally = await self.m.queue.tally(target)
        await inv.reply(
            self.p("questions.merged_by_hand", n=q.number, into=target.number, also=tally.also)
        )

    async def split(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        if q.merged_into is None:
            await inv.reply(self.p("questions.not_merged", n=q.number))
            return
        await self.m.store.update(q.id, merged_into=None, state=States.OPEN)
        await inv.reply(self.p("questions.split", n=q.number))

    async def reopen(self, inv: Invocation) -> None:
        q = await self._find(inv)
        if q is None:
            return
        await self.m.store.update(q.id, state=States.OPEN, merged_into=None)
        await inv.reply(self.p("questions.reopened", n=q.number))
