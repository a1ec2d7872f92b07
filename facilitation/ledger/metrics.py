"""The evaluation figures of one event, given the earlier events of its series.

Definitions (each figure is documented where it is computed):

* people: everyone who posted, reacted or asked; participants: people who are
  not panellists, moderators or organisers (the audience).
* interactions of a participant: replies to other people's messages, mentions
  of other people, and reactions to other people's messages. The matrix depth
  is their mean per participant.
* a tie: a reply or mention between two people (either direction); a new tie:
  a pair with no tie in any earlier event of the series.
* a question the room answered: a counted question that someone other than its
  asker, the panel and the hosts replied to (peer exchange).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.data import EventData, Message, Question
from facilitation.ledger.network import Pair, directed_edges, pair
from facilitation.ledger.store import PersonKey
from facilitation.ledger.tone import VOTE_EMOJI, ToneScorer

__all__ = ["PastEvent", "compute_metrics", "conversations", "person_stats", "quadrant"]


@dataclass(frozen=True, slots=True)
class PastEvent:
    """What later events of a series need to know about an earlier one."""

    slug: str
    participants: frozenset[PersonKey]
    pairs: frozenset[Pair]

    @classmethod
    def of(cls, data: EventData) -> PastEvent:
        return cls(
            data.session.slug,
            frozenset(data.participants()),
            frozenset(pair(s, t) for s, t in directed_edges(data)),
        )


def quadrant(audience: float, depth: float, cfg: LedgerConfig) -> str:
    size = "large" if audience >= cfg.audience_threshold else "small"
    kind = "deep" if depth >= cfg.depth_threshold else "shallow"
    return f"{size} and {kind}"


def _ratio(a: float, b: float, digits: int = 3) -> float | None:
    return round(a / b, digits) if b else None


def conversations(messages: Sequence[Message]) -> dict[str, list[Message]]:
    """Messages grouped by conversation.

    The threads module's conversation id is used where it is set; otherwise a
    message belongs to the conversation of the message it replies to (a reply
    chain), and a message replying to nothing starts its own.
    """
    by_id = {(m.platform, m.message_id): m for m in messages}

    def root(m: Message) -> str:
        seen: set[str] = set()
        current = m
        while True:
            if current.conversation:
                return current.conversation
            if current.reply_to is None or current.message_id in seen:
                return f"r-{current.message_id}"
            seen.add(current.message_id)
            nxt = by_id.get((current.platform, current.reply_to))
            if nxt is None:
                return f"r-{current.message_id}"
            current = nxt

    groups: dict[str, list[Message]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: m.seq):
        groups[root(m)].append(m)
    return dict(groups)


def person_stats(data: EventData) -> dict[PersonKey, dict[str, int]]:
    """Per person: messages, replies sent/received, mentions, reactions, questions."""
    stats: dict[PersonKey, Counter[str]] = defaultdict(Counter)
    author_of = {(m.platform, m.message_id): m.author for m in data.messages}
    for m in data.messages:
        s = stats[m.author]
        s["messages"] += 1
        if m.reply_to_author is not None and m.reply_to_author != m.author:
            s["replies_sent"] += 1
            stats[m.reply_to_author]["replies_received"] += 1
        for who in m.mentions:
            s["mentions_sent"] += 1
            stats[who]["mentions_received"] += 1
    for r in data.reactions:
        target = author_of.get((r.platform, r.message_id))
        if target == r.author:
            continue  # reacting to yourself is no interaction
        stats[r.author]["reactions_given"] += 1
        if target is not None:
            stats[target]["reactions_received"] += 1
    for q in data.questions:
        if q.asker is not None and q.asked:
            stats[q.asker]["questions"] += 1
    return {k: dict(v) for k, v in stats.items()}


def _question_figures(questions: Sequence[Question]) -> dict[str, Any]:
    """Asked, answered, answer rate and time to answer (merged duplicates count once)."""
    questions = [q for q in questions if q.counted]
    answered = [q for q in questions if q.answered_at is not None]
    waits = [
        (q.answered_at - q.asked_at).total_seconds()
        for q in answered
        if q.asked_at is not None and q.answered_at is not None
    ]
    return {
        "asked": len(questions),
        "answered": len(answered),
        "answer_rate": _ratio(len(answered), len(questions)),
        "median_answer_seconds": round(statistics.median(waits), 1) if waits else None,
        "mean_answer_seconds": round(statistics.fmean(waits), 1) if waits else None,
    }


def answered_by_room(data: EventData) -> int:
    """Questions that a participant other than the asker replied to."""
    repliers: dict[tuple[str, str], set[PersonKey]] = defaultdict(set)
    for m in data.messages:
        if m.reply_to is not None and not data.is_staff(m.author):
            repliers[(m.platform, m.reply_to)].add(m.author)
    return sum(
        1
        for q in data.questions
        if q.counted
        and q.message_id is not None
        and repliers.get((q.platform, q.message_id), set()) - {q.asker}
    )


def _per_platform(data: EventData, participants: set[PersonKey]) -> dict[str, Any]:
    platforms = sorted(
        {m.platform for m in data.messages}
        | {r.platform for r in data.reactions}
        | {q.platform for q in data.questions}
    )
    out: dict[str, Any] = {}
    for p in platforms:
        out[p] = {
            "participants": sum(1 for who in participants if who[0] == p),
            "messages": sum(1 for m in data.messages if m.platform == p),
            "questions": _question_figures([q for q in data.questions if q.platform == p]),
        }
    return out


def compute_metrics(
    data: EventData, *, earlier: Sequence[PastEvent], cfg: LedgerConfig, tone: ToneScorer
) -> dict[str, Any]:
    """Every figure of one event, as plain JSON-ready values."""
    s = data.session
    people = data.people()
    participants = data.participants()
    stats = person_stats(data)
    posters = {m.author for m in data.messages}
    reactors = {r.author for r in data.reactions}
    askers = {q.asker for q in data.questions if q.asker is not None and q.asked}
    members = data.members

    audience = {
        "people": len(people),
        "participants": len(participants),
        "panel_and_hosts": len(people - participants),
        "posted": len(participants & posters),
        "reacted": len(participants & reactors),
        "asked": len(participants & askers),
        "only_reacted": len((participants & reactors) - posters - askers),
        # None where the platform never told us who joined the channel
        "members_present": len(members) if members is not None else None,
        "silent_members": len(members - people) if members is not None else None,
    }

    def is_staff(who: PersonKey | None) -> bool:
        return who is not None and data.is_staff(who)

    replies = [
        m for m in data.messages if m.reply_to_author is not None and m.reply_to_author != m.author
    ]
    between = [m for m in replies if not is_staff(m.author) and not is_staff(m.reply_to_author)]
    by_participants = [m for m in data.messages if m.author in participants]
    convs = conversations(data.messages)
    sizes = sorted((len(v) for v in convs.values()), reverse=True)
    interactions = sum(
        stats.get(p, {}).get(k, 0)
        for p in participants
        for k in ("replies_sent", "mentions_sent", "reactions_given")
    )
    matrix_depth = _ratio(interactions, len(participants), 2) or 0.0
    depth = {
        "messages": len(data.messages),
        "messages_by_participants": len(by_participants),
        # messages per participant who posted (reacting-only people excluded)
        "messages_per_participant": _ratio(len(by_participants), len(participants & posters), 2),
        "replies": len(replies),
        "replies_between_participants": len(between),
        "replies_to_panel": sum(1 for m in replies if is_staff(m.reply_to_author)),
        "replies_from_panel": sum(1 for m in replies if is_staff(m.author)),
        "reciprocity": _ratio(len(between), len(replies)),
        "mentions": sum(len(m.mentions) for m in data.messages),
        "reactions": len(data.reactions),
        "conversations": len(convs),
        # how many conversations had 1, 2, 3... messages
        "conversation_sizes": {str(k): v for k, v in sorted(Counter(sizes).items())},
        "largest_conversation": sizes[0] if sizes else 0,
        "conversations_with_2plus_people": sum(
            1 for v in convs.values() if len({m.author for m in v}) >= 2
        ),
        "interactions_per_participant": matrix_depth,
    }

    seen_before: set[PersonKey] = set()
    for past in earlier:
        seen_before |= past.participants
    returning = participants & seen_before
    reach = {
        "earlier_events": [p.slug for p in earlier],
        "new": len(participants - seen_before),
        "returning": len(returning),
        "new_share": _ratio(len(participants - seen_before), len(participants)),
        "returning_from": {
            p.slug: len(returning & p.participants) for p in earlier if returning & p.participants
        },
    }

    edges = directed_edges(data)
    pairs = {pair(a, b) for a, b in edges}
    old_pairs: set[Pair] = set()
    for past in earlier:
        old_pairs |= past.pairs
    new_pairs = pairs - old_pairs
    labelled = {p for p in pairs if p[0] in data.labels and p[1] in data.labels}
    cross = {p for p in labelled if data.labels[p[0]] != data.labels[p[1]]}
    relationships = {
        "ties": len(pairs),
        "reply_ties": len({pair(a, b) for (a, b), e in edges.items() if e.replies}),
        "mention_ties": len({pair(a, b) for (a, b), e in edges.items() if e.mentions}),
        "participant_ties": sum(1 for a, b in pairs if a in participants and b in participants),
        "new_ties": len(new_pairs),
        "new_ties_share": _ratio(len(new_pairs), len(pairs)),
        "labelled_ties": len(labelled),
        "cross_community_ties": len(cross),
        "communities": dict(
            sorted(Counter(data.labels[p] for p in people if p in data.labels).items())
        ),
    }

    texts = [(m.text or "").removeprefix("/ask").strip() for m in data.messages if m.text]
    # a 👍 on a question is a vote ("me too"), not appreciation
    question_ids = {(q.platform, q.message_id) for q in data.questions if q.message_id}
    question_ids |= {(m.platform, m.message_id) for m in data.messages if m.kind == "question"}
    emoji = [
        r.emoji
        for r in data.reactions
        if r.emoji not in VOTE_EMOJI or (r.platform, r.message_id) not in question_ids
    ]
    tone_figures = tone.figures(texts, emoji).as_dict()
    return {
        "event": {
            "id": s.id,
            "slug": s.slug,
            "title": s.title,
            "series": s.series,
            "started_at": s.started_at.isoformat() if s.started_at else None,
            "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        },
        "audience": audience,
        "depth": depth,
        "questions": _question_figures(data.questions)
        | {"answered_by_room": answered_by_room(data)},
        "reach": reach,
        "relationships": relationships,
        "tone": tone_figures,
        "per_platform": _per_platform(data, participants),
        "matrix": {
            "audience": len(participants),
            "depth": matrix_depth,
            "audience_threshold": cfg.audience_threshold,
            "depth_threshold": cfg.depth_threshold,
            "quadrant": quadrant(len(participants), matrix_depth, cfg),
        },
    }
