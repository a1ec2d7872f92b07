"""Rolling summaries: when one is due, and what it says.

A digest covers the messages since the last one: the main conversations with
their gist, questions answered meanwhile and still open, and links shared.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.prompts import Prompts
from facilitation.bots import is_meeting_command
from facilitation.ledger.data import Message, Question
from facilitation.report.analysis import (
    conversations,
    tidy,
    turns_of,
    without_names,
)
from facilitation.report.config import ReportConfig
from facilitation.report.gather import links_of
from facilitation.report.summarise import ReportSummariser
from facilitation.summaries.labels import describe, label

__all__ = ["digest_text", "is_due"]

_OPEN = ("open", "now")


def is_due(now: datetime, last: datetime, messages_since: int, cfg: ReportConfig) -> bool:
    """A rolling summary is due when the cadence has passed and enough was said."""
    if cfg.cadence_minutes <= 0:
        return False
    waited = now - last >= timedelta(minutes=cfg.cadence_minutes)
    return waited and messages_since >= cfg.min_messages


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + "…"


def _numbered(questions: Sequence[Question]) -> str:
    return "; ".join(f"#{q.id} {_short(q.text or '')}" for q in questions)


async def digest_text(
    messages: Sequence[Message],
    questions: Sequence[Question],
    reactions: Counter[str],
    since: datetime,
    now: datetime,
    summariser: ReportSummariser,
    prompts: Prompts,
    cfg: ReportConfig,
) -> str | None:
    """The digest of ``messages`` (said since ``since``), or ``None`` if nothing to say."""
    recent = [
        m
        for m in messages
        if m.ts >= since
        and m.text
        and not m.text.startswith("/")
        and not is_meeting_command(m.text)  # "[ACTION] ..." is for a meeting bot
    ]
    if not recent:
        return None
    minutes = max(1, round((now - since).total_seconds() / 60))
    lines = [prompts("report.digest.heading", minutes=minutes)]
    groups = conversations(recent)[: cfg.digest_threads]
    if not groups:
        groups = [recent]  # no reply structure: one gist of everything
    themes = without_names(await summariser.keyphrases(turns_of(recent, reactions)), recent)
    names = {m.author_name for m in recent}
    for group in groups:
        texts = [m.text or "" for m in group]
        phrases = await asyncio.to_thread(describe, texts, themes, names, 2)
        topic = label(phrases)
        # The line under a topic is about that topic.
        turns = turns_of(group, reactions, names)
        gist = tidy(await summariser.gist(turns, focus=phrases), group)
        if not gist.text:
            continue
        key = "report.digest.thread" if topic else "report.digest.thread_untitled"
        lines.append(prompts(key, topic=topic, gist=gist.text))
    answered = [
        q for q in questions if q.counted and q.answered_at is not None and q.answered_at >= since
    ]
    still_open = sorted(
        (q for q in questions if q.counted and q.state in _OPEN and q.answered_at is None),
        key=lambda q: -q.votes,
    )[:3]
    if answered:
        lines.append(prompts("report.digest.answered", questions=_numbered(answered[:4])))
    if still_open:
        lines.append(prompts("report.digest.open", questions=_numbered(still_open)))
    links = [url for url, _, _ in links_of(recent)][:4]
    if links:
        lines.append(prompts("report.digest.links", links=" ".join(links)))
    return "\n".join(lines) if len(lines) > 1 else None
