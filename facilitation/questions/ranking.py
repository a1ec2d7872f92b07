"""Which question next: votes, time waited, and a lift for people not yet heard.

Pinned questions come first and the one being answered is shown on top; the
rest are ordered by a score: each vote and each "also asked by" counts
``vote_weight``; every ``minutes_per_point`` minutes of waiting adds a point,
so an early question with few votes is not buried for ever; and an asker who
has not had a question answered yet gets ``newcomer_bonus``, so one voice
cannot fill the whole queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facilitation.questions.config import QuestionsConfig
from facilitation.questions.store import Question, States

__all__ = ["Ranked", "rank", "score"]


@dataclass(frozen=True, slots=True)
class Ranked:
    question: Question
    votes: int
    also: int  # co-askers merged in
    newcomer: bool
    score: float

    @property
    def support(self) -> int:
        return self.votes + self.also


def score(
    votes: int, also: int, waited_minutes: float, newcomer: bool, cfg: QuestionsConfig
) -> float:
    return (
        (votes + also) * cfg.vote_weight
        + max(waited_minutes, 0.0) / cfg.minutes_per_point
        + (cfg.newcomer_bonus if newcomer else 0.0)
    )


def rank(
    entries: list[tuple[Question, int, int, bool]], now: datetime, cfg: QuestionsConfig
) -> list[Ranked]:
    """Order ``(question, votes, also, newcomer)`` entries: now-answering, pinned, score."""
    ranked = [
        Ranked(
            q,
            votes,
            also,
            newcomer,
            score(votes, also, (now - q.asked_at).total_seconds() / 60, newcomer, cfg),
        )
        for q, votes, also, newcomer in entries
    ]
    ranked.sort(
        key=lambda r: (
            r.question.state != States.NOW,
            not r.question.pinned,
            -r.score,
            r.question.number,
        )
    )
    return ranked
