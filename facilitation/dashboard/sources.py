"""What the dashboard reads from the other modules, turned into plain view rows.

Everything the page shows passes through here, so this is the one place that
decides what leaves the server: names to show, never platform user ids, and
never who asked an anonymous question.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.sessions import ENDED, Session
from facilitation.base import Module
from facilitation.dashboard.auth import Viewer
from facilitation.ledger.module import LedgerModule
from facilitation.questions.module import QuestionsModule
from facilitation.questions.ranking import rank
from facilitation.questions.store import Question, States
from facilitation.report.module import ReportModule
from facilitation.snapshots.module import SnapshotsModule
from facilitation.threads.module import ThreadsModule

__all__ = ["ConversationRow", "Figures", "QuestionCard", "SnapshotRow", "Sources"]


@dataclass(frozen=True, slots=True)
class QuestionCard:
    number: int
    text: str
    who: str  # a display name, or "" for an anonymous question
    anonymous: bool
    state: str
    votes: int
    also: int
    pinned: bool
    merged_into: int | None  # the number of the question it joined
    merged: tuple[int, ...]  # numbers of the questions merged into this one
    answers: int
    asked_at: datetime
    reason: str | None  # a rejection's reason (moderators only)
    mine: bool
    voted: bool


@dataclass(frozen=True, slots=True)
class ConversationRow:
    topic: str
    opening: str
    people: int
    names: tuple[str, ...]
    messages: int
    last_activity: datetime


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    number: int
    text: str
    source: str
    url: str | None
    trigger: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Figures:
    people: int
    participants: int
    new: int
    returning: int
    messages: int
    ties: int
    new_ties: int
    cross_community_ties: int
    asked: int
    answered: int
    quadrant: str
    audience: int
    depth: float
    earlier_events: int


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Sources:
    """Finds the modules the dashboard reads from, by type, among the running ones."""

    def __init__(
        self, modules: Sequence[Module], clock: Clock, *, figures_seconds: float = 15
    ) -> None:
        self._clock = clock
        self.questions = _find(modules, QuestionsModule)
        self.threads = _find(modules, ThreadsModule)
        self.snapshots = _find(modules, SnapshotsModule)
        self.ledger = _find(modules, LedgerModule)
        self.report = _find(modules, ReportModule)
        self._figures_ttl = figures_seconds
        self._figures: dict[int, tuple[float, str, Figures]] = {}

    # -- questions -------------------------------------------------------------

    async def question(self, session: Session, number: int) -> Question | None:
        if self.questions is None:
            return None
        found: Question | None = await self.questions.store.get(session.id, number)
        return found

    async def cards(self, session: Session, viewer: Viewer) -> list[QuestionCard]:
        """Every question of the event, queue order first (now, pinned, most wanted).

        Read in four queries whatever the queue's size: votes and answers for the whole
        event at once, tallied and ranked with the queue's own rule
        (:meth:`QuestionQueue.tally`, :func:`rank`), not question by question.
        """
        if self.questions is None:
            return []
        m = self.questions
        everything = await m.store.in_session(session.id)
        by_id = {q.id: q for q in everything}
        votes: dict[int, set[tuple[str, str]]] = defaultdict(set)
        answers: dict[int, int] = defaultdict(int)
        for qid, voters in (await m.store.votes_in_session(session.id)).items():
            votes[qid] |= voters
        answers.update(await m.store.answer_counts(session.id))
        members: dict[int, list[Question]] = defaultdict(list)
        for q in everything:
            if q.merged_into is not None:
                members[q.merged_into].append(q)

        def tally(root: Question) -> tuple[int, int, set[tuple[str, str]]]:
            group = [g for g in (root, *members[root.id]) if g.state != States.WITHDRAWN]
            voices = {g.voice for g in group}
            voters: set[tuple[str, str]] = set().union(*(votes[g.id] for g in group))
            return len(voters - voices), len(voices) - 1, voters

        heard = await m.store.answered_voices(session.id)
        queued = [q for q in everything if q.state in States.QUEUED]
        ranked = rank(
            [(q, *tally(q)[:2], q.voice not in heard) for q in queued],
            self._clock.now(),
            m.cfg,
        )
        order = {r.question.id: i for i, r in enumerate(ranked)}
        me = (viewer.platform, viewer.user)
        cards: list[tuple[int, QuestionCard]] = []
        for q in everything:
            n_votes, also, voters = tally(q) if q.merged_into is None else (0, 0, votes[q.id])
            into = by_id.get(q.merged_into) if q.merged_into is not None else None
            card = QuestionCard(
                number=q.number,
                text=q.text,
                who="" if q.anonymous else (q.asker_name or ""),
                anonymous=q.anonymous,
                state=q.state,
                votes=n_votes,
                also=also,
                pinned=q.pinned,
                merged_into=into.number if into is not None else None,
                merged=tuple(o.number for o in members[q.id]),
                answers=answers[q.id],
                asked_at=q.asked_at,
                reason=q.reject_reason,
                mine=q.asker is not None and (q.platform, q.asker) == me,
                voted=me in voters,
            )
            cards.append((order.get(q.id, len(order)), card))
        cards.sort(key=lambda pair: (pair[0], pair[1].number))
        return [card for _, card in cards]

    # -- conversations, snapshots ----------------------------------------------

    def conversations(self, session: Session, limit: int = 8) -> list[ConversationRow]:
        if self.threads is None:
            return []
        rows = []
        for place in session.places:
            tmap = self.threads.map_at(place)
            if tmap is None:
                continue
            for conv in tmap.open_conversations(min_messages=2):
                rows.append(
                    ConversationRow(
                        topic=", ".join(tmap.keywords(conv)) or _short(conv.opening, 40),
                        opening=_short(conv.opening, 140),
                        people=len(conv.people),
                        names=tuple(n for n, _ in conv.people.most_common(4)),
                        messages=conv.count,
                        last_activity=conv.last_activity,
                    )
                )
        rows.sort(key=lambda r: r.last_activity, reverse=True)
        return rows[:limit]

    async def pending_snapshots(self, session: Session) -> list[SnapshotRow]:
        if self.snapshots is None:
            return []
        return [
            SnapshotRow(p.id, p.said or p.passage_text, p.source, p.url, p.trigger, p.created_at)
            for p in await self.snapshots.store.posts(session.id)
            if p.state == "pending"
        ]

    # -- figures and files -------------------------------------------------------

    async def figures(self, session: Session) -> Figures | None:
        """The ledger's figures, recomputed at most every ``figures_seconds``."""
        if self.ledger is None:
            return None
        cached = self._figures.get(session.id)
        now = time.monotonic()
        fresh = cached is not None and (
            session.state == ENDED or now - cached[0] < self._figures_ttl
        )  # an ended event's figures no longer change
        if cached is not None and fresh and cached[1] == session.state:
            return cached[2]
        _, f = await self.ledger.ledger.figures(session)
        figures = _figures_of(f)
        self._figures[session.id] = (now, session.state, figures)
        return figures

    def forget_figures(self, session_id: int) -> None:
        self._figures.pop(session_id, None)


def _figures_of(f: dict[str, Any]) -> Figures:
    rel, reach, matrix = f["relationships"], f["reach"], f["matrix"]
    return Figures(
        people=int(f["audience"]["people"]),
        participants=int(f["audience"]["participants"]),
        new=int(reach["new"]),
        returning=int(reach["returning"]),
        messages=int(f["depth"]["messages"]),
        ties=int(rel["ties"]),
        new_ties=int(rel["new_ties"]),
        cross_community_ties=int(rel["cross_community_ties"]),
        asked=int(f["questions"].get("asked", 0)),
        answered=int(f["questions"].get("answered", 0)),
        quadrant=str(matrix["quadrant"]),
        audience=int(matrix["audience"]),
        depth=float(matrix["depth"]),
        earlier_events=len(reach["earlier_events"]),
    )


def _find(modules: Sequence[Module], kind: type[Any]) -> Any:
    return next((m for m in modules if isinstance(m, kind)), None)
