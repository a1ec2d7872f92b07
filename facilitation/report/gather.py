"""Everything a report shows, read from the store: messages, questions, snapshots, ideas.

Reads through the ledger's loader, so edits, deletions, reactions and opt-outs
are handled once, the same way as in the figures and exports. Other modules'
tables are looked up before use and their absence only empties a section.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.exports import IdeaRow
from bot.sessions import Session
from facilitation.ledger.data import EventData, Message
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import PersonKey
from facilitation.report.champions import ideas_of
from facilitation.report.store import Idea, load_ideas

__all__ = ["Answer", "ReportData", "gather", "shown_names"]


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
    idea_rows: list[IdeaRow] = field(default_factory=list)
    """The ideas with their numbers, champions and news (names as the report shows them)."""
    snapshots: list[dict[str, Any]] | None = None
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    """Question id -> its answers, in order."""
    figures: dict[str, Any] | None = None
    """The ledger's figures of this event (the same as metrics.json)."""
    earlier: list[dict[str, Any]] = field(default_factory=list)
    """The figures of the earlier events of its series, oldest first."""
    series: str | None = None

    def __post_init__(self) -> None:
        self.by_id = {m.message_id: m for m in self.event.messages}
        self.reactions: Counter[str] = Counter(r.message_id for r in self.event.reactions)

    @property
    def messages(self) -> list[Message]:
        """The public messages with text, in order."""
        return [m for m in self.event.messages if m.text and not m.text.startswith("/")]

    def name(self, who: PersonKey) -> str:
        return self.event.names.get(who) or "someone"


def _id_like(name: str) -> bool:
    """A platform id given as a name ("U04AB12", "u_maya"), not a name people use."""
    return not re.fullmatch(r"[^\W\d_]+(?:[' .-][^\W\d_]+)*", name)


def shown_names(
    event: EventData,
    participant_names: str,
    pseudonym: Callable[[PersonKey], str],
    *,
    live: bool = False,
) -> dict[PersonKey, str]:
    """The one naming rule of the report: the panel and hosts by name, participants
    by first name (with an initial where two share one) or by pseudonym.

    ``live`` is for posts in the event's own channel, where everyone sees each
    other's names: a nick ("dave__") stays as people see it, never a pseudonym.
    """
    if live:
        participant_names = "first"  # a pseudonym means nothing to the people in the channel
    full = dict(event.names)
    people = event.known() | set(full)
    out: dict[PersonKey, str] = {}
    firsts: dict[str, set[PersonKey]] = {}
    for who in people:
        name = (full.get(who) or "").strip()
        if event.is_staff(who) or (live and (not name or _id_like(name))):
            out[who] = name or "someone"
        elif participant_names == "pseudonym" or not name or (name == who[1] and _id_like(name)):
            out[who] = pseudonym(who)
        else:
            firsts.setdefault(name.split()[0].casefold(), set()).add(who)
    for group in firsts.values():
        for who in group:
            words = (full.get(who) or "").split()
            first = words[0]
            if len(group) > 1 and len(words) > 1:
                first = f"{first} {words[-1][0]}."
            out[who] = first
    return out


async def gather(
    ledger: Ledger,
    session: Session,
    participant_names: str = "first",
    *,
    figures: bool = False,
    live: bool = False,
) -> ReportData:
    """Read ``session``'s material through the ledger (roles as stored, names by the rule).

    With ``figures``, also the event's figures and those of the earlier events of
    its series, as ``metrics.json`` has them. ``live``: for a post in the event's
    channel (names as people see them there, see :func:`shown_names`).
    """
    db = ledger.db
    earlier: list[dict[str, Any]] = []
    found: dict[str, Any] | None = None
    if figures:
        for past in await ledger.earlier(session):
            stored = await ledger.store.stored_metrics(past.id)
            earlier.append(stored if stored is not None else (await ledger.figures(past))[1])
        event, found = await ledger.figures(session)
    else:
        event = await ledger.load(session)
    ids = await ledger.identities(real_names=False)
    event.names = shown_names(event, participant_names, ids.pseudonym, live=live)
    for m in event.messages:
        m.author_name = event.names.get(m.author, m.author_name)
    ideas = await load_ideas(db, session.id)  # whoever opted out is gone (bot.forget)
    ideas = [
        replace(i, author_name=event.names.get((i.platform, i.author), "someone")) for i in ideas
    ]
    snapshots = await ledger.snapshots(session)
    data = ReportData(session=session, event=event, ideas=ideas, snapshots=snapshots)
    data.idea_rows = [_renamed(row, event.names) for row in await ideas_of(db, session.id)]
    data.answers = _answers(data)
    data.figures, data.earlier, data.series = found, earlier, ledger.series_name(session)
    return data


def _renamed(row: IdeaRow, names: dict[PersonKey, str]) -> IdeaRow:
    """An idea with everyone named by the report's rule (a first name where not seen)."""

    def name(who: PersonKey, stored: str) -> str:
        return names.get(who) or (stored.split() or ["someone"])[0]

    return replace(
        row,
        author_name=name(row.author, row.author_name),
        champions=tuple((who, name(who, n)) for who, n in row.champions),
        updates=tuple(replace(u, author_name=name(u.author, u.author_name)) for u in row.updates),
    )


def _answers(data: ReportData) -> dict[str, list[Answer]]:
    out: dict[str, list[Answer]] = {}
    for q in data.event.questions:
        recorded = {mid: (name, text) for mid, name, text in q.recorded_answers}
        for mid in q.answer_ids:
            m = data.by_id.get(mid)
            if m is not None and m.text and not m.text.startswith("/"):
                out.setdefault(q.id, []).append(Answer(data.name(m.author), m.text, mid))
            elif mid in recorded:  # "/answer N text": the text the queue kept
                name, text = recorded[mid]
                author = data.name(m.author) if m is not None else name
                out.setdefault(q.id, []).append(Answer(author, text, mid))
        for mid, name, text in q.recorded_answers:
            if not mid:
                out.setdefault(q.id, []).append(Answer(name, text, ""))
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
