"""The SQLite database: one aiosqlite connection in WAL mode, with migrations.

Each component (the core log, the question queue, the snapshots...) owns its
tables and registers its own ordered list of migrations under its name, so
modules can grow their schema without touching each other's.

Two guarantees live here (the design is in :mod:`bot.bus`):

* **One writer.** :meth:`Database.open` takes an exclusive lock on a file
  beside the database (:mod:`bot.store.lock`); a second process is refused
  with the holder's pid.
* **Units of work.** Inside :meth:`Database.unit`, every write the current task
  makes joins one transaction, begun lazily at the first write and committed
  when the block ends (rolled back if it raises or the process dies). The bus
  handles each event in one unit, so a module's writes and the event's
  "handled" mark are committed together or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.files import make_private, private_folder, write_private
from bot.store.lock import WriterLock

__all__ = ["Database", "Row", "Unit", "register_url_store"]

log = logging.getLogger("roundtable.store")
Row = aiosqlite.Row

# Opens a store named by a URL: bot.store.postgres registers itself here (it builds on
# this module, so this module cannot import it).
_url_store: Callable[[str], Awaitable[Database]] | None = None


def register_url_store(opener: Callable[[str], Awaitable[Database]]) -> None:
    """Make ``Database.open("postgresql://...")`` call ``opener``."""
    global _url_store
    _url_store = opener


class Unit:
    """One unit of work: the writes of one task, committed together.

    ``active`` turns true at the first write (the transaction is begun then,
    so a handler that only reads never holds the write lock).
    """

    __slots__ = ("active", "scrub", "task")

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self.task = task
        self.active = False
        self.scrub = False  # asked for inside the unit; done once it has committed


class Database:
    """A thin async wrapper over one SQLite connection.

    SQLite allows one writer at a time; one connection shared by the whole bot
    (aiosqlite runs it in its own thread) keeps writes ordered and avoids
    ``database is locked`` errors. ``transaction()`` groups writes.
    """

    def __init__(
        self, conn: aiosqlite.Connection, path: str, writer_lock: WriterLock | None = None
    ) -> None:
        self._conn = conn
        self.path = path
        self._writer_lock = writer_lock
        self._lock = asyncio.Lock()
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(
            f"in_tx_{id(self)}", default=False
        )
        self._unit: contextvars.ContextVar[Unit | None] = contextvars.ContextVar(
            f"unit_{id(self)}", default=None
        )
        self._savepoints = itertools.count(1)

    dialect = "sqlite"

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating) the database at ``path``, or ``":memory:"``.

        A ``postgresql://`` URL opens the PostgreSQL store instead
        (:mod:`bot.store.postgres`).

        Raises:
            StoreInUse: another process has the database open.
        """
        path = str(path)
        if path.startswith(("postgresql://", "postgres://")):
            if _url_store is None:
                raise RuntimeError("no PostgreSQL store is registered (import bot.store)")
            return await _url_store(path)
        on_disk = path != ":memory:" and not path.startswith("file:")
        writer_lock: WriterLock | None = None
        if on_disk:
            _prepare_private(Path(path))
            writer_lock = WriterLock.acquire(path)
        try:
            conn = await aiosqlite.connect(path)
        except BaseException:
            if writer_lock is not None:
                writer_lock.release()
            raise
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
        return cls(conn, path, writer_lock)

    async def close(self) -> None:
        try:
            await self._conn.close()
        finally:
            if self._writer_lock is not None:
                self._writer_lock.release()
                self._writer_lock = None

    async def scrub(self) -> None:
        """Leave no trace of deleted data in the files: checkpoint, rebuild, truncate the WAL.

        ``secure_delete`` already zeroes what is deleted; the WAL still holds old
        page images until a checkpoint, so the WAL is checkpointed and truncated,
        and VACUUM rewrites the file without free pages. Slow on a big store:
        for rare events (an opt-out), not for every write.
        """
        unit = self._current_unit()
        if unit is not None:
            unit.scrub = True  # VACUUM cannot run inside the unit's transaction
            return
        async with self._lock:
            await self._scrub()

    async def _scrub(self) -> None:
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

    # -- units of work ---------------------------------------------------------

    def _current_unit(self) -> Unit | None:
        # A task created inside a unit inherits the context variable; only the
        # task that opened the unit writes into it.
        unit = self._unit.get()
        if unit is not None and unit.task is asyncio.current_task():
            return unit
        return None

    async def _join(self, unit: Unit) -> None:
        if not unit.active:
            await self._lock.acquire()
            try:
                await self._conn.execute("BEGIN")
            except BaseException:
                self._lock.release()
                raise
            unit.active = True

    def _direct(self) -> bool:
        """Whether a write goes straight into an open transaction (no lock, no commit)."""
        return self._in_tx.get() or self._current_unit() is not None

    async def _enter_direct(self) -> None:
        unit = self._current_unit()
        if unit is not None:
            await self._join(unit)

    def unit(self) -> _UnitScope:
        """Commit every write this task makes inside the block together.

        Nothing is locked until the first write; from then until the block
        ends, other tasks' writes wait (reads never do). (A class, not a
        generator: the bus opens one per event.)
        """
        return _UnitScope(self)

    async def _end_unit(self, unit: Unit, failed: bool) -> None:
        if failed:
            if unit.active:
                try:
                    await self._conn.rollback()
                finally:
                    unit.active = False
                    self._lock.release()
            return
        if unit.active:
            try:
                await self._conn.commit()
                if unit.scrub:
                    await self._scrub()
            except BaseException:
                await self._conn.rollback()
                raise
            finally:
                unit.active = False
                self._lock.release()
        elif unit.scrub:
            await self.scrub()

    # -- statements ------------------------------------------------------------

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the new row's id (an INSERT that added one) or rows changed.

        An INSERT that added nothing (``INSERT OR IGNORE`` on a known key)
        returns 0, never the id of some earlier insert.
        """
        if self._direct():
            await self._enter_direct()
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
        # sqlite3's lastrowid is the connection's last insert, whatever this statement did
        if lastrowid and rowcount > 0 and sql.lstrip()[:6].upper() == "INSERT":
            return int(lastrowid)
        return rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._direct():
            await self._enter_direct()
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
        """Group writes; commit on success, roll back on error.

        Inside a unit of work (or another transaction) this is a savepoint: an
        error undoes only this block's writes.
        """
        if self._direct():
            await self._enter_direct()
            name = f"sp{next(self._savepoints)}"
            await self._conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                await self._conn.execute(f"ROLLBACK TO {name}")
                await self._conn.execute(f"RELEASE {name}")
                raise
            await self._conn.execute(f"RELEASE {name}")
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


class _UnitScope:
    """``async with db.unit() as unit``: see :meth:`Database.unit`."""

    __slots__ = ("_db", "_token", "_unit")

    def __init__(self, db: Database) -> None:
        self._db = db

    async def __aenter__(self) -> Unit:
        db = self._db
        if db._direct():
            raise RuntimeError("units of work do not nest")
        self._unit = Unit(asyncio.current_task())
        self._token = db._unit.set(self._unit)
        return self._unit

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db._unit.reset(self._token)
        await self._db._end_unit(self._unit, failed=exc_type is not None)


def _prepare_private(path: Path) -> None:
    """Make the database's folder and an empty 0600 file before SQLite opens it.

    SQLite gives the WAL and SHM files the database file's mode, so they are
    private too; an existing database is made private on open.
    """
    private_folder(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            write_private(path, b"", exclusive=True)
