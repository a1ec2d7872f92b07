"""Everything a report shows, read from the store: messages, questions, snapshots, ideas.

Reads through the ledger's loader, so edits, deletions, reactions and opt-outs
are handled once, the same way as in the figures and exports. Other modules'
tables are looked up before use and their absence only empties a section.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.roles import Role
from bot.sessions import Session
from bot.store import Database
from facilitation.bots import bot_names
from facilitation.ledger.data import EventData, Message, load_event
from facilitation.ledger.sources import QuestionTables, snapshot_rows
from facilitation.ledger.store import PersonKey, table_exists
from facilitation.report.store import Idea, load_bots, load_ideas

__all__ = ["Answer", "ReportData", "gather"]

RolesOf = Callable[[str, str], frozenset[Role]]
_ROLE_ORDER = (Role.PANELLIST, Role.ORGANISER, Role.MODERATOR)


@dataclass(frozen=True, slots=True)
class Answer:
    author: str
    text: str
    message_id: str


@dataclass
class ReportData:
    """One event's material, with the names to show and nobody who opted out."""

    session: Session
    event: EventData
    ideas: list[Idea] = field(default_factory=list)
    snapshots: list[dict[str, Any]] | None = None
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    """Question id -> its answers, in order."""

    def __post_init__(self) -> None:
        self.by_id = {m.message_id: m for m in self.event.messages}
        self.reactions: Counter[str] = Counter(r.message_id for r in self.event.reactions)

    @property
    def messages(self) -> list[Message]:
        """The public messages with text, in order."""
        return [m for m in self.event.messages if m.text and not m.text.startswith("/")]

    def name(self, who: PersonKey) -> str:
        return self.event.names.get(who) or "someone"


def _main_role(roles: frozenset[Role]) -> str:
    return next((r.value for r in _ROLE_ORDER if r in roles), Role.PARTICIPANT.value)


async def gather(db: Database, session: Session, roles_of: RolesOf) -> ReportData:
    """Read ``session``'s material from ``db``."""
    tables = await QuestionTables.detect(db)
    questions = await tables.for_session(session) if tables is not None else None
    labels: dict[PersonKey, str] = {}
    if await table_exists(db, "ledger_labels"):
        for r in await db.fetchall("SELECT platform, user, label FROM ledger_labels"):
            labels[(r["platform"], r["user"])] = r["label"]
    event = await load_event(
        db,
        session,
        role_of=lambda p, u: _main_role(roles_of(p, u)),
        optouts=frozenset(),  # whoever opted out is gone from the store (bot.forget)
        labels=labels,
        questions=questions,
    )
    _drop_bots(event, await load_bots(db))
    ideas = await load_ideas(db, session.id)
    snapshots = await snapshot_rows(db, session.id)
    data = ReportData(session=session, event=event, ideas=ideas, snapshots=snapshots)
    data.answers = _answers(data)
    return data


def _drop_bots(event: EventData, marked: set[PersonKey]) -> None:
    """Other bots are not participants: their messages and reactions leave the report.

    ``marked`` are the authors their platform flagged; a log's bots are found by
    name and by what they write (``MootBot``: "ACTION received: ...").
    """
    found = bot_names(
        (event.names.get(m.author, m.author[1]), m.text or "") for m in event.messages
    )
    bots = set(marked) | {
        m.author for m in event.messages if event.names.get(m.author, m.author[1]) in found
    }
    if not bots:
        return
    event.messages = [m for m in event.messages if m.author not in bots]
    event.reactions = [r for r in event.reactions if r.author not in bots]
    for m in event.messages:
        m.mentions = tuple(p for p in m.mentions if p not in bots)


def _answers(data: ReportData) -> dict[str, list[Answer]]:
    out: dict[str, list[Answer]] = {}
    for q in data.event.questions:
        for mid in q.answer_ids:
            m = data.by_id.get(mid)
            if m is not None and m.text:
                out.setdefault(q.id, []).append(Answer(data.name(m.author), m.text, mid))
    return out


def links_of(messages: list[Message]) -> list[tuple[str, str, datetime]]:
    """Links shared: (url, who first shared it, when), first mention first."""
    seen: dict[str, tuple[str, str, datetime]] = {}
    for m in messages:
        for url in m.links:
            seen.setdefault(url, (url, m.author_name, m.ts))
    return list(seen.values())


def json_list(value: Any) -> list[str]:
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return [str(x) for x in parsed] if isinstance(parsed, list) else []
