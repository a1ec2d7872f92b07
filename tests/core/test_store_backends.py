"""The store's contract, on every backend: a SQLite file, then a PostgreSQL schema.

Each test gets ``store_target`` (tests/conftest.py): a fresh SQLite path, or a URL
with a fresh schema on the session's throwaway PostgreSQL server.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.store import Database
from bot.store.log import SQLiteEventLog
from bot.store.pglog import open_event_log
from tests.factories import message, reaction


async def test_migrations_run_once_and_in_order(store_target: str) -> None:
    db = await Database.open(store_target)
    assert await db.migrate("thing", ["CREATE TABLE thing (x INTEGER)"]) == 1
    assert await db.migrate("thing", ["CREATE TABLE thing (x INTEGER)"]) == 0
    two = ["CREATE TABLE thing (x INTEGER)", "ALTER TABLE thing ADD COLUMN y TEXT"]
    assert await db.migrate("thing", two) == 1
    await db.execute("INSERT INTO thing (x, y) VALUES (?, ?)", (1, "a"))
    row = await db.fetchone("SELECT x, y FROM thing")
    assert row is not None and (row["x"], row["y"]) == (1, "a")
    await db.close()
    db = await Database.open(store_target)
    assert await db.migrate("thing", two) == 0
    await db.close()


async def test_appends_are_idempotent_across_batches_and_restarts(store_target: str) -> None:
    db = await Database.open(store_target)
    log = open_event_log(db)
    await log.setup()
    first = [message("a", message_id="1"), message("b", message_id="2"), reaction("1")]
    assert [a.fresh for a in await log.append(first, [None] * 3)] == [True, True, True]
    again = [
        message("a", message_id="1"),
        message("c", message_id="3"),
        message("c", message_id="3"),
    ]
    appended = await log.append(again, [None] * 3)
    assert [a.fresh for a in appended] == [False, True, False]
    assert [seq for seq, _ in await log.pending()] == [1, 2, 3, 4]
    await log.close()
    await db.close()

    db = await Database.open(store_target)
    log = open_event_log(db)
    await log.setup()
    assert [a.fresh for a in await log.append([message("b", message_id="2")], [7])] == [False]
    events = await log.events()
    assert [(e.seq, e.kind, e.message_id, e.text) for e in events] == [
        (1, "MessagePosted", "1", "a"),
        (2, "MessagePosted", "2", "b"),
        (3, "ReactionAdded", "1", None),
        (4, "MessagePosted", "3", "c"),
    ]
    await log.close()
    await db.close()


async def test_handling_commits_the_effects_with_the_handled_mark(store_target: str) -> None:
    db = await Database.open(store_target)
    await db.migrate("t", ["CREATE TABLE t (x INTEGER)"])
    log = open_event_log(db)
    await log.setup()
    stored = await log.append([message("a", message_id="1"), message("b", message_id="2")], [1, 1])
    seqs = [a.seq for a in stored]
    assert all(isinstance(s, int) for s in seqs)
    async with log.handling(seqs[0]):  # type: ignore[arg-type]
        await db.execute("INSERT INTO t (x) VALUES (1)")
    with pytest.raises(RuntimeError, match="boom"):
        async with log.handling(seqs[1]):  # type: ignore[arg-type]
            await db.execute("INSERT INTO t (x) VALUES (2)")
            raise RuntimeError("boom")
    await log.flush()
    assert [s for s, _ in await log.pending()] == [seqs[1]]
    assert [r["x"] for r in await db.fetchall("SELECT x FROM t")] == [1]
    await log.close()
    await db.close()


async def test_a_transaction_rolls_back_as_a_whole(store_target: str) -> None:
    db = await Database.open(store_target)
    await db.migrate("t", ["CREATE TABLE t (x INTEGER UNIQUE)"])
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with db.transaction():
            await db.execute("INSERT INTO t (x) VALUES (1)")
            await db.execute("INSERT INTO t (x) VALUES (1)")
    assert await db.fetchall("SELECT x FROM t") == []
    async with db.transaction():
        await db.execute("INSERT INTO t (x) VALUES (2)")
        with pytest.raises(Exception, match=r"(?i)unique"):
            async with db.transaction():  # a savepoint: only its own writes are undone
                await db.execute("INSERT INTO t (x) VALUES (2)")
        await db.execute("INSERT INTO t (x) VALUES (3)")
    assert [r["x"] for r in await db.fetchall("SELECT x FROM t ORDER BY x")] == [2, 3]
    await db.close()


async def test_the_sqlite_dialect_means_the_same_on_both(store_target: str) -> None:
    """What modules write (upserts, LIKE, NULL order, a 'user' column, ids) reads back alike."""
    db = await Database.open(store_target)
    await db.migrate(
        "kv",
        [
            """
            CREATE TABLE kv (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT,
                score REAL,
                blob BLOB,
                UNIQUE (user, key)
            );
            CREATE TABLE grants (user TEXT NOT NULL, role TEXT NOT NULL, ts TEXT NOT NULL,
                PRIMARY KEY (user, role));
            """
        ],
    )
    first = await db.execute(
        "INSERT INTO kv (user, key, value, score, blob) VALUES (?,?,?,?,?)",
        ("ann", "Colour", "red", 0.5, b"\x00\x01"),
    )
    second = await db.execute(
        "INSERT INTO kv (user, key, value) VALUES (?,?,?)", ("bob", "colour", None)
    )
    assert (first, second) == (1, 2)
    await db.execute(
        "INSERT OR IGNORE INTO kv (user, key, value) VALUES (?,?,?)", ("ann", "Colour", "x")
    )
    await db.execute(
        "INSERT OR REPLACE INTO grants (user, role, ts) VALUES (?,?,?)", ("ann", "mod", "1")
    )
    await db.execute(
        "INSERT OR REPLACE INTO grants (user, role, ts) VALUES (?,?,?)", ("ann", "mod", "2")
    )
    grants = await db.fetchall("SELECT user, role, ts FROM grants")
    assert [tuple(r) for r in grants] == [("ann", "mod", "2")]
    liked = await db.fetchall("SELECT user FROM kv WHERE key LIKE ? ORDER BY user", ("colo%",))
    assert [r["user"] for r in liked] == ["ann", "bob"]  # LIKE ignores case in both
    by_value = await db.fetchall("SELECT user FROM kv ORDER BY value, user")
    assert [r["user"] for r in by_value] == ["bob", "ann"]  # NULL sorts first in both
    desc = await db.fetchall("SELECT user FROM kv ORDER BY value DESC")
    assert [r["user"] for r in desc] == ["ann", "bob"]
    row = await db.fetchone(
        "SELECT COUNT(*) AS n, SUM(id) AS s, MAX(score) AS m, instr(user, 'n') AS i"
        " FROM kv WHERE user = ? GROUP BY user",
        ("ann",),
    )
    assert row is not None
    assert (row["n"], row["s"], row["m"], row["i"]) == (1, 1, 0.5, 2)
    assert type(row["s"]) is int
    blob = await db.fetchone("SELECT blob FROM kv WHERE id = ?", (1,))
    assert blob is not None and bytes(blob["blob"]) == b"\x00\x01"
    changed = await db.execute("UPDATE kv SET value = ? WHERE key LIKE ?", ("blue", "COLOUR"))
    assert changed == 2
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", ("kv",)
    )
    assert [r["name"] for r in tables] == ["kv"]
    cols = [str(c["name"]) for c in await db.fetchall("PRAGMA table_info(kv)")]
    assert cols == ["id", "user", "key", "value", "score", "blob"]
    await db.close()


async def test_units_of_work_keep_other_tasks_writes_apart(store_target: str) -> None:
    db = await Database.open(store_target)
    await db.migrate("t", ["CREATE TABLE t (who TEXT, n INTEGER)"])
    started = asyncio.Event()
    release = asyncio.Event()

    async def unit_that_fails() -> None:
        async with db.unit():
            await db.execute("INSERT INTO t (who, n) VALUES ('unit', 1)")
            started.set()
            await release.wait()
            raise RuntimeError("undo")

    task = asyncio.create_task(unit_that_fails())
    await started.wait()
    writer = asyncio.create_task(db.execute("INSERT INTO t (who, n) VALUES ('other', 2)"))
    await asyncio.sleep(0.05)
    assert not writer.done()  # waits for the unit, as SQLite's single writer does
    release.set()
    with pytest.raises(RuntimeError, match="undo"):
        await task
    await writer
    assert [r["who"] for r in await db.fetchall("SELECT who FROM t")] == ["other"]
    await db.close()


async def test_the_log_matches_the_backend(store_target: str) -> None:
    db = await Database.open(store_target)
    log = open_event_log(db)
    assert isinstance(log, SQLiteEventLog)
    assert (type(log).__name__ == "PostgresEventLog") == store_target.startswith("postgresql")
    assert db.dialect == ("postgresql" if store_target.startswith("postgresql") else "sqlite")
    await db.close()


async def test_an_insert_that_adds_nothing_returns_zero_not_an_earlier_id(
    store_target: str,
) -> None:
    db = await Database.open(store_target)
    await db.migrate(
        "pairs",
        ["CREATE TABLE pairs (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL UNIQUE)"],
    )
    first = await db.execute("INSERT OR IGNORE INTO pairs (a) VALUES (?)", ("x",))
    second = await db.execute("INSERT OR IGNORE INTO pairs (a) VALUES (?)", ("y",))
    assert first >= 1 and second > first
    assert await db.execute("INSERT OR IGNORE INTO pairs (a) VALUES (?)", ("x",)) == 0
    async with db.transaction():
        assert await db.execute("INSERT OR IGNORE INTO pairs (a) VALUES (?)", ("y",)) == 0
        third = await db.execute("INSERT OR IGNORE INTO pairs (a) VALUES (?)", ("z",))
    assert third > second
    await db.close()
