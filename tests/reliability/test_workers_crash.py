"""Kill -9 a real worker on a PostgreSQL store mid-replay; another takes over, it comes back.

Worker ``a`` (a real ``roundtable replay`` subprocess) owns the transcript's
channel; worker ``b`` (in this process) owns another channel and leads. Each
time ``a`` is killed, ``b`` takes over its share and handles what ``a`` had
stored but not handled; then ``a`` starts again, asks for its share back and
goes on. At the end the store holds what one uninterrupted process on SQLite
makes of the same transcript: the same questions, votes and answers, and the
same posts, none twice (a post in flight at a kill, never confirmed, may be
missing: it is recorded as ``unsure``).
"""

from __future__ import annotations

import asyncio
import functools
import io
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from adapters.replay import ReplayAdapter, parse_transcript
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import load_config
from bot.events import MessagePosted
from bot.store import Database
from tests.reliability import driver

MESSAGES = 100
KILLS = 3

WORKER = """
[bot]
name = "Roundtable"
out_dir = "{out}"

[models]
enabled = false

[report]
write_on_end = false  # the files at the end are not what this test is about (and slow)
cadence_minutes = 4  # rolling digests, as in the driver's runs
min_messages = 12

[ledger]
export_on_end = false

[privacy]
secret_file = "{secret}"

[roles]
moderators = ["replay:u_mod"]
panellists = ["replay:u_pan1", "replay:u_pan2"]

[worker]
name = "{name}"
channels = ["{channel}"]
direct_messages = {dms}
leader_check_seconds = 0.2
"""


def _worker_config(folder: Path, name: str, channel: str, dms: bool) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        WORKER.format(
            out=folder / "out",
            secret=folder / "rt.secret",
            name=name,
            channel=channel,
            dms=str(dms).lower(),
        ),
        encoding="utf-8",
    )
    return path


def _command(config: Path, transcript: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "replay", str(transcript), "-c", str(config),
            "--db", url]  # fmt: skip


async def _count(url: str, sql: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(sql))
    except asyncpg.UndefinedTableError:
        return 0
    finally:
        await conn.close()


async def _until(check: Any, within: float = 60.0, pause: float = 0.02) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(pause)


