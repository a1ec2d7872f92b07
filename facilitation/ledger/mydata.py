"""What the store holds about one person (``/mydata``)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from bot.exports import Exports
from bot.store import Database
from facilitation.ledger.store import PersonKey, load_sessions

__all__ = ["person_data"]


async def person_data(
    db: Database, who: PersonKey, *, label: str | None, pseudonym: str, exports: Exports
) -> dict[str, Any]:
    """Every logged event by ``who``, their label, questions and snapshot requests."""
    platform, user = who
    slugs = {s.id: s.slug for s in await load_sessions(db)}
    rows = await db.fetchall(
        "SELECT kind, session_id, channel, message_id, reply_to, ts, text, emoji, private"
        " FROM events WHERE platform = ? AND author = ? ORDER BY seq",
        who,
    )
    events = [
        {
            "kind": r["kind"],
            "event": slugs.get(r["session_id"]) if r["session_id"] is not None else None,
            "channel": r["channel"],
            "message_id": r["message_id"],
            "reply_to": r["reply_to"],
            "ts": r["ts"],
            "text": r["text"],
            "emoji": r["emoji"],
            "private": bool(r["private"]),
        }
        for r in rows
    ]
    kinds = Counter(e["kind"] for e in events)
    asked = exports.questions()
    questions = await asked.asked_by(platform, user) if asked is not None else []
    mentioned_by = await db.fetchone(
        "SELECT COUNT(*) AS n FROM events WHERE platform = ? AND mentions LIKE ?",
        (platform, f'%"{user}"%'),
    )
    return {
        "platform": platform,
        "user": user,
        "pseudonym": pseudonym,
        "community": label,
        "counts": {
            "messages": kinds.get("MessagePosted", 0),
            "edits": kinds.get("MessageEdited", 0),
            "reactions": kinds.get("ReactionAdded", 0),
            "commands": kinds.get("CommandIssued", 0),
            "questions": len(questions),
            "events": len({e["event"] for e in events if e["event"]}),
            "messages_mentioning_you": int(mentioned_by["n"]) if mentioned_by else 0,
        },
        "events": events,
        "questions": questions,
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
