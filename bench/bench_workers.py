"""N workers on one PostgreSQL store against one process on SQLite, in the same run.

Run: python -m bench.bench_workers [--channels 8] [--messages 120] [--workers 1,2,4]

The workload is ``--channels`` live events at once, one per channel, each fed
``--messages`` messages as fast as the bot takes them (one in five a ``/ask``,
which the bot answers, the rest chatter, with votes). Every worker is a process
of its own with the whole bot (every module; models off, so the figures are the
store's, the bus's and the modules' own work, not MiniLM's) and owns every N-th
channel (``[worker] channels``). Start-up is left out: the clock runs from a
common start signal to the last reply.

Printed per setup: messages/s end to end (all messages stored and handled,
over the wall time of the slowest worker), and the p50/p99 time from a
``/ask`` arriving at the bot to the bot's reply to it. PostgreSQL is a
throwaway server (``bot.store.pgtemp``) unless ROUNDTABLE_BENCH_POSTGRES names one.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.actions import Action, MessageRef, Reply, Say
from bot.app import Roundtable
from bot.config import parse_config
from bot.events import Capabilities, Event, MessagePosted
from bot.store.pgtemp import start_server

T0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
ORGANISER = "u_org"


def workload(channels: int, messages: int) -> dict[str, list[MessagePosted]]:
    """Per channel: the event's start, then chatter, questions and votes."""
    out: dict[str, list[MessagePosted]] = {}
    for c in range(channels):
        channel = f"c{c}"
        events: list[MessagePosted] = []

        def post(
            i: int, author: str, text: str, channel: str = channel, events: list[Any] = events
        ) -> None:
            events.append(
                MessagePosted(
                    platform="replay",
                    community="bench",
                    channel=channel,
                    ts=T0 + timedelta(seconds=i),
                    author=author,
                    author_name=author,
                    message_id=f"{channel}-{i}",
                    text=text,
                )
            )

        post(0, ORGANISER, f"/event start Panel {c}")
        asked = 0
        for i in range(1, messages + 1):
            who = f"u_{(i * 7 + c) % 23}"
            if i % 5 == 0:
                asked += 1
                post(i, who, f"/ask What does finding {i} in channel {c} mean for tenants?")
            elif i % 5 == 2 and asked:
                post(i, who, f"/upvote {asked}")
            else:
                post(i, who, f"I think point {i} about the heat in flats matters here")
        out[channel] = events
    return out


class BenchAdapter:
    """Feeds the channels it is given and times each /ask until the bot's reply."""

    name = "replay"
    capabilities = Capabilities(reactions=True, direct_messages=True)

    def __init__(self, channels: dict[str, list[MessagePosted]]) -> None:
        self._channels = channels
        self.arrived: dict[str, float] = {}
        self.latencies: list[float] = []
        self._sink: Callable[[Event], Awaitable[object]] | None = None

    async def start(self, sink: Callable[[Event], Awaitable[object]]) -> None:
        self._sink = sink

    async def feed(self, skip_first: bool) -> int:
        assert self._sink is not None
        sink = self._sink

        async def one(events: list[MessagePosted]) -> int:
            for event in events[1:] if skip_first else events:
                if event.text.startswith("/ask"):
                    self.arrived[event.message_id or ""] = time.perf_counter()
                await sink(event)
            return len(events) - (1 if skip_first else 0)

        counts = await asyncio.gather(*(one(ev) for ev in self._channels.values()))
        return sum(counts)

    async def send(self, action: Action) -> list[MessageRef]:
        if isinstance(action, Reply):
            sent = self.arrived.pop(action.message_id, None)
            if sent is not None:
                self.latencies.append(time.perf_counter() - sent)
        target = action.target if isinstance(action, Say | Reply) else None
        channel = target.channel if target is not None else "dm"
        return [MessageRef("replay", channel, f"bot-{uuid.uuid4().hex[:8]}")]

    async def aclose(self) -> None:
        return None


def _config(target: str, channels: list[str], name: str, all_channels: list[str]) -> Any:
    return parse_config(
        {
            "bot": {"out_dir": str(Path(tempfile.gettempdir()) / "roundtable-bench-out")},
            "models": {"enabled": False},
            "privacy": {"secret_env": "RT_BENCH_SECRET"},
            "roles": {"organisers": [f"replay:{ORGANISER}"]},
            "events": [
                {"id": f"panel-{ch}", "channels": [f"replay:bench:{ch}"]} for ch in all_channels
            ],
            "worker": {
                "name": name,
                "channels": [f"replay:*:{ch}" for ch in channels],
                "direct_messages": name == "w0",  # shares may not overlap
            },
            "snapshots": {"enabled": False},
        },
        "<bench>",
    )


