"""Looking at the schema: whether a table exists, and its columns.

For readers that must work on a database some component never set up (an
export of an old store): each component reads only its own tables this way.
"""

from __future__ import annotations

from bot.store.db import Database

__all__ = ["table_columns", "table_exists"]


async def table_exists(db: Database, name: str) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return row is not None


async def table_columns(db: Database, name: str) -> list[str]:
    rows = await db.fetchall(f"PRAGMA table_info({name})")
    return [str(r["name"]) for r in rows]
