"""What /optout costs: erasing one person from a realistic store, every byte checked.

Replays an event of ``--messages`` messages among ``--people`` people through
the real bot (every module, models off, a file database), ends it (report and
export written), then times, in the same process: ``/mydata`` for one person
(the baseline: one person's rows read and a file written) and ``/optout`` for
another (every store forgets them, names and quotes scrubbed, the file
vacuumed, report and export rewritten). Prints both, their ratio, and how many
bytes of the database and output files still hold the person's id or name
(the goal is 0).

    python bench/bench_erasure.py [--messages 5000] [--people 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.replay import ReplayAdapter, parse_transcript
from bot.actions import Action, MessageRef
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import parse_config
from bot.events import Event

START = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
WORDS = (
    "heat homes health shading trial tenants council windows night sleep evidence cooling "
    "centre neighbours flats insulation research thanks great point really helpful agree"
).split()
NAMES = [f"Person{i:02d} Surname{i:02d}" for i in range(200)]


def _transcript(messages: int, people: int, rng: random.Random) -> list[str]:
    lines: list[str] = []
    t = START

    def add(author: str, text: str, **extra: object) -> str:
        nonlocal t
        t += timedelta(seconds=2)
        mid = f"m{len(lines)}"
        name = "Moderator" if author == "u_mod" else NAMES[int(author[1:])]
        lines.append(
            json.dumps(
                {"id": mid, "ts": t.isoformat(), "author": author, "name": name, "text": text}
                | extra
            )
        )
        return mid

    add("u_mod", '/event start "Heat"')
    ids: list[str] = []
    for i in range(messages):
        who = f"u{rng.randrange(people)}"
        other = NAMES[rng.randrange(people)].split()[0]
        words = " ".join(rng.choices(WORDS, k=rng.randint(5, 20)))
        text = f"/ask {words}?" if i % 50 == 0 else f"thanks {other}, {words}"
        extra = {"reply_to": rng.choice(ids[-20:])} if ids and rng.random() < 0.3 else {}
        ids.append(add(who, text, **extra))
    add("u_mod", "/event end")
    return lines


def _traces(roots: list[Path], needles: list[bytes]) -> tuple[int, int]:
    """(bytes searched, files holding any needle)."""
    searched = hits = 0
    for root in roots:
        for path in (p for p in root.rglob("*") if p.is_file()):
            blob = path.read_bytes().lower()
            searched += len(blob)
            hits += any(n in blob for n in needles)
    return searched, hits


async def _timed(
    bot: Roundtable, clock: FakeClock, event: Event, adapter: ReplayAdapter
) -> tuple[float, float]:
    """(seconds until the bot first answered, seconds until it was done)."""
    clock.set(event.ts)
    answered: list[float] = []
    send = adapter.send

    async def timed_send(action: Action) -> list[MessageRef]:
        answered.append(time.perf_counter())
        return await send(action)

    adapter.send = timed_send  # type: ignore[method-assign]
    start = time.perf_counter()
    await bot.bus.publish(event)
    await bot.drain()
    end = time.perf_counter()
    adapter.send = send  # type: ignore[method-assign]
    return (answered[0] if answered else end) - start, end - start


async def main(messages: int, people: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = parse_config(
            {
                "bot": {"out_dir": str(folder / "out")},
                "models": {"enabled": False},
                "roles": {"moderators": ["replay:u_mod"]},
                "privacy": {"secret_env": "RT_BENCH_ERASURE_UNSET"},
                "events": [{"id": "heat", "title": "Heat", "channels": ["replay:demo:main"]}],
            },
            "<bench>",
        )
        events = list(parse_transcript(_transcript(messages, people, rng)))
        clock = FakeClock(events[0].ts)
        db = folder / "data" / "rt.db"
        async with Roundtable(config, clock=clock, db_path=db) as bot:
            adapter = ReplayAdapter(events, clock=clock, settle=bot.drain, out=None)
            start = time.perf_counter()
            await bot.attach(adapter)
            await adapter.wait()
            await bot.drain()
            print(f"replayed {len(events):,} events in {time.perf_counter() - start:.1f} s")
            later = events[-1].ts + timedelta(minutes=5)
            extra = [
                json.dumps(
                    {
                        "id": f"x{i}",
                        "ts": (later + timedelta(seconds=i)).isoformat(),
                        "author": who,
                        "name": NAMES[int(who[1:])],
                        "text": text,
                        "private": True,
                    }
                )
                for i, (who, text) in enumerate([("u1", "/mydata"), ("u2", "/optout")])
            ]
            mydata, optout = parse_transcript(extra)
            _, baseline = await _timed(bot, clock, mydata, adapter)
            size = sum(p.stat().st_size for p in db.parent.glob("rt.db*"))
            told, erase = await _timed(bot, clock, optout, adapter)
            rows = await bot.db.fetchone("SELECT COUNT(*) AS n FROM events")
        after = sum(p.stat().st_size for p in db.parent.glob("rt.db*"))
        needles = [b'u2"', NAMES[2].lower().encode(), NAMES[2].split()[1].lower().encode()]
        searched, hits = _traces([db.parent, folder / "out"], needles)
    print(
        f"store: {rows['n'] if rows else 0:,} events; database {size / 1e6:.1f} MB before,"
        f" {after / 1e6:.1f} MB after"
    )
    print(f"/mydata (baseline): {baseline * 1000:.0f} ms")
    print(
        "/optout, until the person is told (every store forgets, scrub, vacuum):"
        f" {told * 1000:.0f} ms ({told / baseline:.1f}x the baseline)"
    )
    print(
        f"/optout, until report and export are rewritten: {erase * 1000:.0f} ms"
        f" ({erase / baseline:.1f}x the baseline)"
    )
    print(f"files still holding the person's id or name: {hits} ({searched:,} bytes searched)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--people", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.people))
