"""Texts of the queue: /queue and the end-of-event list (all words from prompts/)."""

from __future__ import annotations

from bot.prompts import Prompts
from facilitation.questions.ranking import Ranked
from facilitation.questions.store import Question, States

__all__ = ["moderator_notes", "queue_text", "short", "summary_text", "votes_phrase"]


def short(text: str, limit: int = 110) -> str:
    """One line of at most ``limit`` characters, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def votes_phrase(prompts: Prompts, votes: int) -> str:
    return prompts("questions.votes", count=votes)


def _details(prompts: Prompts, r: Ranked) -> str:
    q = r.question
    parts = [prompts("questions.anonymous") if q.anonymous else q.asker_name or "?"]
    parts.append(votes_phrase(prompts, r.votes))
    if r.also:
        parts.append(prompts("questions.also_asked", count=r.also))
    return " · ".join(parts)


def queue_text(
    prompts: Prompts,
    ranked: list[Ranked],
    pending: list[Question],
    limit: int,
    similar: list[tuple[int, int]] | None = None,
) -> str:
    """The ranked open questions (now answering first, then pinned, then by score).

    ``pending`` and ``similar`` (suggested merges) are shown to moderators only.
    """
    if not ranked and not pending:
        return prompts("questions.queue_empty")
    lines = [prompts("questions.queue_header")] if ranked else []
    for r in ranked[:limit]:
        q = r.question
        mark = "▶️ " if q.state == States.NOW else "📌 " if q.pinned else ""
        lines.append(
            prompts(
                "questions.queue_line",
                mark=mark,
                n=q.number,
                text=short(q.text, 90),
                details=_details(prompts, r),
            )
        )
    if len(ranked) > limit:
        lines.append(prompts("questions.queue_more", count=len(ranked) - limit))
    notes = moderator_notes(prompts, pending, similar or [])
    return "\n".join([*lines, notes] if notes else lines)


def moderator_notes(
    prompts: Prompts, pending: list[Question], similar: list[tuple[int, int]]
) -> str:
    """What only moderators see under the queue: questions awaiting approval, and
    suggested merges with the ``/merge N M`` to type ("" when there is none)."""
    lines = []
    if pending:
        numbers = ", ".join(f"#{q.number}" for q in pending)
        lines.append(prompts("questions.queue_pending", numbers=numbers))
    for n, into in similar:
        lines.append(prompts("questions.queue_similar", n=n, into=into))
    return "\n".join(lines)


def summary_text(
    prompts: Prompts, questions: list[Question], open_ranked: list[Ranked], limit: int = 10
) -> str:
    """What was answered and what was left open, for the end of the event."""
    done = [q for q in questions if q.state == States.ANSWERED and q.merged_into is None]
    answered = [q for q in done if q.answered_by != "room"]
    by_room = [q for q in done if q.answered_by == "room"]
    if not done and not open_ranked:
        return prompts("questions.summary_none")
    lines: list[str] = []
    for key, group in (("summary_answered", answered), ("summary_room", by_room)):
        if not group:
            continue
        if lines:
            lines.append("")
        lines.append(prompts(f"questions.{key}", count=len(group)))
        lines += [
            prompts("questions.summary_line", n=q.number, text=short(q.text, 90))
            for q in group[:limit]
        ]
        if len(group) > limit:
            lines.append(prompts("questions.queue_more", count=len(group) - limit))
    if open_ranked:
        if lines:
            lines.append("")
        lines.append(prompts("questions.summary_open", count=len(open_ranked)))
        lines += [
            prompts("questions.summary_line", n=r.question.number, text=short(r.question.text, 90))
            for r in open_ranked[:limit]
        ]
        if len(open_ranked) > limit:
            lines.append(prompts("questions.queue_more", count=len(open_ranked) - limit))
        lines.append(prompts("questions.summary_invite"))
    return "\n".join(lines)
