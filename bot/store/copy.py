"""Moving a SQLite store into PostgreSQL, and checking a PostgreSQL store.

:func:`copy_store` reads the SQLite file's own schema (every table as its
migrations left it, ``ALTER TABLE`` included), creates the same tables in the
PostgreSQL store through :func:`bot.store.dialect.schema`, copies every row in
creation order (so a row's parent is there before it), records the same
migration versions (so nothing is migrated twice), and moves each id sequence
past the copied ids. The PostgreSQL store must be empty; the SQLite file is
only read (and locked meanwhile, so no bot writes to it during the copy).

:func:`check_postgres` is ``roundtable doctor``'s look at a server's store:
it connects, says the server's version, and whether the schema is there and
up to date.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.store import dialect
from bot.store.db import Database
from bot.store.log import CORE_MIGRATIONS
from bot.store.postgres import PostgresDatabase, redact

__all__ = ["CopyResult", "StoreNotEmpty", "check_postgres", "copy_store"]

log = logging.getLogger("roundtable.store")

CHUNK = 2000
_SKIP = ("sqlite_", "schema_migrations")


class StoreNotEmpty(RuntimeError):
    """The PostgreSQL store already holds a Roundtable log."""


@dataclass(frozen=True)
class CopyResult:
    tables: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


async def copy_store(
    source: str, target: str, progress: Callable[[str, int], None] | None = None
) -> CopyResult:
    """Copy every table of the SQLite store ``source`` into the empty PostgreSQL ``target``.

    Raises:
        StoreNotEmpty: ``target`` already has events.
        StoreInUse: a running bot holds ``source``.
    """
    started = time.monotonic()
    src = await Database.open(source)
    try:
        dst = await Database.open(target)
        if not isinstance(dst, PostgresDatabase):
            await dst.close()
            raise ValueError(f"{target} is not a PostgreSQL URL")
        try:
            return await _copy(src, dst, progress, started)
        finally:
            await dst.close()
    finally:
        await src.close()


async def _copy(
    src: Database,
    dst: PostgresDatabase,
    progress: Callable[[str, int], None] | None,
    started: float,
) -> CopyResult:
    existing = await dst.fetchone(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'events'"
    )
    if existing is not None and int(existing["n"]) > 0:
        held = await dst.fetchone("SELECT COUNT(*) AS n FROM events")
        if held is not None and int(held["n"]) > 0:
            raise StoreNotEmpty(
                f"{dst.path} already holds {int(held['n'])} events; copy into an empty database"
            )
    objects = await src.fetchall(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE sql IS NOT NULL AND type IN ('table', 'index') ORDER BY rowid"
    )
    tables = [
        r
        for r in objects
        if r["type"] == "table"
        and not str(r["name"]).startswith(_SKIP)
        and "VIRTUAL" not in str(r["sql"]).upper()
    ]
    names = {str(r["name"]) for r in tables}
    indexes = [r for r in objects if r["type"] == "index" and r["tbl_name"] in names]
    conn = dst.connection
    counts: dict[str, int] = {}
    async with dst.transaction():
        for r in tables:
            await conn.script(dialect.schema(_if_missing(str(r["sql"]))))
        for r in indexes:
            await conn.script(dialect.schema(_if_missing(str(r["sql"]))))
        async with conn._gate:
            await conn.refresh_schema()
        for r in tables:
            name = str(r["name"])
            counts[name] = await _copy_rows(src, dst, name)
            if progress is not None:
                progress(name, counts[name])
        versions = await src.fetchall("SELECT component, version FROM schema_migrations")
        await dst.executemany(
            "INSERT OR IGNORE INTO schema_migrations (component, version) VALUES (?, ?)",
            [(v["component"], v["version"]) for v in versions],
        )
        for table, column in conn.serial_tables().items():
            if table in names:
                await conn.script(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                    f" COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table}"
                )
    return CopyResult(counts, time.monotonic() - started)


def _if_missing(sql: str) -> str:
    return re.sub(
        r"^\s*(CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX))\s+(?!IF\b)",
        r"\1 IF NOT EXISTS ",
        sql,
        count=1,
        flags=re.IGNORECASE,
    )


async def _copy_rows(src: Database, dst: Database, table: str) -> int:
    cols = [str(c["name"]) for c in await src.fetchall(f"PRAGMA table_info({table})")]
    quoted = ", ".join(f'"{c}"' for c in cols)
    insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    copied = 0
    offset = 0
    while True:
        rows = await src.fetchall(
            f"SELECT {quoted} FROM {table} ORDER BY rowid LIMIT ? OFFSET ?", (CHUNK, offset)
        )
        if not rows:
            return copied
        await dst.executemany(insert, [tuple(r) for r in rows])
        copied += len(rows)
        offset += len(rows)


async def check_postgres(url: str) -> list[tuple[bool, str]]:
    """What ``roundtable doctor`` says of the PostgreSQL store at ``url``."""
    where = redact(url)
    try:
        db = await Database.open(url)
    except Exception as exc:
        return [
            (
                False,
                f"store: cannot connect to {where}: {exc}. Check the server runs, the URL,"
                " and the password in the environment variable store.password_env names.",
            )
        ]
    lines: list[tuple[bool, str]] = []
    try:
        version = await db.fetchone("SELECT current_setting('server_version') AS v")
        label = f"PostgreSQL {version['v']}" if version else "PostgreSQL"
        lines.append((True, f"store: {where} ({label}; several workers may share it)"))
        rows = await db.fetchall(
            "SELECT component, MAX(version) AS v FROM schema_migrations GROUP BY component"
            " ORDER BY component"
        )
        applied = {str(r["component"]): int(r["v"]) for r in rows}
        core = applied.get("core", 0)
        if core == 0:
            lines.append(
                (False, "store: no schema yet; `roundtable migrate` creates it (or just run)")
            )
        elif core < len(CORE_MIGRATIONS):
            lines.append(
                (
                    False,
                    f"store: the schema is behind (core {core} of {len(CORE_MIGRATIONS)});"
                    " `roundtable migrate` brings it up to date",
                )
            )
        elif core > len(CORE_MIGRATIONS):
            lines.append(
                (
                    False,
                    f"store: the schema is newer than this Roundtable (core {core});"
                    " upgrade Roundtable on this machine",
                )
            )
        else:
            parts = ", ".join(f"{c} {v}" for c, v in applied.items())
            lines.append((True, f"store: schema up to date ({parts})"))
    finally:
        await db.close()
    return lines
