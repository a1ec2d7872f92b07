"""The pseudonym key lives outside the database, and every file is owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.config import PrivacyConfig
from bot.store import Database
from facilitation.ledger.secret import SecretError, resolve_secret
from facilitation.ledger.store import LedgerStore

UNSET = PrivacyConfig(secret_env="RT_SECRET_TEST_UNSET")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_key_is_a_0600_file_next_to_the_database_never_in_it(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "data" / "rt.db")
    try:
        store = LedgerStore(db)
        await store.setup()
        key = await resolve_secret(UNSET, store, {})
        await db.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
    finally:
        await db.close()
    key_file = tmp_path / "data" / "rt.db.secret"
    assert key_file.read_text().strip() == key and _mode(key_file) == 0o600
    assert _mode(tmp_path / "data") == 0o700
    for path in (tmp_path / "data").iterdir():
        assert _mode(path) == 0o600, path
        if path != key_file:
            assert key.encode() not in path.read_bytes(), path


async def test_an_old_key_in_the_database_moves_out_and_is_wiped(tmp_path: Path) -> None:
    old_key = "a" * 64
    db = await Database.open(tmp_path / "rt.db")
    try:
        store = LedgerStore(db)
        await store.setup()
        await db.execute(
            "INSERT INTO settings (key, value) VALUES ('ledger.pseudonym_secret', ?)", (old_key,)
        )
        await db.scrub()
        assert old_key.encode() in (tmp_path / "rt.db").read_bytes()  # the case we fix
        store = LedgerStore(db)  # a new run of the bot
        assert await resolve_secret(UNSET, store, {}) == old_key  # pseudonyms unchanged
        assert await store.setting("ledger.pseudonym_secret") is None
    finally:
        await db.close()
    for path in tmp_path.glob("rt.db*"):
        if path.name != "rt.db.secret":
            assert old_key.encode() not in path.read_bytes(), path
    assert (tmp_path / "rt.db.secret").read_text().strip() == old_key


async def test_the_environment_wins_and_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "rt.db")
    try:
        store = LedgerStore(db)
        await store.setup()
        assert await resolve_secret(UNSET, store, {"RT_SECRET_TEST_UNSET": "k"}) == "k"
        assert not (tmp_path / "rt.db.secret").exists()
        empty = tmp_path / "empty.secret"
        empty.write_text("\n")
        with pytest.raises(SecretError, match="empty"):
            await resolve_secret(UNSET, store, {}, file=empty)
    finally:
        await db.close()


async def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "rt.db"
    db = await Database.open(path)
    await db.execute("CREATE TABLE t (x)")
    await db.close()
    path.chmod(0o644)
    db = await Database.open(path)
    try:
        await db.execute("INSERT INTO t VALUES (1)")
        assert _mode(path) == 0o600
        assert _mode(tmp_path / "rt.db-wal") == 0o600
    finally:
        await db.close()
