"""Speed of the live dashboard: rendering a moderator's page, and how soon a new question shows.

Runs the real bot (models off) with an event of ``--questions`` questions (asked
with /ask by different people), ``--votes`` votes and ``--messages`` chat messages,
serves the dashboard with aiohttp's test server and signs a moderator in. Then:

* renders every section of the moderator's page ``--renders`` times (figures
  cached, as between their refreshes) against the baseline of reading the queue
  once (``QuestionStore.in_session``), and once with the figures recomputed;
* opens the live stream and times, for 20 new questions asked in the chat, from
  publishing the message to the stream delivering the section that shows it.

    python -m bench.bench_dashboard [--questions 100] [--votes 500] [--messages 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.replay import ReplayAdapter
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import parse_config
from bot.events import MessagePosted
from facilitation.dashboard.auth import Viewer
from facilitation.dashboard.module import DashboardModule
from facilitation.dashboard.server import render_sections
from facilitation.questions.store import QuestionStore
from tests.factories import T0


def _message(clock: FakeClock, n: int, author: str, text: str) -> MessagePosted:
    clock.advance(1)
    return MessagePosted(
        platform="bench",
        community="c",
        channel="main",
        ts=clock.now(),
        author=author,
        author_name=author,
        message_id=f"b{n}",
        text=text,
    )


async def measure(
    folder: Path, questions: int, votes: int, messages: int, renders: int
) -> dict[str, float]:
    config = parse_config(
        {
            "models": {"enabled": False},
            "bot": {"out_dir": str(folder / "out")},
            "roles": {"moderators": ["bench:mod"]},
            "events": [{"id": "bench", "title": "Bench", "channels": ["bench:c:main"]}],
            "questions": {"max_per_person": 1000, "detect": False},
            "report": {"cadence_minutes": 0},
            "snapshots": {"enabled": False},
        },
        "<bench>",
    )
    clock = FakeClock(T0)
    bot = Roundtable(config, clock=clock, db_path=folder / "bench.db")
    await bot.setup()
    adapter = ReplayAdapter([], clock=clock, settle=bot.drain, out=None, name="bench")
    await bot.attach(adapter)
    n = 0

    async def publish(author: str, text: str) -> None:
        nonlocal n
        n += 1
        await bot.bus.publish(_message(clock, n, author, text))

    try:
        await publish("mod", "/event start Bench")
        for i in range(questions):
            await publish(f"asker{i}", f"/ask Question {i} about topic {i * 7919 % 997} and more?")
        for i in range(votes):
            await publish(f"voter{i}", f"/upvote {1 + i % questions}")
        for i in range(messages):
            await publish(f"p{i % 60}", f"message {i} about housing heat number {i % 13}")
        await bot.drain()
        dash = next(m for m in bot.modules if isinstance(m, DashboardModule))
        session = bot.sessions.all()[0]
        server = TestServer(dash.app())
        async with TestClient(server) as client:
            dash.base_url = str(server.make_url("")).rstrip("/")
            link = dash.login_link(Viewer("bench", "mod", "Mod"), slug="bench")
            resp = await client.get("/" + link.split("/", 3)[3])
            assert resp.status == 200
            bs = next(iter(dash.auth._sessions.values()))
            store = QuestionStore(bot.db)
            t = time.perf_counter()
            for _ in range(renders):
                await store.in_session(session.id)
            baseline = (time.perf_counter() - t) / renders
            dash.sources.forget_figures(session.id)
            t = time.perf_counter()
            await render_sections(client.app, bs, session)
            first = time.perf_counter() - t  # figures computed from the log
            t = time.perf_counter()
            for _ in range(renders):
                await render_sections(client.app, bs, session)
            render = (time.perf_counter() - t) / renders
            latencies = await _stream_latency(client, publish, questions)
    finally:
        await bot.aclose()
    return {
        "questions": questions,
        "votes": votes,
        "messages": messages,
        "queue_read_ms": baseline * 1000,
        "render_ms": render * 1000,
        "render_vs_read": render / baseline,
        "render_with_figures_ms": first * 1000,
        "live_median_ms": statistics.median(latencies) * 1000,
        "live_max_ms": max(latencies) * 1000,
    }


async def _stream_latency(client: TestClient, publish: Any, start: int) -> list[float]:
    resp = await client.get("/e/bench/stream")

    async def until(number: int) -> None:
        data = None
        while True:
            line = (await resp.content.readline()).decode()
            if line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "\n" and data is not None:
                if f'data-question-id="{number}"' in data.get("queue", ""):
                    return
                data = None

    latencies = []
    for i in range(20):
        number = start + i + 1
        t = time.perf_counter()
        await publish(f"late{i}", f"/ask A late question {i}?")
        await asyncio.wait_for(until(number), 30)
        latencies.append(time.perf_counter() - t)
    resp.close()
    return latencies


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=100)
    p.add_argument("--votes", type=int, default=500)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--renders", type=int, default=20)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(
            measure(Path(tmp), args.questions, args.votes, args.messages, args.renders)
        )
    for key, value in figures.items():
        print(f"{key:>24}: {value:,.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
