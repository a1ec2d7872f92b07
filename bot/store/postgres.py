"""The PostgreSQL store: the same :class:`~bot.store.Database` on an asyncpg connection.

``[store] url = "postgresql://user@host:port/db"`` opens this store instead of
the SQLite file. Everything above :class:`~bot.store.Database` (the log, the
bus's units of work, the modules' tables) is unchanged: statements are written
once, in SQLite's dialect, and :mod:`bot.store.dialect` says them in
PostgreSQL's. :class:`PgConnection` gives asyncpg the small surface of an
aiosqlite connection that :class:`~bot.store.Database` uses (``execute``,
``executemany``, ``commit``, ``rollback``), so the units of work, savepoints
and batching are the same code on both backends.

Differences that matter:

* **Several processes.** Unlike SQLite's file, one PostgreSQL store may be
  shared by several workers (see :mod:`bot.workers`); there is no writer lock.
  Within one process, one connection carries every statement in order, as with
  SQLite, so a unit of work sees its own writes and nobody else's half-done ones.
* **Values.** Integers are 64-bit, sums of integers come back as ``int`` (not
  ``Decimal``), and a number given where text is stored is stored as its text,
  as SQLite would.
* **Erasure.** :meth:`PostgresDatabase.scrub` runs ``VACUUM`` on the tables,
  so deleted rows leave the data files when PostgreSQL reuses their space.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.store import dialect
from bot.store.db import Database, register_url_store

__all__ = ["PgConnection", "PostgresDatabase", "is_url", "redact"]

log = logging.getLogger("roundtable.store")

SUPPORT = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (component, version)
);
CREATE OR REPLACE VIEW sqlite_master AS
    SELECT 'table'::text AS type, table_name::text AS name, table_name::text AS tbl_name
    FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE';
CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT strpos(haystack, needle)';
"""

# one migration at a time across every worker starting together
MIGRATION_LOCK = 0x52_54_4D_49  # "RTMI"


def is_url(target: object) -> bool:
    """Whether a store target names a PostgreSQL server rather than a SQLite file."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def _status_count(status: str) -> int:
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


class _Cursor:
    __slots__ = ("lastrowid", "rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchall(self) -> list[Any]:
        return self.rows

    async def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    async def close(self) -> None:
        return None


class _Result:
    """``await conn.execute(...)`` or ``async with conn.execute(...) as cur``, as in aiosqlite."""

    def __init__(self, conn: PgConnection, sql: str, params: Sequence[Any]) -> None:
        self._conn = conn
        self._sql = sql
        self._params = params

    def __await__(self) -> Any:
        return self._conn._run(self._sql, self._params).__await__()

    async def __aenter__(self) -> _Cursor:
        return await self._conn._run(self._sql, self._params)

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgConnection:
    """One asyncpg connection behaving as the aiosqlite connection the store expects.

    Statements are translated (and cached) on the way in; one statement runs at
    a time, in the order asked, as on aiosqlite's single thread. ``BEGIN``,
    ``SAVEPOINT``, ``COMMIT`` and ``ROLLBACK`` pass through; a write outside a
    transaction commits on its own.
    """

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn
        self._gate = asyncio.Lock()
        self._sql: dict[str, tuple[str, str | None]] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self._serial: dict[str, str] = {}

    @classmethod
    async def connect(cls, url: str) -> PgConnection:
        # every module statement stays prepared (asyncpg keeps 100 by default)
        raw = await asyncpg.connect(url, timeout=30, statement_cache_size=2000)
        try:
            await _lenient_codecs(raw)
            conn = cls(raw)
            await conn.refresh_schema()
        except BaseException:  # cancelled too (a worker stopping while a stand-in starts)
            raw.terminate()
            raise
        return conn

    async def refresh_schema(self) -> None:
        """Learn each table's key and id column (after migrations change them)."""
        keys: dict[str, list[tuple[int, str]]] = {}
        uniques: dict[str, tuple[str, ...]] = {}
        rows = await self.raw.fetch(
            """
            SELECT c.relname AS tbl, i.indisprimary AS pk, i.indexrelid AS idx,
                   a.attname AS col, k.n AS n
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace s ON s.oid = c.relnamespace AND s.nspname = current_schema()
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE i.indisunique AND i.indpred IS NULL
            ORDER BY c.relname, i.indisprimary DESC, i.indexrelid, k.n
            """
        )
        first_unique: dict[str, int] = {}
        for r in rows:
            if r["pk"]:
                keys.setdefault(r["tbl"], []).append((r["n"], r["col"]))
            else:
                idx = first_unique.setdefault(r["tbl"], r["idx"])
                if idx == r["idx"]:
                    uniques[r["tbl"]] = (*uniques.get(r["tbl"], ()), r["col"])
        self._keys = {t: tuple(c for _, c in sorted(cols)) for t, cols in keys.items()}
        for table, cols in uniques.items():
            self._keys.setdefault(table, cols)
        serial = await self.raw.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"
        )
        self._serial = {r["table_name"]: r["column_name"] for r in serial}
        self._sql.clear()

    def keys_of(self, table: str) -> tuple[str, ...]:
        return tuple(f'"{k}"' if k == "user" else k for k in self._keys.get(table.lower(), ()))

    def serial_tables(self) -> dict[str, str]:
        return dict(self._serial)

    def _translate(self, sql: str) -> tuple[str, str | None]:
        """The statement in PostgreSQL, and the id column an INSERT returns (if any)."""
        done = self._sql.get(sql)
        if done is None:
            text = dialect.statement(sql, self.keys_of)
            returning: str | None = None
            m = re.match(r"\s*INSERT\s+INTO\s+(\w+)", text, re.IGNORECASE)
            if m is not None and not re.search(r"\bRETURNING\b", text, re.IGNORECASE):
                returning = self._serial.get(m.group(1).lower())
                if returning is not None:
                    text = f"{text.rstrip().rstrip(';')} RETURNING {returning}"
            done = (text, returning)
            self._sql[sql] = done
        return done

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        return _Result(self, sql, params)

    async def _run(self, sql: str, params: Sequence[Any]) -> _Cursor:
        text, returning = self._translate(sql)
        args = tuple(params)
        async with self._gate:
            if returning is not None or _returns_rows(text):
                rows = await self.raw.fetch(text, *args)
                lastrowid = int(rows[0][0]) if returning is not None and rows else None
                return _Cursor(list(rows), len(rows), lastrowid)
            status = await self.raw.execute(text, *args) if args else await self.raw.execute(text)
            return _Cursor([], _status_count(status), None)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        text, returning = self._translate(sql)
        if returning is not None:
            text = text[: text.rindex(" RETURNING ")]
        batch = [tuple(r) for r in rows]
        if not batch:
            return
        async with self._gate:
            await self.raw.executemany(text, batch)

    async def script(self, sql: str) -> None:
        """Run several statements as they are (no translation, no parameters)."""
        async with self._gate:
            await self.raw.execute(sql)

    async def commit(self) -> None:
        async with self._gate:
            if self.raw.is_in_transaction():
                await self.raw.execute("COMMIT")

    async def rollback(self) -> None:
        async with self._gate:
            if self.raw.is_in_transaction():
                await self.raw.execute("ROLLBACK")

    async def close(self) -> None:
        await self.raw.close()


