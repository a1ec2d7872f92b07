"""Who asked (``/remindme``) to be reminded of a series' next event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.forget import Person, Recall
from bot.store import Database

__all__ = ["REMINDER_MIGRATIONS", "ReminderStore"]

REMINDER_MIGRATIONS = [
    """
    CREATE TABLE momentum_reminders (
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        series TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        PRIMARY KEY (platform, user, series)
    );
    """,
]


class ReminderStore:
    name = "momentum"  # bot.forget.Forgettable

    def __init__(self, db: Database) -> None:
        self._db = db

    async def setup(self) -> None:
        await self._db.migrate("momentum", REMINDER_MIGRATIONS)

    async def add(self, platform: str, user: str, series: str, ts: datetime) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO momentum_reminders (platform, user, series, asked_at)"
            " VALUES (?, ?, ?, ?)",
            (platform, user, series, ts.isoformat()),
        )

    async def for_series(self, series: str) -> list[tuple[str, str]]:
        rows = await self._db.fetchall(
            "SELECT platform, user FROM momentum_reminders WHERE series = ? ORDER BY asked_at",
            (series,),
        )
        return [(str(r["platform"]), str(r["user"])) for r in rows]

    async def done(self, platform: str, user: str, series: str) -> None:
        await self._db.execute(
            "DELETE FROM momentum_reminders WHERE platform = ? AND user = ? AND series = ?",
            (platform, user, series),
        )

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()

    async def forget(self, person: Person) -> Mapping[str, int]:
        n = await self._db.execute(
            "DELETE FROM momentum_reminders WHERE platform = ? AND user = ?", person.key
        )
        return {"reminders": n}
