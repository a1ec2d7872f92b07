"""Which question does a panellist's message answer, when it is not a reply?

Panellists rarely use the platform's reply button. They answer by naming the
asker ("Sam, on that point: …", "hannes yuki: planned…"), by answering right
after the question, or by carrying on in a second message. They also say "I'll
come back to that", which is not an answer. :func:`pick` applies, in order:

1. a holding reply links nothing;
2. the askers named at the start of the message (or @mentioned): their latest
   question not yet answered by the panel, or, failing that, the one they asked
   in the last ``recent`` minutes (a repeat merged into an answered question);
3. a second message by the same panellist within ``follow`` minutes of an answer
   continues it, unless it names someone else;
4. a substantial message (``min_words``) links to the latest question asked in
   the last ``follow`` minutes that the panel has not answered.

A participant's reply to a question, long enough to say something, is recorded
as an answer from the room (see :func:`room_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from facilitation.questions.detect import is_question
from facilitation.questions.store import Question, States

__all__ = ["Recent", "is_holding", "named_at_start", "pick", "room_answer"]

_HOLDING = re.compile(
    r"(?:\b(?:i'?ll|i\s+will|let\s+me|we'?ll|will)\s+(?:come\s+back|get\s+back|get\s+to|circle\s+back|"
    r"return\s+to|answer\s+(?:that|this|it|you)?\s*(?:in|after|later)|answer\s+in)|"
    r"\bgive\s+me\s+(?:a|one)\s+(?:sec|second|moment|minute|min|few)|"
    r"\bin\s+a\s+(?:sec|second|moment|minute|min|bit)\b|\blet\s+me\s+(?:finish|find|check|think|look)|"
    r"\bhold\s+that\s+thought|\bbear\s+with\s+me|\bone\s+sec\b|\bneed\s+to\s+(?:remember|check|look)|"
    r"\bstill\s+(?:thinking|looking))",
    re.I,
)
_WORD = re.compile(r"[\w']+")
_LEAD = re.compile(r"^(?:ok|okay|so|and|also|right|ah|oh|yes|hi|hey)\b[\s,!:]*", re.I)


@dataclass(frozen=True, slots=True)
class Recent:
    """The panellist's last linked answer, for continuations."""

    question_id: int
    at: datetime


def is_holding(text: str, staff_names: Iterable[str] = ()) -> bool:
    """ "I'll come back to that", "give me a sec", or handing over ("…, mei?")."""
    words = _WORD.findall(text)
    if len(words) > 30:
        return False
    if _HOLDING.search(text):
        return True
    last = re.search(r"([\w']+)\s*\?\s*\W*$", text)
    return last is not None and last.group(1).lower() in {n.lower() for n in staff_names}


def named_at_start(text: str, names: dict[str, str], window: int = 4) -> list[str]:
    """Authors whose name opens ``text`` ("Chloe and Elif, …") or is @mentioned anywhere.

    ``names`` maps a lower-case first name to an author id.
    """
    found: list[str] = []
    for m in re.finditer(r"@([\w.\-]+)", text):
        who = names.get(m.group(1).lower())
        if who and who not in found:
            found.append(who)
    head = _LEAD.sub("", text.strip())
    for tok in re.findall(r"[\w'’.\-]+|[,:;!?&]", head)[: window * 2]:
        word = re.sub(r"['’]s$", "", tok.lower()).rstrip(".")
        who = names.get(word)
        if who:
            if who not in found:
                found.append(who)
        elif word not in {"and", "&", ",", ":", "dr", "mr", "ms", "mrs", "prof"}:
            break
    return found


def _panel_open(q: Question) -> bool:
    """In the queue, or queued and then answered by the room (the panel may still take it
    up); a room question (never queued) only takes a panellist's reply."""
    return q.state in States.QUEUED or (
        q.state == States.ANSWERED and q.answered_by == "room" and q.source != "room"
    )


def pick(
    text: str,
    author: str,
    now: datetime,
    questions: Sequence[Question],
    roots: dict[int, Question],
    names: dict[str, str],
    recent: Recent | None,
    *,
    staff_names: Iterable[str] = (),
    follow_minutes: float = 4.0,
    recent_minutes: float = 10.0,
    min_words: int = 6,
) -> list[Question]:
    """The questions (roots) a panellist's unreplied message answers; empty for none.

    ``questions`` are the session's questions in order, ``roots`` maps each id to
    the question it was merged into (itself when not merged).
    """
    if is_holding(text, staff_names):
        return []
    words = _WORD.findall(text)
    if is_question(text) and len(words) < 12:
        return []
    asked = [q for q in questions if q.asker and q.state not in States.GONE]
    out: list[Question] = []
    for who in [a for a in named_at_start(text, names) if a != author]:
        theirs = [q for q in asked if q.asker == who]
        fresh = [q for q in theirs if (now - q.asked_at) <= timedelta(minutes=recent_minutes)]
        waiting = [q for q in theirs if _panel_open(roots[q.id])]
        chosen = _closest(text, waiting + [q for q in fresh if q not in waiting])
        if chosen is not None and roots[chosen.id] not in out:
            out.append(roots[chosen.id])
    if out:
        return out
    if len(words) >= min_words:
        # a name later in the message ("Every season, Wanjiru, …"), if they are waiting
        for who in {a for a in _named_anywhere(text, names) if a != author}:
            waiting = [q for q in asked if q.asker == who and _panel_open(roots[q.id])]
            chosen = _closest(text, waiting)
            if chosen is not None and roots[chosen.id] not in out:
                out.append(roots[chosen.id])
        if out:
            return out
    if recent is not None and (now - recent.at) <= timedelta(minutes=follow_minutes):
        root = next((r for r in roots.values() if r.id == recent.question_id), None)
        if root is not None and len(words) >= min_words:
            return [root]
    if len(words) < min_words:
        return []
    window = now - timedelta(minutes=follow_minutes)
    for q in reversed(asked):
        if q.asked_at < window:
            break
        if _panel_open(roots[q.id]):
            return [roots[q.id]]
    return []


_STOP = frozenset(
    "the a an and or but to of in on for with is are was were be do does did can could would "
    "should will you your i my we our it this that there what how why when where which who "
    "if so as at by from about just really very some any not no yes".split()
)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _closest(text: str, candidates: list[Question]) -> Question | None:
    """The candidate sharing most words with ``text``; the latest on a tie."""
    if not candidates:
        return None
    mine = _stems(text)
    ranked = sorted(candidates, key=lambda q: (len(mine & _stems(q.text)), q.asked_at))
    return ranked[-1]


def _named_anywhere(text: str, names: dict[str, str]) -> list[str]:
    found = []
    for tok in _WORD.findall(text.lower()):
        who = names.get(re.sub(r"'s$", "", tok))
        if who and who not in found:
            found.append(who)
    return found


def room_answer(text: str, min_words: int = 6) -> bool:
    """Does a participant's reply to a question answer it (not thanks, +1 or a question)?"""
    words = _WORD.findall(text)
    return len(words) >= min_words and not is_question(text)
