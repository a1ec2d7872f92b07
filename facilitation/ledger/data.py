"""One event's participation, read from the log into plain records.

Edits and deletions are applied, reactions netted (added minus removed),
private messages to the bot left out, and anyone who opted out removed, also
from other people's mentions. Figures and exports are computed from this.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.exports import Question
from bot.sessions import Session
from bot.store import Database
from facilitation.ledger.store import PersonKey

__all__ = ["EventData", "Message", "Question", "Reaction", "load_event"]

STAFF_ROLES = frozenset({"panellist", "moderator", "organiser"})
RoleOf = Callable[[str, str], str]
"""``role_of(platform, user)``: the person's main role name ("participant" if none)."""


@dataclass(slots=True)
class Message:
    """A public message of the event (an ``/ask`` typed in the channel counts)."""

    seq: int
    platform: str
    message_id: str
    channel: str
    thread: str | None
    conversation: str | None
    ts: datetime
    author: PersonKey
    author_name: str
    text: str | None
    reply_to: str | None
    mentions: tuple[PersonKey, ...]
    links: tuple[str, ...]
    kind: str = "message"
    edited: bool = False
    reply_to_author: PersonKey | None = None


@dataclass(frozen=True, slots=True)
class Reaction:
    platform: str
    message_id: str
    author: PersonKey
    emoji: str
    ts: datetime


@dataclass(slots=True)
class EventData:
    session: Session
    messages: list[Message] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    members: set[PersonKey] | None = None
    names: dict[PersonKey, str] = field(default_factory=dict)
    roles: dict[PersonKey, str] = field(default_factory=dict)
    labels: dict[PersonKey, str] = field(default_factory=dict)

    def is_staff(self, who: PersonKey) -> bool:
        return self.roles.get(who, "participant") in STAFF_ROLES

    def people(self) -> set[PersonKey]:
        """Everyone who posted, reacted or asked (panel and moderators included)."""
        found = {m.author for m in self.messages} | {r.author for r in self.reactions}
        found |= {q.asker for q in self.questions if q.asker is not None and q.asked}
        return found

    def participants(self) -> set[PersonKey]:
        """The audience: people who took part, not counting the panel and moderators."""
        return {p for p in self.people() if not self.is_staff(p)}

    def known(self) -> set[PersonKey]:
        """People active or mentioned: the nodes of the network."""
        found = self.people()
        for m in self.messages:
            found.update(m.mentions)
        return found


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def load_event(
    db: Database,
    session: Session,
    *,
    role_of: RoleOf,
    optouts: Container[PersonKey],
    labels: dict[PersonKey, str],
    questions: Sequence[Question] | None = None,
) -> EventData:
    """Read ``session``'s part of the log.

    Args:
        db: the store.
        session: the event.
        role_of: the role of a person, to tell the panel from the audience.
        optouts: people to leave out entirely.
        labels: community labels people gave with ``/iam``.
        questions: the event's questions from the question queue; ``None`` (no
            queue in this store) derives them from ``/ask`` answered by a panel reply.
    """
    rows = await db.fetchall(
        "SELECT seq, platform, kind, channel, thread, author, author_name, message_id, reply_to,"
        " ts, text, mentions, links, emoji, private, conversation FROM events"
        " WHERE session_id = ? ORDER BY seq",
        (session.id,),
    )
    data = EventData(session=session)
    by_id: dict[tuple[str, str], Message] = {}
    reactions: dict[tuple[str, str, PersonKey, str], Reaction] = {}
    deleted: set[tuple[str, str]] = set()
    asks: list[Message] = []
    for r in rows:
        platform, kind = r["platform"], r["kind"]
        author: PersonKey = (platform, r["author"])
        if author in optouts or r["private"] or not r["author"]:
            continue
        name = r["author_name"]
        if name and (name != r["author"] or author not in data.names):
            data.names[author] = name  # a real name beats a bare id (reactions may lack one)
        mid = r["message_id"]
        if kind == "MessagePosted" or (kind == "CommandIssued" and _is_ask(r["text"])):
            if mid is None:
                continue
            mentions = tuple(
                (platform, u) for u in _list(r["mentions"]) if (platform, u) not in optouts
            )
            msg = Message(
                seq=r["seq"],
                platform=platform,
                message_id=mid,
                channel=r["channel"],
                thread=r["thread"],
                conversation=r["conversation"],
                ts=_dt(r["ts"]),
                author=author,
                author_name=r["author_name"],
                text=r["text"],
                reply_to=r["reply_to"],
                mentions=tuple(m for m in mentions if m != author),
                links=tuple(_list(r["links"])),
                kind="message" if kind == "MessagePosted" else "question",
            )
            by_id[(platform, mid)] = msg
            if msg.kind == "question":
                asks.append(msg)
        elif kind == "MessageEdited" and (platform, mid) in by_id:
            msg = by_id[(platform, mid)]
            msg.text, msg.edited = r["text"], True
            msg.mentions = tuple(
                (platform, u)
                for u in json.loads(r["mentions"])
                if (platform, u) not in optouts and (platform, u) != msg.author
            )
            msg.links = tuple(json.loads(r["links"]))
        elif kind == "MessageDeleted" and mid is not None:
            deleted.add((platform, mid))
        elif kind == "ReactionAdded" and mid is not None:
            key = (platform, mid, author, r["emoji"] or "")
            reactions.setdefault(key, Reaction(platform, mid, author, key[3], _dt(r["ts"])))
        elif kind == "ReactionRemoved" and mid is not None:
            reactions.pop((platform, mid, author, r["emoji"] or ""), None)
    data.messages = [m for k, m in by_id.items() if k not in deleted]
    data.reactions = [x for x in reactions.values() if (x.platform, x.message_id) not in deleted]
    for m in data.messages:
        if m.reply_to is not None:
            target = by_id.get((m.platform, m.reply_to))
            if target is not None and (m.platform, m.reply_to) not in deleted:
                m.reply_to_author = target.author
    people = data.people() | {p for m in data.messages for p in m.mentions}
    data.roles = {p: role_of(*p) for p in people}
    data.labels = {p: labels[p] for p in people if p in labels}
    if questions is None:
        data.questions = _asked_in_chat(data, asks)
    else:
        data.questions = [q for q in questions if q.asker not in optouts]
        data.roles.update({q.asker: role_of(*q.asker) for q in data.questions if q.asker})
    data.members = await _members(db, session, optouts, data.people())
    return data