def _returns_rows(text: str) -> bool:
    head = text.lstrip()[:10].upper()
    return head.startswith(("SELECT", "WITH", "VALUES", "SHOW", "TABLE")) or bool(
        re.search(r"\bRETURNING\b", text, re.IGNORECASE)
    )


async def _lenient_codecs(conn: asyncpg.Connection) -> None:
    """Accept values as SQLite does: a number where text is stored, sums back as numbers."""
    await conn.set_type_codec(
        "text", schema="pg_catalog", encoder=_text, decoder=str, format="text"
    )
    await conn.set_type_codec(
        "numeric", schema="pg_catalog", encoder=str, decoder=_number, format="text"
    )


class PostgresDatabase(Database):
    """:class:`~bot.store.Database` on PostgreSQL (see the module's docstring)."""

    dialect = "postgresql"

    @classmethod
    async def open(cls, path: Any) -> PostgresDatabase:
        """Connect to the server at the URL ``path``; make the store's helpers if missing."""
        url = str(path)
        conn = await PgConnection.connect(url)
        try:
            await conn.raw.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.raw.execute(SUPPORT)
            finally:
                await conn.raw.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        except BaseException:
            await conn.close()
            raise
        db = cls(conn, redact(url))  # type: ignore[arg-type]
        db._url = url
        return db

    _url: str = ""

    @property
    def url(self) -> str:
        """The URL this store was opened with (password included: never log it)."""
        return self._url

    @property
    def connection(self) -> PgConnection:
        conn: PgConnection = self._conn  # type: ignore[assignment]
        return conn

    async def close(self) -> None:
        await self._conn.close()

    async def _scrub(self) -> None:
        await self._conn.commit()
        await self.connection.script("VACUUM")

    async def migrate(self, component: str, migrations: Sequence[str]) -> int:
        """Apply ``component``'s migrations not applied yet, one worker at a time."""
        conn = self.connection
        raw = conn.raw
        ran = 0
        async with self._lock, conn._gate:
            await raw.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                current = await raw.fetchval(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1",
                    component,
                )
                for version, script in enumerate(migrations, start=1):
                    if version <= int(current):
                        continue
                    body = dialect.schema(script.strip().rstrip(";"))
                    async with raw.transaction():
                        await raw.execute(body)
                        await raw.execute(
                            "INSERT INTO schema_migrations (component, version) VALUES ($1, $2)",
                            component,
                            version,
                        )
                    log.info("migrated %s to version %d", component, version)
                    ran += 1
            finally:
                await raw.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        # Another worker may have made these tables: learn their keys and ids either way.
        async with conn._gate:
            await conn.refresh_schema()
        return ran


register_url_store(PostgresDatabase.open)
