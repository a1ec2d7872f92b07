"""Running a PostgreSQL store: migrate, doctor, and moving a SQLite store into it."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.doctor import doctor
from bot.runner import migrate
from bot.store import Database
from bot.store.copy import StoreNotEmpty, copy_store
from bot.store.pglog import open_event_log
from tests.factories import Script, config, message, run_script


def _config_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "rt.toml"
    path.write_text(
        f'[store]\nurl = "{url}"\n'
        f'[privacy]\nsecret_file = "{tmp_path / "rt.secret"}"\n'
        "[models]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


async def test_doctor_says_when_the_schema_is_missing_then_up_to_date(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_file(tmp_path, postgres_url)
    lines: list[str] = []
    assert await doctor(cfg, echo=lines.append, environ={}) == 1
    store = [line for line in lines if line[2:].startswith("store:")]
    assert store[0].startswith("✓") and "PostgreSQL 1" in store[0]
    assert store[1].startswith("✗") and "roundtable migrate" in store[1]

    assert await migrate(load_config(cfg)) == 0
    out = capsys.readouterr().out
    assert "core: version" in out and "questions: version" in out
    assert "search_path" in out  # names the store it migrated

    lines.clear()
    assert await doctor(cfg, echo=lines.append, environ={}) == 0
    assert any("schema up to date" in line and "core" in line for line in lines)


async def test_doctor_says_plainly_when_the_server_cannot_be_reached(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = _config_file(tmp_path, f"postgresql://rt@127.0.0.1:{port}/rt")
    lines: list[str] = []
    assert await doctor(cfg, echo=lines.append, environ={"ROUNDTABLE_DB_PASSWORD": "hush"}) == 1
    bad = [line for line in lines if line.startswith("✗ store")]
    assert bad and "cannot connect to postgresql://rt:***@127.0.0.1" in bad[0]
    assert "hush" not in "\n".join(lines)


async def test_a_sqlite_store_is_copied_whole_and_the_bot_goes_on_there(
    tmp_path: Path, postgres_url: str, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ROUNDTABLE_SECRET", "copy-test")
    s = Script()
    s.say("u_org", "/event start Copy test")
    q = s.say("u_ann", "/ask What does the copy keep?")
    s.react("u_bob", q)
    s.say("u_bob", "/upvote 1")
    s.say("u_cat", "/ask And the votes?")
    cfg = config({"models": {"enabled": False}})
    source = tmp_path / "rt.db"
    await run_script(s.lines, cfg=cfg, db_path=str(source))

    done = await copy_store(str(source), postgres_url)
    assert done.tables["events"] > len(s.lines)  # the messages and the event's start
    assert done.tables["questions"] == 2 and done.tables["question_votes"] >= 1

    lite = await Database.open(source)
    pg = await Database.open(postgres_url)
    try:
        for table in ("events", "questions", "question_votes", "sessions", "actions", "pending"):
            order = "seq" if table in ("events", "actions", "pending") else "1, 2"
            want = [
                tuple(r) for r in await lite.fetchall(f"SELECT * FROM {table} ORDER BY {order}")
            ]
            got = [tuple(r) for r in await pg.fetchall(f"SELECT * FROM {table} ORDER BY {order}")]
            assert got == want, table
        # the copied store goes on: the next event follows the copied ones
        log = open_event_log(pg)
        await log.setup()
        fresh = await log.append([message("later", message_id="later")], [None])
        assert fresh[0].seq == done.tables["events"] + 1
        await log.close()
    finally:
        await lite.close()
        await pg.close()

    with pytest.raises(StoreNotEmpty, match="already holds"):
        await copy_store(str(source), postgres_url)

    s.say("u_dan", "/ask Does the bot carry on after the move?")
    actions, _ = await run_script(s.lines, cfg=cfg, db_path=postgres_url)
    said = [getattr(a, "text", "") for a in actions]
    assert any("3" in t for t in said), said  # the third question, numbered after the copied two