def _list(value: str | None) -> list[str]:
    if not value or value == "[]":
        return []  # most rows: skip the parser
    parsed: list[str] = json.loads(value)
    return parsed


def _is_ask(text: str | None) -> bool:
    return bool(text) and (text == "/ask" or str(text).startswith("/ask "))


def _asked_in_chat(data: EventData, asks: list[Message]) -> list[Question]:
    """Questions when there is no question queue: ``/ask`` answered by a panel reply."""
    replies: dict[tuple[str, str], list[Message]] = {}
    for m in data.messages:
        if m.reply_to is not None and data.roles.get(m.author) == "panellist":
            replies.setdefault((m.platform, m.reply_to), []).append(m)
    out = []
    for ask in asks:
        answers = sorted(replies.get((ask.platform, ask.message_id), []), key=lambda m: m.ts)
        out.append(
            Question(
                id=ask.message_id,
                platform=ask.platform,
                asker=ask.author,
                text=(ask.text or "").removeprefix("/ask").strip() or None,
                asked_at=ask.ts,
                answered_at=answers[0].ts if answers else None,
                state="answered" if answers else "open",
                message_id=ask.message_id,
                answer_ids=tuple(a.message_id for a in answers),
            )
        )
    return out


async def _members(
    db: Database, session: Session, optouts: Container[PersonKey], active: set[PersonKey]
) -> set[PersonKey] | None:
    """Who was in the channel during the event, where the platform tells us joins.

    Replays joins and leaves in the event's places up to its end; anyone in
    the channel when it started, or who joined during it, was present.
    Returns ``None`` when no join or leave was ever seen there.
    """
    if not session.places:
        return None
    clauses = " OR ".join(
        "(platform = ? AND (community = ? OR ? = '*') AND channel = ?)" for _ in session.places
    )
    params: list[str] = []
    for place in session.places:  # a planned place may not know its community ("*")
        platform, community, channel = place.split(":", 2)
        params += [platform, community, community, channel]
    rows = await db.fetchall(
        "SELECT platform, author, kind, ts FROM events WHERE kind IN ('MemberJoined',"
        f" 'MemberLeft') AND ({clauses}) ORDER BY seq",
        params,
    )
    if not rows:
        return None
    start, end = session.started_at, session.ended_at
    inside: set[PersonKey] = set()
    present: set[PersonKey] = set()
    started = False
    for r in rows:
        ts = _dt(r["ts"])
        if end is not None and ts > end:
            break
        if not started and (start is None or ts >= start):
            present |= inside
            started = True
        who: PersonKey = (r["platform"], r["author"])
        if r["kind"] == "MemberJoined":
            inside.add(who)
            if started:
                present.add(who)
        else:
            inside.discard(who)
    if not started:
        present |= inside
    return {p for p in present | active if p not in optouts}
