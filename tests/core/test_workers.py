"""Several workers on one PostgreSQL store: shares, exactly-once effects, leadership."""

from __future__ import annotations

import asyncio
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
from bot.workers import Leadership, WorkerInUse
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


def _config(out: Path, worker: dict[str, Any] | None = None) -> Config:
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
    return config(data)


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
    west = _config(tmp_path / "out", {"name": "west", "channels": ["replay:*:west"]})
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
        other = _config(tmp_path, {"name": "west", "channels": ["replay:*:west"]})
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
        assert first._conn is not None
        first._conn.terminate()  # the leader's connection dies, as with kill -9
        assert await second.wait_leading(within=10)
        for _ in range(200):  # the old leader notices at its next check
            if not first.leading:
                break
            await asyncio.sleep(0.05)
        assert second.leading and not first.leading  # the old leader does not take it back
    finally:
        await first.aclose()
        await second.aclose()
    assert Leadership.solo().leading


async def test_a_worker_without_a_server_connection_does_not_lead(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url)
    await conn.close()
    lead = Leadership("postgresql://nobody@127.0.0.1:1/none", interval=0.05)
    await lead.start()
    try:
        assert not lead.leading
    finally:
        await lead.aclose()
