"""The snapshots' export: what an event was offered, for the report and the downloads.

Declared in the plugin spec as ``"snapshots"`` (:class:`bot.exports.SnapshotExport`), and
the live ``"pending_snapshots"`` the dashboard shows to moderators.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from bot.exports import SnapshotRow
from bot.store import Database, table_exists
from facilitation.snapshots.store import SnapshotStore

if TYPE_CHECKING:
    from facilitation.snapshots.module import SnapshotsModule

__all__ = ["PendingSnapshots", "SnapshotExports", "snapshot_rows"]


async def snapshot_rows(db: Database, session_id: int) -> list[dict[str, Any]] | None:
    """The research snapshots offered in an event, with what followed each (or ``None``).

    ``None`` when this store never held snapshots."""
    if not await table_exists(db, "snapshot_posts"):
        return None
    posts = await db.fetchall(
        "SELECT * FROM snapshot_posts WHERE session_id = ? ORDER BY id", (session_id,)
    )
    effects: dict[int, Counter[str]] = {}
    if posts and await table_exists(db, "snapshot_effects"):
        marks = ",".join("?" * len(posts))
        for r in await db.fetchall(
            f"SELECT post_id, kind, COUNT(*) AS n FROM snapshot_effects WHERE post_id IN ({marks})"
            " GROUP BY post_id, kind",
            [p["id"] for p in posts],
        ):
            effects.setdefault(int(r["post_id"]), Counter())[str(r["kind"])] = int(r["n"])
    out = []
    for p in posts:
        row = {k: p[k] for k in p.keys() if k != "embedding"}  # noqa: SIM118 (sqlite Row)
        row["effects"] = dict(effects.get(int(p["id"]), Counter()))
        out.append(row)
    return out


class SnapshotExports:
    """:class:`bot.exports.SnapshotExport` over the snapshots tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_session(self, session_id: int) -> list[dict[str, Any]] | None:
        return await snapshot_rows(self._db, session_id)


class PendingSnapshots:
    """The live export ``"pending_snapshots"`` (:class:`bot.exports.PendingSnapshotExport`)."""

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store

    @classmethod
    def of(cls, module: SnapshotsModule) -> PendingSnapshots:
        return cls(module.store)

    async def pending(self, session_id: int) -> list[SnapshotRow]:
        return [
            SnapshotRow(p.id, p.said or p.passage_text, p.source, p.url, p.trigger, p.created_at)
            for p in await self._store.posts(session_id)
            if p.state == "pending"
        ]
