"""The question queue's live export ``"board"`` (:class:`bot.exports.BoardExport`).

The queue as the dashboard shows it: every question as a card, in queue order,
ranked with the queue's own rule. Names to show, never platform user ids, and
never who asked an anonymous question.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.exports import PersonKey, QueueCard
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.ranking import rank
from facilitation.questions.store import Question, QuestionStore, States

if TYPE_CHECKING:
    from facilitation.questions.module import QuestionsModule

__all__ = ["QuestionBoard"]


class QuestionBoard:
    """:class:`bot.exports.BoardExport` over the queue's store and ranking."""

    def __init__(self, store: QuestionStore, cfg: QuestionsConfig, clock: Clock) -> None:
        self._store = store
        self._cfg = cfg
        self._clock = clock

    @classmethod
    def of(cls, module: QuestionsModule) -> QuestionBoard:
        return cls(module.store, module.cfg, module.s.clock)

    async def has(self, session_id: int, number: int) -> bool:
        return await self._store.get(session_id, number) is not None

    async def cards(self, session_id: int, viewer: PersonKey) -> list[QueueCard]:
        """Read in four queries whatever the queue's size: votes and answers for the whole
        event at once, tallied and ranked with the queue's own rule
        (:meth:`QuestionQueue.tally`, :func:`rank`), not question by question.
        """
        store = self._store
        everything = await store.in_session(session_id)
        by_id = {q.id: q for q in everything}
        votes: dict[int, set[tuple[str, str]]] = defaultdict(set)
        answers: dict[int, int] = defaultdict(int)
        for qid, voters in (await store.votes_in_session(session_id)).items():
            votes[qid] |= voters
        answers.update(await store.answer_counts(session_id))
        members: dict[int, list[Question]] = defaultdict(list)
        for q in everything:
            if q.merged_into is not None:
                members[q.merged_into].append(q)

        def tally(root: Question) -> tuple[int, int, set[tuple[str, str]]]:
            group = [g for g in (root, *members[root.id]) if g.state != States.WITHDRAWN]
            voices = {g.voice for g in group}
            voters: set[tuple[str, str]] = set().union(*(votes[g.id] for g in group))
            return len(voters - voices), len(voices) - 1, voters

        heard = await store.answered_voices(session_id)
        queued = [q for q in everything if q.state in States.QUEUED]
        ranked = rank(
            [(q, *tally(q)[:2], q.voice not in heard) for q in queued],
            self._clock.now(),
            self._cfg,
        )
        order = {r.question.id: i for i, r in enumerate(ranked)}
        cards: list[tuple[int, QueueCard]] = []
        for q in everything:
            n_votes, also, voters = tally(q) if q.merged_into is None else (0, 0, votes[q.id])
            into = by_id.get(q.merged_into) if q.merged_into is not None else None
            card = QueueCard(
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
                mine=q.asker is not None and (q.platform, q.asker) == viewer,
                voted=viewer in voters,
            )
            cards.append((order.get(q.id, len(order)), card))
        cards.sort(key=lambda pair: (pair[0], pair[1].number))
        return [card for _, card in cards]
