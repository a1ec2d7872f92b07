"""The ledger's own tables: community labels, opt-outs, stored figures, settings.

Everything else the ledger reads (the participation log, sessions, the
question queue, snapshots) belongs to other components and is only read.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.sessions import Session
from bot.store import Database, table_exists

__all__ = ["LEDGER_MIGRATIONS", "LedgerStore", "PersonKey", "load_sessions"]

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
    # v3: the opt-out list as keyed hashes (facilitation/ledger/optouts.py); rows of
    # ledger_optouts are moved here, hashed, when the key is known. ``pending_*``
    # name the person only while their erasure runs (finished after a crash).
    # ledger_outputs: exports written anywhere, rewritten when someone opts out.
    """
    CREATE TABLE ledger_forgotten (
        who TEXT PRIMARY KEY,
        ts TEXT NOT NULL,
        keep_questions INTEGER NOT NULL DEFAULT 0,
        names TEXT NOT NULL DEFAULT '[]',
        channels TEXT NOT NULL DEFAULT '[]',
        pending_platform TEXT,
        pending_user TEXT,
        pending_names TEXT
    );
    CREATE TABLE ledger_outputs (
        path TEXT PRIMARY KEY,
        session_id INTEGER NOT NULL,
        zip INTEGER NOT NULL DEFAULT 0,
        real_names INTEGER NOT NULL DEFAULT 0,
        ts TEXT NOT NULL
    );
    """,
    # v4: each person's role in each event, stored when they act (or are granted a
    # role), so figures read from the store alone agree with the live bot's
    """
    CREATE TABLE session_roles (
        session_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        role TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (session_id, platform, user)
    );
    """,
    # v5: the platform's role hints the role was worked out from, so that at the
    # event's end roles granted meanwhile are worked out again for everyone seen
    # in it, after a restart as well
    """
    ALTER TABLE session_roles ADD COLUMN hints TEXT NOT NULL DEFAULT '[]';
    """,
]

_SECRET_KEY = "ledger.pseudonym_secret"
_RETENTION_KEY = "ledger.retention_ran_at"


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

    # -- roles in each event --------------------------------------------------

    async def set_role(
        self,
        session_id: int,
        who: PersonKey,
        role: str,
        ts: datetime,
        hints: frozenset[str] = frozenset(),
    ) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO session_roles (session_id, platform, user, role, ts, hints)"
            " VALUES (?,?,?,?,?,?)",
            (session_id, *who, role, ts.isoformat(), json.dumps(sorted(hints))),
        )

    async def roles_and_hints(self, session_id: int) -> dict[PersonKey, tuple[str, frozenset[str]]]:
        """Everyone's stored role in the event, with the platform hints it came from."""
        rows = await self.db.fetchall(
            "SELECT platform, user, role, hints FROM session_roles WHERE session_id = ?",
            (session_id,),
        )
        return {
            (r["platform"], r["user"]): (r["role"], frozenset(json.loads(r["hints"]))) for r in rows
        }

    async def roles(self, session_id: int) -> dict[PersonKey, str]:
        """Everyone's role in the event, as stored when they took part."""
        rows = await self.db.fetchall(
            "SELECT platform, user, role FROM session_roles WHERE session_id = ?", (session_id,)
        )
        return {(r["platform"], r["user"]): r["role"] for r in rows}

    async def forget_roles(self, who: PersonKey) -> int:
        return await self.db.execute(
            "DELETE FROM session_roles WHERE platform = ? AND user = ?", who
        )

    # -- opt-outs (keyed hashes; see facilitation/ledger/optouts.py) ------------

    async def legacy_optouts(self) -> list[tuple[PersonKey, str, bool, list[str]]]:
        """Opt-outs an older version stored in clear: (who, ts, keep_questions, names)."""
        rows = await self.db.fetchall(
            "SELECT platform, user, ts, keep_questions, names FROM ledger_optouts"
        )
        return [
            ((r["platform"], r["user"]), r["ts"], bool(r["keep_questions"]), json.loads(r["names"]))
            for r in rows
        ]

    async def drop_legacy_optouts(self) -> None:
        await self.db.execute("DELETE FROM ledger_optouts")

    async def forgotten(self) -> tuple[set[str], set[str], set[str]]:
        """(person hashes, name hashes, private channel hashes) of everyone who opted out."""
        rows = await self.db.fetchall("SELECT who, names, channels FROM ledger_forgotten")
        names: set[str] = set()
        channels: set[str] = set()
        for r in rows:
            names.update(json.loads(r["names"]))
            channels.update(json.loads(r["channels"]))
        return {str(r["who"]) for r in rows}, names, channels

    async def add_forgotten(
        self,
        key: str,
        ts: datetime,
        keep_questions: bool,
        name_keys: list[str],
        pending: tuple[PersonKey, list[str]] | None,
        channel_keys: list[str] | None = None,
    ) -> None:
        """Record an opt-out; ``pending`` names the person until :meth:`done` is called."""
        who, names = pending if pending is not None else ((None, None), None)
        await self.db.execute(
            "INSERT OR REPLACE INTO ledger_forgotten (who, ts, keep_questions, names, channels,"
            " pending_platform, pending_user, pending_names) VALUES (?,?,?,?,?,?,?,?)",
            (
                key,
                ts.isoformat(),
                int(keep_questions),
                json.dumps(name_keys),
                json.dumps(channel_keys or []),
                who[0],
                who[1],
                None if names is None else json.dumps(names),
            ),
        )

    async def pending(self) -> list[tuple[str, PersonKey, bool, list[str]]]:
        """Erasures a crash interrupted: (key, who, keep_questions, names)."""
        rows = await self.db.fetchall(
            "SELECT who, pending_platform, pending_user, keep_questions, pending_names"
            " FROM ledger_forgotten WHERE pending_user IS NOT NULL"
        )
        return [
            (
                str(r["who"]),
                (str(r["pending_platform"]), str(r["pending_user"])),
                bool(r["keep_questions"]),
                json.loads(r["pending_names"] or "[]"),
            )
            for r in rows
        ]

    async def done(self, key: str) -> None:
        """The erasure finished: the row no longer names the person."""
        await self.db.execute(
            "UPDATE ledger_forgotten SET pending_platform = NULL, pending_user = NULL,"
            " pending_names = NULL WHERE who = ?",
            (key,),
        )

    async def remove_forgotten(self, key: str) -> bool:
        return await self.db.execute("DELETE FROM ledger_forgotten WHERE who = ?", (key,)) > 0

    # -- outputs written outside the out_dir -------------------------------------

    async def add_output(
        self, path: Path, session_id: int, *, zip_file: bool, real_names: bool, ts: datetime
    ) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO ledger_outputs (path, session_id, zip, real_names, ts)"
            " VALUES (?,?,?,?,?)",
            (str(path), session_id, int(zip_file), int(real_names), ts.isoformat()),
        )

    async def outputs(self) -> list[tuple[Path, int, bool, bool]]:
        rows = await self.db.fetchall(
            "SELECT path, session_id, zip, real_names FROM ledger_outputs ORDER BY path"
        )
        return [
            (Path(r["path"]), int(r["session_id"]), bool(r["zip"]), bool(r["real_names"]))
            for r in rows
        ]

    async def forget_label(self, who: PersonKey) -> int:
        return await self.db.execute(
            "DELETE FROM ledger_labels WHERE platform = ? AND user = ?", who
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
