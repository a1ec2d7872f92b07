"""The SQLite database: one aiosqlite connection in WAL mode, with migrations.

Each component (the core log, the question queue, the snapshots...) owns its
tables and registers its own ordered list of migrations under its name, so
modules can grow their schema without touching each other's.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.files import make_private, private_folder, write_private

__all__ = ["Database", "Row"]

log = logging.getLogger("roundtable.store")
Row = aiosqlite.Row


class Database:
    """A thin async wrapper over one SQLite connection.

    SQLite allows one writer at a time; one connection shared by the whole bot
    (aiosqlite runs it in its own thread) keeps writes ordered and avoids
    ``database is locked`` errors. ``transaction()`` groups writes.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"in_tx_{id(self)}", default=False
        )

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = str(path)
        on_disk = path != ":memory:" and not path.startswith("file:")
        if on_disk:
            _prepare_private(Path(path))
        conn = await aiosqlite.connect(path)
        conn.row_factory = aiosqlite.Row
        # deleted rows are overwritten with zeros, not left readable in free pages
        await conn.execute("PRAGMA secure_delete=ON")
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL"
            " DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (component, version))"
        )
        await conn.commit()
        if on_disk:
            for suffix in ("", "-wal", "-shm"):
                make_private(Path(path + suffix))
        return cls(conn, path)

    async def close(self) -> None:
        await self._conn.close()

    async def scrub(self) -> None:
        """Leave no trace of deleted data in the files: checkpoint, rebuild, truncate the WAL.

        ``secure_delete`` already zeroes what is deleted; the WAL still holds old
        page images until a checkpoint, so the WAL is checkpointed and truncated,
        and VACUUM rewrites the file without free pages. Slow on a big store:
        for rare events (an opt-out), not for every write.
        """
        async with self._lock:
            await self._conn.commit()
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._conn.execute("PRAGMA temp_store=MEMORY")
            await self._conn.execute("VACUUM")
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def migrate(self, component: str, migrations: Sequence[str]) -> int:
        """Apply the migrations of ``component`` not applied yet; return how many ran.

        ``migrations[i]`` is version ``i + 1``; never edit one that has shipped,
        append a new one instead.
        """
        row = await self.fetchone(
            "SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE component = ?",
            (component,),
        )
        current = int(row["v"]) if row else 0
        ran = 0
        for version, script in enumerate(migrations, start=1):
            if version <= current:
                continue
            body = script.strip().rstrip(";")
            name = component.replace("'", "''")
            async with self._lock:
                try:
                    await self._conn.executescript(
                        f"BEGIN;\n{body};\nINSERT INTO schema_migrations (component, version)"
                        f" VALUES ('{name}', {version});\nCOMMIT;"
                    )
                except Exception:
                    await self._conn.rollback()
                    raise
            log.info("migrated %s to version %d", component, version)
            ran += 1
        return ran

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the new row id (for inserts) or rows changed."""
        if self._in_tx.get():
            return await self._execute(sql, params)
        async with self._lock:
            result = await self._execute(sql, params)
            await self._conn.commit()
            return result

    async def _execute(self, sql: str, params: Sequence[Any]) -> int:
        cur = await self._conn.execute(sql, params)
        lastrowid = cur.lastrowid
        rowcount = cur.rowcount
        await cur.close()
        return (
            int(lastrowid) if sql.lstrip().upper().startswith("INSERT") and lastrowid else rowcount
        )

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._in_tx.get():
            await self._conn.executemany(sql, rows)
            return
        async with self._lock:
            await self._conn.executemany(sql, rows)
            await self._conn.commit()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cur:
            row: Row | None = await cur.fetchone()
            return row

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """Group writes; commit on success, roll back on error."""
        if self._in_tx.get():
            yield self
            return
        async with self._lock:
            token = self._in_tx.set(True)
            try:
                await self._conn.execute("BEGIN")
                yield self
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()
            finally:
                self._in_tx.reset(token)


def _prepare_private(path: Path) -> None:
    """Make the database's folder and an empty 0600 file before SQLite opens it.

    SQLite gives the WAL and SHM files the database file's mode, so they are
    private too; an existing database is made private on open.
    """
    private_folder(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            write_private(path, b"", exclusive=True)
