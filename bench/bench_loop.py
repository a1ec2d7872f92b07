"""Messages per second through the whole loop with the store, against raw batched inserts.

Run: python -m bench.bench_loop [--messages 20000]

Both runs use a fresh SQLite file in WAL mode in the same process. The loop run
goes through Bus.publish (command transform, idempotency check, batched write
with each event's pending mark, per-channel delivery to a subscriber in a unit
of work, the "handled" marks); the baseline inserts the same rows with
aiosqlite executemany in batches of the same size.

Wall-clock rates swing with the machine's load; the CPU time per message (this
process, both threads) is steadier, so both are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import parse_config
from bot.events import Event, MessagePosted
from bot.store.log import CORE_MIGRATIONS, _row
from facilitation.core import CoreModule

WORDS = (
    "heat homes health flats nights sensors cooling older people council trial windows"
).split()


def make_events(n: int, channels: int = 4) -> list[Event]:
    t0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
    out: list[Event] = []
    for i in range(n):
        words = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(8 + i % 12))
        out.append(
            MessagePosted(
                platform="bench",
                community="c",
                channel=f"ch{i % channels}",
                ts=t0 + timedelta(milliseconds=50 * i),
                author=f"u{i % 300}",
                author_name=f"User {i % 300}",
                message_id=f"m{i}",
                text=words,
                reply_to=f"m{i - 3}" if i % 5 == 0 and i > 3 else None,
            )
        )
    return out


async def run_loop(events: list[Event], path: Path, *, modules: str) -> tuple[float, float]:
    cfg = parse_config({"models": {"enabled": False}}, "<bench>")
    if modules == "core":
        factory = lambda s: [CoreModule(s)]  # noqa: E731
    else:
        factory = None
    delivered = 0

    async with Roundtable(cfg, clock=FakeClock(), db_path=path, modules=factory) as bot:

        async def count(event: MessagePosted) -> None:
            nonlocal delivered
            delivered += 1

        bot.bus.subscribe(MessagePosted, count)
        start, cpu = time.perf_counter(), time.process_time()
        await bot.bus.publish_many(events)
        await bot.drain()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert delivered == len(events), (delivered, len(events))
    return elapsed, cpu


async def run_raw(events: list[Event], path: Path, batch: int = 1000) -> tuple[float, float]:

    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.executescript(CORE_MIGRATIONS[0])
        rows = [_row(e, None) for e in events]
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(rows), batch):
            await conn.executemany(
                "INSERT OR IGNORE INTO events (platform, dedup_key, kind, session_id, community,"
                " channel, thread, author, author_name, message_id, reply_to, ts, text,"
                " mentions, links, emoji, private) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows[i : i + batch],
            )
            await conn.commit()
        return time.perf_counter() - start, time.process_time() - cpu


async def main(n: int, modules: str) -> dict[str, float]:
    events = make_events(n)
    with tempfile.TemporaryDirectory() as tmp:
        raw, raw_cpu = await run_raw(events, Path(tmp) / "raw.db")
        loop, loop_cpu = await run_loop(events, Path(tmp) / "loop.db", modules=modules)
    result = {
        "messages": n,
        "loop_msgs_per_s": n / loop,
        "raw_insert_msgs_per_s": n / raw,
        "loop_vs_raw_ratio": (n / loop) / (n / raw),
        "loop_cpu_us_per_msg": loop_cpu / n * 1e6,
        "raw_cpu_us_per_msg": raw_cpu / n * 1e6,
        "cpu_ratio_raw_over_loop": raw_cpu / loop_cpu,
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument(
        "--modules",
        choices=["core", "all"],
        default="core",
        help="core: the loop and core commands; all: every module, models off",
    )
    args = parser.parse_args()
    res = asyncio.run(main(args.messages, args.modules))
    print(f"messages:            {res['messages']}")
    print(f"whole loop + store:  {res['loop_msgs_per_s']:,.0f} msgs/s  (modules: {args.modules})")
    print(f"raw batched inserts: {res['raw_insert_msgs_per_s']:,.0f} msgs/s")
    print(f"ratio loop/raw:      {res['loop_vs_raw_ratio']:.2f}")
    print(
        f"CPU per message:     {res['loop_cpu_us_per_msg']:.0f} µs loop,"
        f" {res['raw_cpu_us_per_msg']:.0f} µs raw (ratio {res['cpu_ratio_raw_over_loop']:.2f})"
    )
    print(json.dumps(res))
