"""What the participation log holds about people, and how it forgets them.

The log's tables (``events``, ``actions``, ``errors``) belong to :mod:`bot.store`;
this is the only code that removes people from them (see :mod:`bot.forget`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.forget import Person, Recall, phrases_of
from bot.store.db import Database

__all__ = ["LogPersonalData"]

_TEXT_KINDS = ("MessagePosted", "MessageEdited", "CommandIssued")


def _words_after_command(text: str) -> str:
    """``/ask Would the council pay?`` -> ``Would the council pay?`` (what gets quoted)."""
    return text.split(None, 1)[1] if text.startswith("/") and " " in text else text


def _safe_platform(platform: str) -> str:
    return json.dumps(platform)[1:-1]  # as the quarantine stores it (ASCII)


class LogPersonalData:
    """The participation log as a :class:`~bot.forget.Forgettable`."""

    name = "log"

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recall(self, platform: str, user: str) -> Recall:
        rows = await self._db.fetchall(
            "SELECT kind, author_name, text FROM events WHERE platform = ? AND author = ?",
            (platform, user),
        )
        names = {str(r["author_name"]) for r in rows if r["author_name"]}
        phrases: set[str] = set()
        for r in rows:
            if r["kind"] in _TEXT_KINDS and r["text"]:
                phrases |= phrases_of(_words_after_command(str(r["text"])))
        return Recall(frozenset(names), frozenset(phrases))

    async def forget(self, person: Person) -> Mapping[str, int]:
        platform, user = person.key
        removed: dict[str, int] = {}
        async with self._db.transaction():
            # their direct messages with the bot: only they and the bot are there
            dms = [
                str(r["channel"])
                for r in await self._db.fetchall(
                    "SELECT DISTINCT channel FROM events WHERE platform = ? AND author = ?"
                    " AND private = 1",
                    (platform, user),
                )
            ]
            removed["events"] = await self._db.execute(
                "DELETE FROM events WHERE platform = ? AND author = ?", (platform, user)
            )
            for channel in dms:
                removed["events"] += await self._db.execute(
                    "DELETE FROM events WHERE platform = ? AND channel = ? AND private = 1",
                    (platform, channel),
                )
                removed["events"] += await self._db.execute(
                    "DELETE FROM actions WHERE platform = ? AND channel = ?", (platform, channel)
                )
            rows = await self._db.fetchall(
                "SELECT seq, mentions FROM events WHERE platform = ? AND instr(mentions, ?) > 0",
                (platform, json.dumps(user)),
            )
            for r in rows:
                kept = [u for u in json.loads(r["mentions"]) if u != user]
                await self._db.execute(
                    "UPDATE events SET mentions = ? WHERE seq = ?", (json.dumps(kept), r["seq"])
                )
            removed["mentions"] = len(rows)
            removed["texts_scrubbed"] = await self._scrub("events", "seq", "text", person)
            removed["bot_messages_to_them"] = await self._db.execute(
                "DELETE FROM actions WHERE platform = ? AND recipient = ?", (platform, user)
            )
            removed["bot_posts_scrubbed"] = await self._scrub("actions", "seq", "text", person)
            removed["errors"] = await self._db.execute(
                "DELETE FROM errors WHERE instr(event_key, ?) > 0", (user,)
            )
            await self._scrub("errors", "seq", "error", person)
            # events refused into quarantine, and stored events not yet handled
            # whose rows are gone: nothing of theirs is handled after a restart
            removed["quarantined"] = await self._db.execute(
                "DELETE FROM quarantine WHERE platform = ? AND instr(payload, ?) > 0",
                (_safe_platform(platform), '"author": ' + json.dumps(user)),
            )
            removed["pending"] = await self._db.execute(
                "DELETE FROM pending WHERE seq NOT IN (SELECT seq FROM events)"
            )
        return removed

    async def _scrub(self, table: str, key: str, column: str, person: Person) -> int:
        if not person.searchable:
            return 0
        changed = 0
        rows = await self._db.fetchall(
            f"SELECT {key} AS k, {column} AS v FROM {table} WHERE {column} IS NOT NULL"
        )
        for r in rows:
            text = str(r["v"])
            clean = person.scrub(text)
            if clean != text:
                await self._db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (clean, r["k"])
                )
                changed += 1
        return changed

    async def private_channels(self, platform: str, user: str) -> list[str]:
        """The channels where ``user`` talked to the bot privately."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT channel FROM events WHERE platform = ? AND author = ? AND private = 1",
            (platform, user),
        )
        return [str(r["channel"]) for r in rows]

    async def blank_command(self, platform: str, dedup_key: str) -> None:
        """Keep a command's row without its words or author (someone who opted out)."""
        await self._db.execute(
            "UPDATE events SET text = NULL, author = '', author_name = '', mentions = '[]',"
            " channel = CASE WHEN private = 1 THEN '' ELSE channel END"
            " WHERE platform = ? AND dedup_key = ?",
            (platform, dedup_key),
        )
