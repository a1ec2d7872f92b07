"""In-process restarts: what was stored and not handled is handled after, and posted once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.replay import ReplayAdapter
from bot.actions import MessageRef, Say, Target
from bot.app import Roundtable
from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import CommandIssued, MessagePosted
from bot.outbox import Outbox
from bot.store import Database, SQLiteEventLog
from bot.timers import Timer, TimerBook
from tests.factories import T0, config, message


class Crash(BaseException):
    """Stands for the process dying mid-handling (kill -9): nothing after it runs."""


class CountingAdapter:
    name = "replay"
    capabilities = ReplayAdapter.capabilities

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def start(self, sink: object) -> None:
        return None

    async def send(self, action: object) -> list[MessageRef]:
        assert isinstance(action, Say)
        self.sent.append(action.text)
        return [MessageRef("replay", "main", f"bot-{len(self.sent)}")]

    async def aclose(self) -> None:
        return None


async def test_a_post_made_before_a_crash_is_not_made_again(tmp_path: Path) -> None:
    path = tmp_path / "rt.db"
    adapter = CountingAdapter()
    refs_seen: list[list[MessageRef]] = []

    async def start(crash: bool) -> tuple[Database, SQLiteEventLog, Bus]:
        db = await Database.open(path)
        log = SQLiteEventLog(db)
        await log.setup()
        await db.migrate("probe", ["CREATE TABLE probe (note TEXT)"])
        outbox = Outbox(log, FakeClock())
        outbox.attach(adapter)  # type: ignore[arg-type]
        bus = Bus(log, FakeClock())

        async def echo(event: MessagePosted) -> None:
            await db.execute("INSERT INTO probe (note) VALUES (?)", (event.text,))
            refs_seen.append(await outbox.send(Say(target=Target.of(event), text=event.text)))
            if crash:
                raise Crash  # after the post, before the event is marked handled

        bus.subscribe(MessagePosted, echo, name="echo")
        await bus.start()
        await bus.redeliver()
        return db, log, bus

    db, log, bus = await start(crash=True)
    await bus.publish(message("hello", message_id="x1"))
    with pytest.raises(Crash):
        await asyncio.wait_for(next(iter(bus._lane_tasks.values())), 5)
    # The process is gone: no clean shutdown, no flush.
    await log.journal.close()
    await db.close()
    assert adapter.sent == ["hello"]

    db, log, bus = await start(crash=False)
    await bus.drain()
    rows = await db.fetchall("SELECT note FROM probe")
    pending = await db.fetchall("SELECT seq FROM pending")
    await bus.aclose()
    await log.close()
    await db.close()
    assert bus.redelivered == 1
    assert adapter.sent == ["hello"]  # not posted twice
    assert refs_seen[-1] == [MessageRef("replay", "main", "bot-1")]  # the first post's id
    assert [r["note"] for r in rows] == ["hello"]  # the crashed attempt left nothing
    assert pending == []


async def test_an_event_started_just_before_a_crash_still_starts(tmp_path: Path) -> None:
    """``/event start`` stored, never handled: after the restart the event runs."""
    path = tmp_path / "rt.db"
    cfg = config({"models": {"enabled": False}})
    start = CommandIssued(
        platform="replay",
        community="c",
        channel="main",
        ts=T0,
        author="u_mod",
        author_name="Mo",
        name="event",
        args='start "Sleep"',
        message_id="m1",
    )
    db = await Database.open(path)
    log = SQLiteEventLog(db)
    await log.setup()
    await log.append([start], [None])  # stored; the process dies before handling it
    await log.journal.close()
    await db.close()

    clock = FakeClock(T0)
    question = message("How much sleep do teenagers need?", author="u_ann", at=5, message_id="q1")
    async with Roundtable(cfg, clock=clock, db_path=path) as bot:
        adapter = ReplayAdapter([question], clock=clock, settle=bot.drain, out=None)
        await bot.attach(adapter)
        await adapter.wait()
        await bot.drain()
        assert bot.bus.redelivered == 1
        session = bot.sessions.at("replay:c:main")
        assert session is not None and session.title == "Sleep"
        rows = await bot.db.fetchall("SELECT number, text FROM questions")
        statuses = await bot.db.fetchall("SELECT status FROM actions")
    assert [(r["number"], r["text"]) for r in rows] == [(1, "How much sleep do teenagers need?")]
    # the answers to the event handled again went out through the adapter, first
    assert isinstance(adapter.sent[0], Say) and "Sleep" in adapter.sent[0].text
    assert {r["status"] for r in statuses} == {"sent"}


async def test_a_timer_job_killed_after_posting_is_finished_once_after_a_restart(
    tmp_path: Path,
) -> None:
    """A scheduled post (a starter, a reminder) runs as a job: not lost, not doubled."""
    path = tmp_path / "rt.db"
    adapter = CountingAdapter()
    target = Target("replay", "demo", "main")

    async def start() -> tuple[Database, SQLiteEventLog, Outbox]:
        db = await Database.open(path)
        log = SQLiteEventLog(db)
        await log.setup()
        await db.migrate("probe", ["CREATE TABLE probe (note TEXT)"])
        outbox = Outbox(log, FakeClock())
        outbox.attach(adapter)  # type: ignore[arg-type]
        return db, log, outbox

    async def fire(db: Database, outbox: Outbox, crash: bool) -> list[MessageRef]:
        async with outbox.job("starter/7:1"):
            refs = await outbox.send(Say(target=target, text="Starter: what keeps a flat cool?"))
            refs += await outbox.send(Say(target=target, text="Second part of the starter"))
            await db.execute("INSERT INTO probe (note) VALUES ('starter 1 done')")
            if crash:
                raise Crash  # posted, bookkeeping not committed
        return refs

    db, log, outbox = await start()
    with pytest.raises(Crash):
        await fire(db, outbox, crash=True)
    await log.journal.close()
    await db.close()
    assert len(adapter.sent) == 2

    db, log, outbox = await start()
    assert await db.fetchall("SELECT note FROM probe") == []  # rolled back with the crash
    refs = await fire(db, outbox, crash=False)
    assert len(adapter.sent) == 2  # not posted again
    assert [r.message_id for r in refs] == ["bot-1", "bot-2"]  # the first posts' ids
    assert [r["note"] for r in await db.fetchall("SELECT note FROM probe")] == ["starter 1 done"]
    actions = await db.fetchall("SELECT status FROM actions ORDER BY seq")
    assert [a["status"] for a in actions] == ["sent", "sent"]

    # once the job has committed, its keys are gone: the next firing posts
    await fire(db, outbox, crash=False)
    assert len(adapter.sent) == 4
    await log.close()
    await db.close()


async def test_a_stored_timer_killed_midway_sends_the_rest_once_after_a_restart(
    tmp_path: Path,
) -> None:
    """A reminder to three people, killed after two: after the restart, the third, once."""
    path = tmp_path / "rt.db"
    adapter = CountingAdapter()
    target = Target("replay", "demo", "main")
    clock = FakeClock(T0)

    async def start(crash_after: int | None) -> tuple[Database, SQLiteEventLog, TimerBook]:
        db = await Database.open(path)
        log = SQLiteEventLog(db)
        await log.setup()
        outbox = Outbox(log, clock)
        outbox.attach(adapter)  # type: ignore[arg-type]
        book = TimerBook(db, clock, outbox.job)
        await book.setup()

        async def remind(timer: Timer) -> str:
            for n, who in enumerate(("Ann", "Bo", "Cy"), start=1):
                await outbox.send(Say(target=target, text=f"{who}: the event starts soon"))
                if n == crash_after:
                    raise Crash  # killed mid-way through the reminders
            return "reminded 3"

        book.on("remind", remind)
        return db, log, book

    db, log, book = await start(crash_after=2)
    await book.schedule("remind:next", "remind", T0)
    with pytest.raises(Crash):
        await book.fire_due()
    await log.journal.close()
    await db.close()
    assert adapter.sent == ["Ann: the event starts soon", "Bo: the event starts soon"]

    db, log, book = await start(crash_after=None)
    assert await book.fire_due() == 1  # still due: the interrupted firing was not kept
    assert adapter.sent == [f"{who}: the event starts soon" for who in ("Ann", "Bo", "Cy")]
    assert await book.fired("remind:next") == ("done", "reminded 3")
    statuses = await db.fetchall("SELECT status FROM actions")
    assert [r["status"] for r in statuses] == ["sent"] * 3
    assert await book.fire_due() == 0
    await log.close()
    await db.close()