def _sqlite_outcome(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        return {
            "questions": [tuple(r) for r in conn.execute(_QUESTIONS).fetchall()],
            "answers": [tuple(r) for r in conn.execute(_ANSWERS).fetchall()],
        }
    finally:
        conn.close()


async def _pg_outcome(url: str) -> dict[str, Any]:
    db = await Database.open(url)
    try:
        return {
            "questions": [tuple(r) for r in await db.fetchall(_QUESTIONS)],
            "answers": [tuple(r) for r in await db.fetchall(_ANSWERS)],
            "pending": await db.fetchall("SELECT seq FROM pending"),
            "unsure": len(await db.fetchall("SELECT ts FROM actions WHERE status = 'unsure'")),
            "events": len(await db.fetchall("SELECT seq FROM events")),
        }
    finally:
        await db.close()


_QUESTIONS = (
    "SELECT q.number, q.text, q.state, (SELECT COUNT(*) FROM question_votes v"
    " WHERE v.question_id = q.id) AS votes FROM questions q ORDER BY q.number"
)
_ANSWERS = (
    "SELECT q.number, a.message_id, a.author, a.text FROM question_answers a"
    " JOIN questions q ON q.id = a.question_id ORDER BY q.number, a.message_id"
)


async def test_a_worker_killed_mid_replay_is_taken_over_and_comes_back_losing_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    transcript = tmp_path / "t.jsonl"
    driver.write_transcript(transcript, MESSAGES, seed=5)

    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    clean_db = clean_dir / "rt.db"
    clean_config = driver.write_config(clean_dir, clean_db)
    text = clean_config.read_text(encoding="utf-8")
    assert "[report]\ncadence_minutes = 4\nmin_messages = 12\n" in text  # as the workers'
    text = text.replace("[report]\n", "[report]\nwrite_on_end = false\n")
    clean_config.write_text(text + "\n[ledger]\nexport_on_end = false\n", encoding="utf-8")
    clean = driver.replay_once(clean_config, transcript, clean_db, clean_dir / "out.txt")
    want = _sqlite_outcome(clean_db)
    assert len(want["questions"]) > 10 and want["answers"] and len(clean.posts) > 30

    run = tmp_path / "pg"
    run.mkdir()
    a_config = _worker_config(run, "a", "replay:*:main", dms=True)
    b_config = _worker_config(run, "b", "replay:*:elsewhere", dms=False)
    clock = FakeClock(datetime(2026, 3, 12, 17, 0, tzinfo=UTC))  # before the transcript
    b = Roundtable(load_config(b_config), clock=clock, db_path=postgres_url)
    await b.setup()
    names = {
        e.author: e.display_name
        for e in parse_transcript(transcript.read_text(encoding="utf-8").splitlines())
        if isinstance(e, MessagePosted)
    }
    b_out = io.StringIO()
    taken_over: list[int] = []
    outputs: list[Path] = []
    try:
        assert b.leader.leading and b.crew is not None
        await b.attach(ReplayAdapter([], clock=clock, out=b_out, names=names))
        for cycle in range(KILLS + 1):
            before = await _count(postgres_url, "SELECT COUNT(*) FROM events")
            outputs.append(run / f"a.{cycle}.txt")
            errors = run / f"a.{cycle}.err"
            with outputs[-1].open("w", encoding="utf-8") as out, errors.open("w") as err:
                proc = await asyncio.create_subprocess_exec(
                    *_command(a_config, transcript, postgres_url), stdout=out, stderr=err,
                    env=driver._env(), cwd=driver.ROOT,
                )  # fmt: skip
            if cycle == KILLS:
                assert await proc.wait() == 0, errors.read_text()[-3000:]
                assert "Traceback" not in errors.read_text()
                break
            target = before + MESSAGES // (KILLS + 2)
            watch = await asyncpg.connect(postgres_url)
            try:  # kill it just as it stores an event: it is likely handling it
                await _until(functools.partial(_stored_or_done, watch, target, proc), pause=0)
            finally:
                await watch.close()
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            taken_over.append(await _count(postgres_url, "SELECT COUNT(*) FROM pending"))
            # b notices the dead worker, takes over its share, handles what it left
            await _until(functools.partial(_taken_over, b, cycle + 1))
            await b.settle()
            assert await _count(postgres_url, "SELECT COUNT(*) FROM pending") == 0
        await b.drain()
    finally:
        await b.aclose()
    got = await _pg_outcome(postgres_url)
    assert got["pending"] == []
    assert got["questions"] == want["questions"]
    assert got["answers"] == want["answers"]
    assert got["events"] >= MESSAGES
    # what was posted on the "platform": a's output over its runs, and b's
    posts = [p for out in outputs for p in driver.bot_posts(out.read_text("utf-8"), run)]
    by_b = driver.bot_posts(b_out.getvalue(), run)
    posts += by_b
    assert driver.duplicate_posts(posts, clean.posts) == 0
    only_crashed, only_clean = driver.divergent_posts(posts, clean.posts)
    assert only_crashed == 0
    assert only_clean <= got["unsure"]  # a post in flight at a kill is not made again
    assert sum(taken_over) >= 1, taken_over  # some kill left events for b to handle
    assert b.crew.takeovers >= KILLS


async def _stored_or_done(
    conn: asyncpg.Connection, target: int, proc: asyncio.subprocess.Process
) -> bool:
    got = int(await conn.fetchval("SELECT COUNT(*) FROM events"))
    return got >= target or proc.returncode is not None


async def _taken_over(bot: Roundtable, times: int) -> bool:
    assert bot.crew is not None
    return bot.crew.takeovers >= times
