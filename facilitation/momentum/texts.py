"""The words of the follow-up and "since last time" posts (templates in prompts/momentum.toml)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.exports import IdeaRow, Question
from bot.prompts import Prompts

__all__ = ["followup_text", "open_questions", "since_text", "what_days"]

OPEN = ("open", "now")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def open_questions(questions: Sequence[Question]) -> list[Question]:
    """Questions still waiting for the panel (not merged, withdrawn or answered)."""
    return [q for q in questions if q.counted and q.state in OPEN and q.text]


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _idea_lines(p: Prompts, ideas: Sequence[IdeaRow], since: datetime | None) -> list[str]:
    lines = []
    for idea in ideas:
        names = [n for _, n in idea.champions]
        news = [u for u in idea.updates if since is None or u.ts > since]
        if names and news:
            last = news[-1]
            lines.append(
                p(
                    "momentum.idea_news",
                    n=idea.number,
                    text=_short(idea.text, 70),
                    champions=_and(names),
                    news=_short(last.text, 140),
                    who=last.author_name,
                    when=f"{last.ts:%d %b}",
                )
            )
        elif names:
            lines.append(
                p(
                    "momentum.idea_championed",
                    n=idea.number,
                    text=_short(idea.text, 70),
                    champions=_and(names),
                )
            )
        else:
            lines.append(p("momentum.idea_open", n=idea.number, text=_short(idea.text, 70)))
    return lines


def what_days(days: float) -> str:
    return f"{days:g}"


def followup_text(
    p: Prompts,
    title: str,
    days: float,
    ideas: Sequence[IdeaRow],
    questions: Sequence[Question],
    limit: int = 8,
) -> str | None:
    """The follow-up post ``days`` after the end, or ``None`` when there is nothing to follow."""
    waiting = open_questions(questions)
    if not ideas and not waiting:
        return None
    lines = [p("momentum.followup_heading", title=title, days=round(days))]
    if ideas:
        lines.append(p("momentum.ideas_heading"))
        lines += _idea_lines(p, ideas[:limit], None)
    if waiting:
        lines.append(p("momentum.open_heading", count=len(waiting)))
        lines += [
            p("momentum.open_line", n=q.id, text=_short(q.text or "", 90)) for q in waiting[:limit]
        ]
        lines.append(p("momentum.open_invite"))
    if any(i.champions for i in ideas):
        lines.append(p("momentum.ask_champions"))
    elif ideas:
        lines.append(p("momentum.ask_for_champions"))
    return "\n".join(lines)


def since_text(
    p: Prompts,
    previous: str,
    answered_later: Sequence[Question],
    ideas: Sequence[IdeaRow],
    back: Sequence[str],
    limit: int = 6,
    *,
    named: bool = True,
) -> str | None:
    """The "since last time" post, or ``None`` when there is nothing to say."""
    moving = [i for i in ideas if i.champions or i.updates]
    if not answered_later and not moving and not back:
        return None
    lines = [p("momentum.since_heading", title=previous)]
    if answered_later:
        lines.append(p("momentum.since_answered", count=len(answered_later)))
        lines += [
            p("momentum.open_line", n=q.id, text=_short(q.text or "", 90))
            for q in answered_later[:limit]
        ]
    if moving:
        lines.append(p("momentum.ideas_heading"))
        lines += _idea_lines(p, moving[:limit], None)
    if back and not named:  # participants go by pseudonym: a count, no names
        lines.append(p("momentum.welcome_back_count", count=len(back)))
    elif back:
        shown = list(back[:5])
        more = len(back) - len(shown)
        names = _and(shown) if not more else ", ".join(shown) + p("momentum.and_more", count=more)
        lines.append(p("momentum.welcome_back", names=names, count=len(back)))
    return "\n".join(lines)
