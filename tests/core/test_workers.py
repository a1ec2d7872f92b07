"""Several workers on one PostgreSQL store: shares, exactly-once effects, leadership."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from adapters.replay import ReplayAdapter, parse_transcript
from bot.actions import Action, DirectMessage, Reply, Say
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import Config
from bot.store import Database
from bot.store.pgjournal import PgJournal
from bot.workers import Leadership, Share, SharesOverlap, WorkerInUse, overlap
from tests.factories import T0, config

CHANNELS = ("east", "west")


def _two_channels() -> list[str]:
    """Two events at once, one per channel, interleaved in time."""
    lines: list[tuple[float, dict[str, Any]]] = []
    for k, channel in enumerate(CHANNELS):
        c = channel[0]

        def say(
            t: float, who: str, text: str, mid: str, channel: str = channel, k: int = k
        ) -> None:
            at = (T0 + timedelta(seconds=t + k)).isoformat()
            line = {"id": mid, "ts": at, "author": who, "text": text, "channel": channel}
            lines.append((t + k, line))

        say(0, "u_org", f"/event start {channel.title()} panel", f"{c}1")
        say(10, "u_ann", f"/ask What will the {channel} district do about heat?", f"{c}2")
        say(20, "u_bob", "/upvote 1" if channel == "east" else "/upvote 2", f"{c}3")
        say(30, "u_cat", f"/ask Who pays for the {channel} cooling centres?", f"{c}4")
        say(40, "u_dan", f"/ask When will the {channel} report be published?", f"{c}5")
        say(50, "u_org", "/queue", f"{c}6")
        say(60, "u_pan", "/next", f"{c}7")
        say(70, "u_ann", f"Thanks, that helps the {channel} side a lot", f"{c}8")
        say(80, "u_org", "/event end", f"{c}9")
    return [json.dumps(line) for _, line in sorted(lines, key=lambda x: x[0])]


def _config(out: Path, worker: dict[str, Any] | None = None, **more: Any) -> Config:
    data: dict[str, Any] = {
        "bot": {"out_dir": str(out)},
        "models": {"enabled": False},
        "privacy": {"secret_env": "RT_WORKERS_TEST_SECRET"},
        "events": [
            {"id": ch, "title": ch.title(), "channels": [f"replay:demo:{ch}"]} for ch in CHANNELS
        ],
    }
    if worker is not None:
        data["worker"] = worker
    return config({**data, **more})


async def _run(cfg: Config, target: str, lines: list[str], times: int = 1) -> list[Action]:
    """One worker replaying ``lines`` (``times`` over: a platform redelivering)."""
    events = list(parse_transcript(lines)) * times
    clock = FakeClock(events[0].ts)
    bot = Roundtable(cfg, clock=clock, db_path=target)
    await bot.setup()
    adapter = ReplayAdapter(events, clock=clock, settle=bot.drain, out=None)
    try:
        await bot.attach(adapter)
        await adapter.wait()
        await bot.drain()
    finally:
        await bot.aclose()
    return adapter.sent


def _posts(actions: list[Action]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for a in actions:
        if isinstance(a, Say | Reply):
            out[(a.target.channel, a.text)] += 1
        elif isinstance(a, DirectMessage):
            out[(f"dm-{a.user}", a.text)] += 1
    return out


async def _store(target: str) -> dict[str, Any]:
    db = await Database.open(target)
    try:
        return {
            "events": await db.fetchall(
                "SELECT platform, channel, kind, text FROM events ORDER BY channel, ts, kind"
            ),
            "pending": await db.fetchall("SELECT seq FROM pending"),
            "errors": await db.fetchall("SELECT subscriber, error FROM errors"),
            "questions": await db.fetchall(
                "SELECT s.slug, q.text, q.state, (SELECT COUNT(*) FROM question_votes v"
                " WHERE v.question_id = q.id) AS votes FROM questions q"
                " JOIN sessions s ON s.id = q.session_id ORDER BY s.slug, q.text"
            ),
            "sent": await db.fetchall(
                "SELECT channel, text FROM actions WHERE status = 'sent' AND kind <> 'React'"
            ),
        }
    finally:
        await db.close()


async def test_two_workers_on_two_channels_lose_nothing_and_post_nothing_twice(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RT_WORKERS_TEST_SECRET", "workers")
    lines = _two_channels()
    # One process on SQLite: the answers to compare with (the same out folder: the
    # end-of-event post names it).
    solo_target = str(tmp_path / "solo.db")
    solo = await _run(_config(tmp_path / "out"), solo_target, lines)
    want = await _store(solo_target)
    assert len(want["questions"]) == 6 and not want["errors"]

    # Two workers, each seeing both channels (twice: redelivered), owning one each.
    east = _config(tmp_path / "out", {"name": "east", "channels": ["replay:*:east"]})
    west = _config(
        tmp_path / "out",
        {"name": "west", "channels": ["replay:*:west"], "direct_messages": False},
    )
    sent_east, sent_west = await asyncio.gather(
        _run(east, postgres_url, lines, times=2), _run(west, postgres_url, lines, times=2)
    )
    got = await _store(postgres_url)
    assert [tuple(r) for r in got["events"]] == [tuple(r) for r in want["events"]]
    assert got["pending"] == [] and got["errors"] == []
    assert [tuple(r) for r in got["questions"]] == [tuple(r) for r in want["questions"]]
    assert {ch for ch, _ in _posts(sent_east)} <= {"east", "dm-u_org"}
    assert {ch for ch, _ in _posts(sent_west)} <= {"west", "dm-u_org"}
    both = _posts(sent_east) + _posts(sent_west)
    assert both == _posts(solo)  # the same posts, each once
    assert Counter((r["channel"], r["text"]) for r in got["sent"]) == Counter(
        (r["channel"], r["text"]) for r in want["sent"]
    )


async def test_a_second_process_with_the_same_worker_name_is_refused(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RT_WORKERS_TEST_SECRET", "workers")
    cfg = _config(tmp_path, {"name": "east", "channels": ["replay:*:east"]})
    async with Roundtable(cfg, db_path=postgres_url):
        with pytest.raises(WorkerInUse, match="'east' is already running"):
            await Roundtable(cfg, db_path=postgres_url).setup()
        other = _config(
            tmp_path, {"name": "west", "channels": ["replay:*:west"], "direct_messages": False}
        )
        async with Roundtable(other, db_path=postgres_url) as second:
            assert second.share.name == "west"


async def test_leadership_passes_to_another_worker_when_the_leader_dies(
    postgres_url: str,
) -> None:
    first = Leadership(postgres_url, interval=0.05)
    second = Leadership(postgres_url, interval=0.05)
    await first.start()
    await second.start()
    try:
        assert first.leading and not second.leading
        await asyncio.sleep(0.2)
        assert first.leading and not second.leading  # it stays put while the leader lives
        assert first._conn is not None and first._task is not None
        first._task.cancel()  # the leader is killed (kill -9): its loop stops,
        first._conn.terminate()  # and the server sees its connection drop
        assert await second.wait_leading(within=10)
    finally:
        await first.aclose()
        await second.aclose()
    assert Leadership.solo().leading


async def test_a_leader_whose_connection_drops_stops_leading(postgres_url: str) -> None:
    lead = Leadership(postgres_url, interval=0.05)
    await lead.start()
    try:
        assert lead.leading and lead._conn is not None
        change = lead.changed  # set at its next change of mind, from leading to not
        lead._conn.terminate()  # it lives, but the server has let go of its lock
        await asyncio.wait_for(change.wait(), timeout=10)  # it noticed
        assert await lead.wait_leading(within=10)  # alone, it takes the lead back
    finally:
        await lead.aclose()


async def test_a_worker_without_a_server_connection_does_not_lead(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    await conn.close()
    lead = Leadership("postgresql://nobody@127.0.0.1:1/none", interval=0.05)
    await lead.start()
    try:
        assert not lead.leading
    finally:
        await lead.aclose()


def test_shares_overlap_only_where_both_would_own_an_event() -> None:
    east = Share("east", channels=("replay:*:east",))
    west = Share("west", channels=("replay:*:west",), direct_messages=False)
    assert overlap(east, west) is None
    assert overlap(east, Share("all", direct_messages=False)) == (
        "the channels 'replay:*:east' and '*:*:*'"
    )
    assert overlap(east, Share("dms", channels=("replay:*:west",))) == "direct messages"
    # other platforms, or the same channel name on another platform: nothing shared
    assert overlap(Share("d", ("discord",)), Share("s", ("slack",))) is None
    assert (
        overlap(
            Share("a", channels=("discord:*:1",)),
            Share("b", channels=("slack:*:1",), direct_messages=False),
        )
        is None
    )
    assert overlap(Share("a", ("discord",)), Share("b")) == "direct messages on discord"


async def test_a_worker_whose_share_overlaps_a_running_one_is_refused(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RT_WORKERS_TEST_SECRET", "workers")
    east = _config(tmp_path, {"name": "east", "channels": ["replay:*:east"]})
    async with Roundtable(east, db_path=postgres_url):
        everything = _config(tmp_path, {"name": "all", "direct_messages": False})
        with pytest.raises(SharesOverlap, match="'all' would share the channels") as err:
            await Roundtable(everything, db_path=postgres_url).setup()
        assert "running worker 'east'" in str(err.value)
        dms = _config(tmp_path, {"name": "west", "channels": ["replay:*:west"]})
        with pytest.raises(SharesOverlap, match="direct messages"):
            await Roundtable(dms, db_path=postgres_url).setup()
    # once east has stopped, a worker for everything may start (it handles east's leftovers)
    async with Roundtable(everything, db_path=postgres_url) as bot:
        assert bot.share.name == "all"


def _die(bot: Roundtable) -> None:
    """What kill -9 does to a worker, as the store sees it: every connection drops at once.

    The process object is left to rot (as a dead process does nothing more): its
    leadership loop is stopped so that it does not reconnect.
    """
    assert bot.leader._task is not None
    bot.leader._task.cancel()
    bot.leader._leading = False
    assert bot.leader._conn is not None
    bot.leader._conn.terminate()
    bot.db.connection.raw.terminate()
    journal = bot.log.journal
    assert isinstance(journal, PgJournal) and journal._conn is not None
    journal._conn.terminate()


async def _until(check: Any, within: float = 20.0) -> None:
    for _ in range(int(within / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


async def test_two_workers_make_each_timed_post_once_and_the_survivor_makes_the_rest(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RT_WORKERS_TEST_SECRET", "workers")
    fast = {"leader_check_seconds": 0.1}
    timed = {"followup_days": [7, 30], "poll_seconds": 0.2}

    def cfg(worker: dict[str, Any]) -> Config:
        return _config(tmp_path / "out", {**worker, **fast}, momentum=timed)

    events = list(parse_transcript(_two_channels()))
    bots: list[Roundtable] = []
    adapters: list[ReplayAdapter] = []
    clocks: list[FakeClock] = []
    for worker in (
        {"name": "east", "channels": ["replay:*:east"]},
        {"name": "west", "channels": ["replay:*:west"], "direct_messages": False},
    ):
        clock = FakeClock(events[0].ts)
        bot = Roundtable(cfg(worker), clock=clock, db_path=postgres_url)
        await bot.setup()
        bots.append(bot)
        clocks.append(clock)
        adapters.append(ReplayAdapter(events, clock=clock, settle=bot.drain, out=None))
    east, west = bots
    assert east.leader.leading and not west.leader.leading  # the first to start leads
    try:
        await asyncio.gather(*(b.attach(a) for b, a in zip(bots, adapters, strict=True)))
        await asyncio.gather(*(a.wait() for a in adapters))
        for bot in bots:
            await bot.drain()

        async def done(days: int, n: int = 2) -> bool:
            rows = await west.db.fetchall(
                "SELECT key FROM timers WHERE key LIKE ? AND state = 'done'", (f"%:{days}d",)
            )
            return len(rows) == n

        # a week on, by both workers' clocks: the leader posts both events' follow-ups
        for clock in clocks:
            clock.set(T0 + timedelta(days=8))
        await _until(lambda: done(7))
        await asyncio.sleep(0.5)  # the other worker's poll has run meanwhile too
        week = [_followups(a.sent) for a in adapters]
        assert week[0] == Counter({("east", 7): 1, ("west", 7): 1})  # the leader, each once
        assert week[1] == Counter()

        # the leader dies; the other takes over the lead (and the dead worker's share)
        _die(east)
        assert await west.leader.wait_leading(within=10)
        await _until(lambda: _true("east" in (west.crew.adopted if west.crew else {})))
        clocks[1].set(T0 + timedelta(days=31))
        await _until(lambda: done(30))
        await asyncio.sleep(0.5)
        assert _followups(adapters[0].sent) == week[0]  # the dead one posted nothing more
        assert _followups(adapters[1].sent) == Counter({("east", 30): 1, ("west", 30): 1})
        rows = await west.db.fetchall("SELECT COUNT(*) AS n FROM send_journal")
        assert rows[0]["n"] == 0  # jobs done: their journal rows are gone
    finally:
        with contextlib.suppress(Exception):
            await east.aclose()
        await west.aclose()


async def _true(value: bool) -> bool:
    return value


def _followups(actions: list[Action]) -> Counter[tuple[str, int]]:
    out: Counter[tuple[str, int]] = Counter()
    for a in actions:
        if isinstance(a, Say) and a.text.startswith("📬"):
            days = 7 if "7 days on" in a.text else 30 if "30 days on" in a.text else 0
            out[(a.target.channel, days)] += 1
    return out
