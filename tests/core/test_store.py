from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import Database, SQLiteEventLog
from tests.factories import message, reaction


async def test_the_store_uses_wal_and_migrations_run_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "rt.db")
    row = await db.fetchone("PRAGMA journal_mode")
    assert row is not None and row[0] == "wal"
    assert await db.migrate("thing", ["CREATE TABLE thing (x INTEGER)"]) == 1
    assert await db.migrate("thing", ["CREATE TABLE thing (x INTEGER)"]) == 0
    assert (
        await db.migrate(
            "thing", ["CREATE TABLE thing (x INTEGER)", "ALTER TABLE thing ADD COLUMN y TEXT"]
        )
        == 1
    )
    await db.execute("INSERT INTO thing (x, y) VALUES (1, 'a')")
    await db.close()


async def test_appends_are_idempotent_across_batches_and_restarts(tmp_path: Path) -> None:
    path = tmp_path / "rt.db"
    db = await Database.open(path)
    log = SQLiteEventLog(db)
    await log.setup()
    first = [message("a", message_id="1"), message("b", message_id="2"), reaction("1")]
    assert [a.fresh for a in await log.append(first, [None] * 3)] == [True, True, True]
    again = [
        message("a", message_id="1"),
        message("c", message_id="3"),
        message("c", message_id="3"),
    ]
    assert [a.fresh for a in await log.append(again, [None] * 3)] == [False, True, False]
    await db.close()

    db = await Database.open(path)
    log = SQLiteEventLog(db)
    await log.setup()
    assert [a.fresh for a in await log.append([message("b", message_id="2")], [7])] == [False]
    events = await log.events()
    assert [(e.kind, e.message_id, e.text) for e in events] == [
        ("MessagePosted", "1", "a"),
        ("MessagePosted", "2", "b"),
        ("ReactionAdded", "1", None),
        ("MessagePosted", "3", "c"),
    ]
    await db.close()


async def test_a_transaction_rolls_back_as_a_whole(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "rt.db")
    await db.migrate("t", ["CREATE TABLE t (x INTEGER UNIQUE)"])
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        async with db.transaction():
            await db.execute("INSERT INTO t (x) VALUES (1)")
            await db.execute("INSERT INTO t (x) VALUES (1)")
    rows = await db.fetchall("SELECT x FROM t")
    assert rows == []
    await db.close()
