"""What followed each snapshot: replies, reactions, and questions that pick it up.

A reply to the snapshot's message, a reaction on it, a message that links its
source, and a question (``?`` or ``/ask``) posted within ``window`` of it that
shares at least two of its keywords are each recorded once, for the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.events import CommandIssued, MessagePosted, ReactionAdded
from bot.store import Database
from facilitation.snapshots.keywords import content_words
from facilitation.snapshots.store import PostRow, SnapshotStore

__all__ = ["EffectTracker", "snapshot_effects"]

QUESTION_COMMANDS = frozenset({"ask"})


@dataclass(frozen=True, slots=True)
class _Watched:
    post_id: int
    session_id: int | None
    posted_at: datetime
    url: str | None
    words: frozenset[str]


class EffectTracker:
    """Watches the chat for what follows posted snapshots and records it.

    Args:
        store: where effects are written.
        window: how long after a snapshot a question counts as following it.
        min_shared: keywords a question must share with the passage.
    """

    def __init__(self, store: SnapshotStore, window: timedelta, min_shared: int = 2) -> None:
        self._store = store
        self._window = window
        self._min_shared = min_shared
        self._by_message: dict[str, _Watched] = {}
        self._recent: list[_Watched] = []

    def watch(self, post: PostRow) -> None:
        """Start following a posted snapshot."""
        if post.posted_at is None:
            return
        watched = _Watched(
            post.id,
            post.session_id,
            post.posted_at,
            post.url,
            frozenset(content_words(post.passage_text)),
        )
        for mid in post.message_ids:
            self._by_message[mid] = watched
        self._recent.append(watched)

    async def on_message(
        self, event: MessagePosted | CommandIssued, session_id: int | None
    ) -> None:
        if isinstance(event, CommandIssued):
            if event.name not in QUESTION_COMMANDS or not event.message_id:
                return
            message_id, text, is_question = event.message_id, event.args, True
        else:
            if event.from_bot:
                return
            message_id, text, is_question = event.message_id, event.text, "?" in event.text
        replied = self._by_message.get(event.reply_to or "")
        if replied is not None:
            await self._store.add_effect(
                replied.post_id, "reply", message_id, event.author, event.ts
            )
        self._recent = [w for w in self._recent if event.ts - w.posted_at <= self._window]
        words = content_words(text) if is_question else set()
        for watched in self._recent:
            if watched.session_id != session_id or event.ts < watched.posted_at:
                continue
            if watched.url and watched.url in text:
                await self._store.add_effect(
                    watched.post_id, "cite", message_id, event.author, event.ts
                )
            shared = words & watched.words
            if is_question and len(shared) >= self._min_shared:
                await self._store.add_effect(
                    watched.post_id,
                    "question",
                    message_id,
                    event.author,
                    event.ts,
                    " ".join(sorted(shared)),
                )

    async def on_reaction(self, event: ReactionAdded) -> None:
        watched = self._by_message.get(event.message_id)
        if watched is not None:
            await self._store.add_effect(
                watched.post_id, "reaction", event.message_id, event.author, event.ts, event.emoji
            )


async def snapshot_effects(db: Database, session_id: int) -> list[dict[str, Any]]:
    """Every snapshot of an event (offered, shared or dropped) and what followed it.

    Each dict has ``number``, ``trigger`` (auto, request, scheduled), ``state``
    (pending, posted, skipped), ``created_at``, ``posted_at``, ``passage``,
    ``source``, ``url``, ``said``, ``message_ids``, counts of ``replies``,
    ``reactions``, ``questions`` and ``cites``, and ``effects``: one dict per
    reply, reaction, question or citation (``kind``, ``message_id``, ``author``,
    ``ts``, ``detail``). Authors are platform ids: pseudonymise before export.
    """
    exists = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshot_posts'"
    )
    if exists is None:
        return []
    posts = await db.fetchall(
        "SELECT * FROM snapshot_posts WHERE session_id = ? ORDER BY id", (session_id,)
    )
    effects = await db.fetchall(
        "SELECT e.* FROM snapshot_effects e JOIN snapshot_posts p ON p.id = e.post_id"
        " WHERE p.session_id = ? ORDER BY e.ts, e.id",
        (session_id,),
    )
    by_post: dict[int, list[dict[str, Any]]] = {}
    for e in effects:
        by_post.setdefault(e["post_id"], []).append(
            {
                "kind": e["kind"],
                "message_id": e["message_id"],
                "author": e["author"],
                "ts": e["ts"],
                "detail": e["detail"],
            }
        )
    out: list[dict[str, Any]] = []
    for p in posts:
        followed = by_post.get(p["id"], [])
        out.append(
            {
                "number": p["id"],
                "trigger": p["trigger"],
                "state": p["state"],
                "score": p["score"],
                "created_at": p["created_at"],
                "posted_at": p["posted_at"],
                "passage": p["passage_text"],
                "source": p["source"],
                "url": p["url"],
                "said": p["said"],
                "message_ids": json.loads(p["message_ids"]),
                "replies": sum(1 for e in followed if e["kind"] == "reply"),
                "reactions": sum(1 for e in followed if e["kind"] == "reaction"),
                "questions": sum(1 for e in followed if e["kind"] == "question"),
                "cites": sum(1 for e in followed if e["kind"] == "cite"),
                "effects": followed,
            }
        )
    return out
