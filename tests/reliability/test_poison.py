"""One bad event costs only itself: refused into quarantine with a reason; its batch is stored."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.replay.translate import TranscriptError, parse_transcript
from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import Event, MessagePosted
from bot.store import Database, SQLiteEventLog
from tests.factories import message
from tests.reliability.driver import ROOT, write_config


async def test_poison_events_are_quarantined_and_the_rest_of_the_batch_is_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = await Database.open(tmp_path / "rt.db")
    log = SQLiteEventLog(db)
    await log.setup()
    bus = Bus(log, FakeClock(), batch_size=1000)
    handled: list[str] = []

    async def handler(event: MessagePosted) -> None:
        handled.append(event.message_id)

    bus.subscribe(MessagePosted, handler)
    await bus.start()
    events: list[Event] = [message(f"fine {i}", message_id=f"g{i}") for i in range(1998)]
    surrogate = message("broken \ud83d text", message_id="bad1")
    as_object = dataclasses.replace(message("a reply", message_id="bad2"), reply_to={"id": 1})  # type: ignore[arg-type]
    events.insert(500, surrogate)
    events.insert(1500, as_object)
    with caplog.at_level(logging.WARNING, "roundtable.store"):
        fresh = await bus.publish_many(events)
    await bus.drain()
    stored = await db.fetchone("SELECT COUNT(*) AS n FROM events")
    held = await log.quarantined()
    await bus.aclose()
    await log.close()
    await db.close()

    assert stored is not None and stored["n"] == 1998
    assert fresh.count(True) == 1998 and fresh[500] is False and fresh[1500] is False
    assert len(handled) == 1998
    assert bus.quarantined == 2
    assert [h["dedup_key"] for h in held] == ["msg:bad1", "msg:bad2"]
    assert "not valid text" in held[0]["reason"]
    assert "reply_to should be text" in held[1]["reason"]
    assert "\\ud83d" in held[0]["payload"]  # kept, in a form that can be stored
    assert sum("quarantine" in r.getMessage() for r in caplog.records) == 2


async def test_a_redelivered_poison_event_is_quarantined_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "rt.db")
    log = SQLiteEventLog(db)
    await log.setup()
    bad = message("x \udfff", message_id="bad")
    for _ in range(3):
        result = await log.append([bad], [None])
        assert result[0].refused is not None and not result[0].fresh
    assert len(await log.quarantined()) == 1
    await log.close()
    await db.close()


def test_a_bad_transcript_line_is_reported_and_the_rest_replayed(tmp_path: Path) -> None:
    lines = [
        '{"id": "m1", "ts": "2026-03-12T18:00:00+00:00", "author": "u_mod", "text": "hi"}',
        '{"id": "m2", "ts": "not a time", "author": "u_ann", "text": "lost"}',
        "this is not json",
        '{"type": "edit", "ts": "2026-03-12T18:00:03+00:00", "author": "u_ann"}',
        '{"id": "m3", "ts": "2026-03-12T18:00:05+00:00", "author": "u_bo", "text": "still here"}',
    ]
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "rt.db"
    cfg = write_config(tmp_path, db)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "replay", str(transcript), "-c", str(cfg), "--db",
         str(db), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
        env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Skipped 3 unreadable line(s)" in done.stderr
    for n in (2, 3, 4):
        assert f"line {n}:" in done.stderr
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT message_id FROM events ORDER BY seq")]
    assert ids == ["m1", "m3"]


def test_a_bad_irc_line_is_reported_and_the_rest_replayed(tmp_path: Path) -> None:
    lines = [
        "[18:00] <mo> welcome everyone",
        "[25:61] <ann> a time that is not one",
        "<bo> a line without a time",
        "=== ann has joined #panel",
        "[18:02] * bo waves",
        "[18:03] <bo> still here after the bad lines",
    ]
    transcript = tmp_path / "t.log"
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "rt.db"
    cfg = write_config(tmp_path, db)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "replay", str(transcript), "-c", str(cfg), "--db",
         str(db), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
        env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Skipped 2 unreadable line(s)" in done.stderr
    assert "line 2: [25:61] is not a time of day" in done.stderr
    assert "line 3: expected '[hh:mm] <nick> text'" in done.stderr
    with sqlite3.connect(db) as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM events WHERE text IS NOT NULL")]
    assert texts == ["welcome everyone", "waves", "still here after the bad lines"]


def test_a_dated_irc_log_skips_dates_that_are_not_real() -> None:
    problems: list[TranscriptError] = []
    events = list(
        parse_transcript(
            [
                "#panel 2024-05-01 [18:00:00] <mo> hello",
                "#panel 2024-02-30 [18:00:01] <ann> no such day",
                "#panel 9999-05-01 [18:00:02] <ann> far future",
                "a line that is not a log line",
                "#panel 2024-05-01 [18:00:05] <bo> carried on",
            ],
            on_error=problems.append,
        )
    )
    assert [e.text for e in events if isinstance(e, MessagePosted)] == ["hello", "carried on"]
    assert [str(p).split(":")[0] for p in problems] == ["line 2", "line 3", "line 4"]
    assert "not real" in str(problems[0]) and "not a plausible date" in str(problems[1])
    with pytest.raises(TranscriptError, match="line 2"):
        list(parse_transcript(["[18:00] <mo> hi", "[99:00] <mo> bad"]))