@dataclass
class Result:
    messages: int
    seconds: float
    latencies: list[float]


async def _worker(
    target: str, mine: list[str], name: str, all_channels: list[str], work: Any, ready: Any,
    go: Any,
) -> Result:  # fmt: skip
    os.environ["RT_BENCH_SECRET"] = "bench"
    cfg = _config(target, mine, name, all_channels)
    channels = {ch: work[ch] for ch in mine}
    async with Roundtable(cfg, db_path=target) as bot:
        adapter = BenchAdapter(channels)
        await bot.attach(adapter)  # type: ignore[arg-type]
        # the events start before the clock does
        for events in channels.values():
            await bot.bus.publish(events[0])
        await bot.drain()
        ready.put(name)
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        started = time.perf_counter()
        count = await adapter.feed(skip_first=True)
        await bot.drain()
        seconds = time.perf_counter() - started
    return Result(count, seconds, adapter.latencies)


def _process(target: str, mine: list[str], name: str, all_channels: list[str], work: Any,
             ready: Any, go: Any, out: Any) -> None:  # fmt: skip
    result = asyncio.run(_worker(target, mine, name, all_channels, work, ready, go))
    out.put((result.messages, result.seconds, result.latencies))


def run_setup(target: str, workers: int, work: dict[str, list[MessagePosted]]) -> Result:
    ctx = mp.get_context("spawn")
    go = ctx.Event()
    ready = ctx.Queue()
    out = ctx.Queue()
    names = sorted(work)
    procs = []
    for w in range(workers):
        mine = [ch for i, ch in enumerate(names) if i % workers == w]
        p = ctx.Process(target=_process, args=(target, mine, f"w{w}", names, work, ready, go, out))
        p.start()
        procs.append(p)
    for _ in procs:
        ready.get(timeout=600)  # every worker is set up; then all start together
    go.set()
    results = [out.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
    messages = sum(r[0] for r in results)
    seconds = max(r[1] for r in results)
    latencies = [x for r in results for x in r[2]]
    return Result(messages, seconds, latencies)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--messages", type=int, default=120, help="messages per channel")
    ap.add_argument("--workers", default="1,2,4", help="worker counts on PostgreSQL")
    args = ap.parse_args(argv)
    work = workload(args.channels, args.messages)
    counts = [int(x) for x in args.workers.split(",") if x]
    total = args.channels * args.messages
    print(f"{args.channels} events at once, {args.messages} messages each ({total} in all)")
    rows: list[tuple[str, Result]] = []
    with tempfile.TemporaryDirectory() as tmp:
        lite = run_setup(str(Path(tmp) / "bench.db"), 1, work)
        rows.append(("SQLite, 1 process", lite))
        _print(rows[-1], lite)
        server = None
        url = os.environ.get("ROUNDTABLE_BENCH_POSTGRES")
        if not url:
            server = start_server()
            url = server.url
        try:
            for n in counts:
                schema = f"bench_{n}_{uuid.uuid4().hex[:6]}"
                asyncio.run(_create_schema(url, schema))
                sep = "&" if "?" in url else "?"
                result = run_setup(f"{url}{sep}search_path={schema}", n, work)
                rows.append((f"PostgreSQL, {n} worker{'s' if n > 1 else ''}", result))
                _print(rows[-1], lite)
        finally:
            if server is not None:
                server.stop()
    print(f"(machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f})")
    return 0


async def _create_schema(url: str, schema: str) -> None:
    import asyncpg  # noqa: PLC0415  # lazy: only for the PostgreSQL runs

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()


def _print(row: tuple[str, Result], base: Result) -> None:
    label, r = row
    rate = r.messages / r.seconds if r.seconds else float("nan")
    base_rate = base.messages / base.seconds if base.seconds else float("nan")
    lat = r.latencies
    print(
        f"{label:<24} {rate:8.1f} msg/s  ({rate / base_rate:4.2f}x SQLite)"
        f"  /ask to reply: p50 {_p(lat, 0.5) * 1000:7.1f} ms, p99 {_p(lat, 0.99) * 1000:7.1f} ms"
        f"  ({len(lat)} replies)",
        flush=True,
    )
    if lat and statistics.mean(lat) < 0:
        sys.exit(1)


if __name__ == "__main__":
    raise SystemExit(main())
