"""The ledger's own tables: community labels, opt-outs, stored figures, settings.

Everything else the ledger reads (the participation log, sessions, the
question queue, snapshots) belongs to other components and is only read.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.sessions import Session
from bot.store import Database

__all__ = ["LEDGER_MIGRATIONS", "LedgerStore", "PersonKey", "load_sessions", "table_exists"]

PersonKey = tuple[str, str]
"""(platform, user id): who someone is, across events of a deployment."""

LEDGER_MIGRATIONS = [
    """
    CREATE TABLE IF NOT EXISTS settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE ledger_labels (
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        label TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (platform, user)
    );
    CREATE TABLE ledger_optouts (
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        ts TEXT NOT NULL,
        keep_questions INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (platform, user)
    );
    CREATE TABLE metrics (
        session_id INTEGER PRIMARY KEY,
        json TEXT NOT NULL,
        computed_at TEXT NOT NULL
    );
    """,
    # v2: the display names of people who opted out, only to keep them out of
    # later messages ("thanks Yusuf") -- a suppression list
    """
    ALTER TABLE ledger_optouts ADD COLUMN names TEXT NOT NULL DEFAULT '[]';
    """,
]

_SECRET_KEY = "ledger.pseudonym_secret"
_RETENTION_KEY = "ledger.retention_ran_at"


async def table_exists(db: Database, name: str) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return row is not None


async def table_columns(db: Database, name: str) -> list[str]:
    rows = await db.fetchall(f"PRAGMA table_info({name})")
    return [str(r["name"]) for r in rows]


async def load_sessions(db: Database) -> list[Session]:
    """Every session in the store, oldest first (read without the live registry)."""
    if not await table_exists(db, "sessions"):
        return []
    rows = await db.fetchall("SELECT * FROM sessions ORDER BY COALESCE(started_at, ''), id")
    places: dict[int, list[str]] = {}
    if await table_exists(db, "session_places"):
        for p in await db.fetchall("SELECT session_id, place FROM session_places ORDER BY place"):
            places.setdefault(int(p["session_id"]), []).append(str(p["place"]))
    return [
        Session(
            id=int(r["id"]),
            slug=r["slug"],
            title=r["title"],
            series=r["series"],
            state=r["state"],
            started_at=datetime.fromisoformat(r["started_at"]) if r["started_at"] else None,
            ended_at=datetime.fromisoformat(r["ended_at"]) if r["ended_at"] else None,
            places=tuple(places.get(int(r["id"]), [])),
        )
        for r in rows
    ]


class LedgerStore:
    """Reads and writes the ledger's tables."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._legacy: str | None = None
        self._legacy_checked = False
        self.process_secret: str | None = None  # the key of an in-memory store

    async def setup(self) -> None:
        await self.db.migrate("ledger", LEDGER_MIGRATIONS)

    # -- settings ------------------------------------------------------------

    async def setting(self, key: str) -> str | None:
        row = await self.db.fetchone("SELECT value FROM settings WHERE key = ?", (key,))
        return str(row["value"]) if row else None

    async def set_setting(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
        )

    async def legacy_secret(self) -> str | None:
        """A pseudonym key an older version kept in the store (now it lives outside it)."""
        if not self._legacy_checked:
            self._legacy_checked = True
            self._legacy = await self.setting(_SECRET_KEY)
        return self._legacy

    async def drop_legacy_secret(self) -> None:
        """Wipe the old key from the store, once it is safe elsewhere."""
        if await self.legacy_secret():
            await self.db.execute("DELETE FROM settings WHERE key = ?", (_SECRET_KEY,))
            await self.db.scrub()
            self._legacy = None

    async def retention_ran_at(self) -> datetime | None:
        value = await self.setting(_RETENTION_KEY)
        return datetime.fromisoformat(value) if value else None

    async def set_retention_ran_at(self, when: datetime) -> None:
        await self.set_setting(_RETENTION_KEY, when.isoformat())

    # -- labels --------------------------------------------------------------

    async def set_label(self, who: PersonKey, label: str, ts: datetime) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO ledger_labels (platform, user, label, ts) VALUES (?,?,?,?)",
            (*who, label, ts.isoformat()),
        )

    async def labels(self) -> dict[PersonKey, str]:
        rows = await self.db.fetchall("SELECT platform, user, label FROM ledger_labels")
        return {(r["platform"], r["user"]): r["label"] for r in rows}

    # -- opt-outs ------------------------------------------------------------

    async def optouts(self) -> set[PersonKey]:
        rows = await self.db.fetchall("SELECT platform, user FROM ledger_optouts")
        return {(r["platform"], r["user"]) for r in rows}

    async def add_optout(
        self, who: PersonKey, ts: datetime, keep_questions: bool, names: list[str]
    ) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO ledger_optouts (platform, user, ts, keep_questions, names)"
            " VALUES (?,?,?,?,?)",
            (*who, ts.isoformat(), int(keep_questions), json.dumps(names)),
        )

    async def optout_names(self) -> dict[str, list[str]]:
        """Per platform, the names of people who opted out."""
        out: dict[str, list[str]] = {}
        for r in await self.db.fetchall("SELECT platform, names FROM ledger_optouts"):
            out.setdefault(r["platform"], []).extend(json.loads(r["names"]))
        return out

    async def remove_optout(self, who: PersonKey) -> bool:
        return (
            await self.db.execute("DELETE FROM ledger_optouts WHERE platform = ? AND user = ?", who)
            > 0
        )

    # -- figures -------------------------------------------------------------

    async def save_metrics(self, session_id: int, figures: dict[str, Any], ts: datetime) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO metrics (session_id, json, computed_at) VALUES (?,?,?)",
            (session_id, json.dumps(figures, ensure_ascii=False), ts.isoformat()),
        )

    async def stored_metrics(self, session_id: int) -> dict[str, Any] | None:
        row = await self.db.fetchone("SELECT json FROM metrics WHERE session_id = ?", (session_id,))
        if row is None:
            return None
        loaded: dict[str, Any] = json.loads(row["json"])
        return loaded
