"""Privacy by design: pseudonyms, spreadsheet-safe cells, retention, forgetting a person."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.store import Database
from facilitation.ledger.secret import resolve_secret
from facilitation.ledger.store import PersonKey, table_exists

__all__ = [
    "REMOVED_NAME",
    "Identities",
    "apply_retention",
    "forget_person",
    "name_patterns",
    "redact",
    "resolve_secret",
    "safe_cell",
]

_FORMULA_STARTS = frozenset("=+-@")
_CONTROL_STARTS = ("\t", "\r", "\n")


def _invisible(ch: str) -> bool:
    """Spaces, line breaks, zero-width and other format characters a spreadsheet skips."""
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def safe_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (OWASP: prefix a quote).

    A cell is neutralised when its first visible character, after spaces, line
    breaks and zero-width characters, is ``= + - @`` in any width (the full-width
    ``＝`` folds to ``=``), or when it starts with a tab, carriage return or line
    feed. Only text is changed; numbers stay numbers (so -0.4 is still a number).
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_CONTROL_STARTS):
        return "'" + value
    first = next((ch for ch in value if not _invisible(ch)), "")
    if first and unicodedata.normalize("NFKC", first)[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


class Identities:
    """How people appear in exports: stable pseudonyms, or real ids and names.

    A pseudonym is a keyed hash (HMAC-SHA256) of ``platform:user``: the same
    person gets the same pseudonym in every export of a deployment, so series
    analysis still works, and nobody without the key can reverse it.
    """

    def __init__(
        self, secret: str, *, real_names: bool = False, names: Mapping[PersonKey, str] | None = None
    ) -> None:
        self._key = secret.encode()
        self.real_names = real_names
        self._names = dict(names or {})
        self._cache: dict[PersonKey, str] = {}

    def learn(self, names: Mapping[PersonKey, str]) -> None:
        self._names.update(names)

    def pseudonym(self, who: PersonKey) -> str:
        found = self._cache.get(who)
        if found is None:
            digest = hmac.new(self._key, f"{who[0]}:{who[1]}".encode(), hashlib.sha256)
            found = self._cache[who] = "p-" + digest.hexdigest()[:10]
        return found

    def ident(self, who: PersonKey) -> str:
        return f"{who[0]}:{who[1]}" if self.real_names else self.pseudonym(who)

    def name(self, who: PersonKey) -> str:
        if self.real_names:
            return self._names.get(who) or who[1]
        return self.pseudonym(who)


async def apply_retention(db: Database, now: datetime, days: int | None) -> int:
    """Blank the text of messages older than ``days``; return how many were blanked.

    Figures already stored in ``metrics`` stay. Callers store an event's figures
    before its text goes (the module does so when an event ends).
    """
    if days is None:
        return 0
    cutoff = (now - timedelta(days=days)).isoformat()
    return await db.execute(
        "UPDATE events SET text = NULL, links = '[]' WHERE ts < ? AND text IS NOT NULL"
        " AND kind IN ('MessagePosted', 'MessageEdited', 'CommandIssued')",
        (cutoff,),
    )


REMOVED_NAME = "[name removed]"


def name_patterns(names: set[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Whole-word patterns for names (``@name`` too), longest first.

    Names shorter than three letters are skipped: they match inside ordinary
    words too often.
    """
    return [
        (n, re.compile(rf"(?<!\w)@?{re.escape(n)}(?!\w)", re.IGNORECASE))
        for n in sorted(names - {""}, key=len, reverse=True)
        if len(n) >= 3
    ]


def redact(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str:
    for _, pattern in patterns:
        text = pattern.sub(REMOVED_NAME, text)
    return text


async def forget_person(
    db: Database,
    who: PersonKey,
    *,
    keep_questions: bool,
    questions: Any = None,
    names: tuple[str, ...] = (),
) -> dict[str, int]:
    """Remove a person from the store: their events, their mentions, their data.

    Their questions go too unless ``keep_questions``, in which case they stay
    without a name. ``questions`` is the question-queue reader (see
    :mod:`facilitation.ledger.sources`), used when its tables exist. Their
    display ``names`` are replaced in other people's messages ("thanks Yusuf").
    Returns what was removed, by kind.
    """
    platform, user = who
    removed: dict[str, int] = {}
    known = {
        r["author_name"]
        for r in await db.fetchall(
            "SELECT DISTINCT author_name FROM events WHERE platform = ? AND author = ?", who
        )
    }
    patterns = name_patterns({*names, *known} - {user})
    async with db.transaction():
        removed["events"] = await db.execute(
            "DELETE FROM events WHERE platform = ? AND author = ?", who
        )
        # other people's messages keep their text, but no longer point at this person
        rows = await db.fetchall(
            "SELECT seq, mentions FROM events WHERE platform = ? AND mentions LIKE ?",
            (platform, f'%"{user}"%'),
        )
        for r in rows:
            kept = [u for u in json.loads(r["mentions"]) if u != user]
            await db.execute(
                "UPDATE events SET mentions = ? WHERE seq = ?", (json.dumps(kept), r["seq"])
            )
        removed["mentions"] = len(rows)
        removed["names_in_messages"] = 0
        for name, pattern in patterns:
            for r in await db.fetchall(
                "SELECT seq, text FROM events WHERE platform = ? AND text LIKE ?",
                (platform, f"%{name}%"),
            ):
                text, n = pattern.subn(REMOVED_NAME, r["text"])
                if n:
                    await db.execute("UPDATE events SET text = ? WHERE seq = ?", (text, r["seq"]))
                    removed["names_in_messages"] += 1
        removed["bot_messages_to_them"] = await db.execute(
            "UPDATE actions SET text = NULL WHERE platform = ? AND recipient = ?", who
        )
        removed["label"] = await db.execute(
            "DELETE FROM ledger_labels WHERE platform = ? AND user = ?", who
        )
        if await table_exists(db, "snapshot_posts"):
            removed["snapshot_requests"] = await db.execute(
                "UPDATE snapshot_posts SET asked_by = NULL WHERE asked_by = ? AND place LIKE ?",
                (user, f"{platform}:%"),
            )
        if await table_exists(db, "snapshot_effects"):
            removed["snapshot_effects"] = await db.execute(
                "DELETE FROM snapshot_effects WHERE author = ? AND post_id IN"
                " (SELECT id FROM snapshot_posts WHERE place LIKE ?)",
                (user, f"{platform}:%"),
            )
        if questions is not None:
            removed.update(await questions.forget(who, keep_questions=keep_questions))
    return removed
