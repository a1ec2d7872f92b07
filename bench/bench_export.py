"""Speed of exports and series evaluation: 20 events of 2,000 messages each.

Builds a temporary store with a synthetic series (people who return between
events, replies, mentions, reactions, /ask questions answered by the panel),
then times the export bundle of every event and the series comparison. The
baseline is the time to read every logged row once (``SELECT *``). The target
is under 30 s for exports plus evaluation.

    python bench/bench_export.py [--events 20] [--messages 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import parse_config
from bot.roles import RoleBook
from bot.sessions import SESSION_MIGRATIONS
from bot.store import Database, SQLiteEventLog
from facilitation.ledger.export import export_event
from facilitation.ledger.series import evaluate_series, write_series
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import LedgerStore, load_sessions

START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
WORDS = (
    "heat homes health shading trial tenants council windows night sleep evidence cooling "
    "centre neighbours flats insulation research thanks great point really helpful agree"
).split()
COLUMNS = (
    "platform, dedup_key, kind, session_id, community, channel, thread, author, author_name,"
    " message_id, reply_to, ts, text, mentions, links, emoji, private"
)


def _event_rows(sid: int, n: int, rng: random.Random) -> list[tuple[object, ...]]:
    """One event's log rows: ``n`` messages plus reactions, in time order."""
    start = START + timedelta(days=7 * (sid - 1))
    pool = [f"u{i}" for i in range(rng.randint(0, 60), rng.randint(120, 200))]
    people = rng.sample(pool, k=min(len(pool), rng.randint(60, 110)))
    rows: list[tuple[object, ...]] = []
    ids: list[tuple[str, str]] = []
    for i in range(n):
        ts = (start + timedelta(seconds=2 * i)).isoformat()
        mid = f"e{sid}m{i}"
        panel = i % 25 == 1 and ids
        author = "panel1" if panel else rng.choice(people)
        reply_to = ids[-1][0] if panel else None
        if reply_to is None and ids and rng.random() < 0.3:
            reply_to = rng.choice(ids[-30:])[0]
        mentions = [rng.choice(people)] if rng.random() < 0.1 else []
        words = " ".join(rng.choices(WORDS, k=rng.randint(5, 25)))
        kind, text = "MessagePosted", words
        if i % 25 == 0:
            kind, text = "CommandIssued", f"/ask what about {words}?"
        rows.append(
            (
                "bench",
                f"msg:{mid}",
                kind,
                sid,
                "c",
                "main",
                None,
                author,
                author.upper(),
                mid,
                reply_to,
                ts,
                text,
                json.dumps(mentions),
                "[]",
                None,
                0,
            )
        )
        ids.append((mid, author))
        if rng.random() < 0.25:
            target = rng.choice(ids[-20:])[0]
            who = rng.choice(people)
            rows.append(
                (
                    "bench",
                    f"react+:{target}:{who}:{ts}",
                    "ReactionAdded",
                    sid,
                    "c",
                    "main",
                    None,
                    who,
                    who.upper(),
                    target,
                    None,
                    ts,
                    None,
                    "[]",
                    "[]",
                    rng.choice("👍❤️🙏"),
                    0,
                )
            )
    return rows


async def build(path: Path, events: int, messages: int) -> None:
    db = await Database.open(path)
    try:
        await SQLiteEventLog(db).setup()
        await db.migrate("sessions", SESSION_MIGRATIONS)
        rng = random.Random(7)
        async with db.transaction():
            for sid in range(1, events + 1):
                start = START + timedelta(days=7 * (sid - 1))
                end = start + timedelta(seconds=2 * messages + 60)
                await db.execute(
                    "INSERT INTO sessions (id, slug, title, series, state, started_at, ended_at)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (
                        sid,
                        f"bench-{sid:02d}",
                        f"Bench {sid}",
                        "bench",
                        "ended",
                        start.isoformat(),
                        end.isoformat(),
                    ),
                )
                await db.execute(
                    "INSERT INTO session_places (session_id, place) VALUES (?, ?)",
                    (sid, "bench:c:main"),
                )
                await db.executemany(
                    f"INSERT INTO events ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    _event_rows(sid, messages, rng),
                )
    finally:
        await db.close()


async def measure(path: Path, out: Path) -> dict[str, float]:
    config = parse_config(
        {"bot": {"out_dir": str(out)}, "roles": {"panellists": ["bench:panel1"]}}, "<bench>"
    )
    db = await Database.open(path)
    try:
        roles = RoleBook(db, panellists=config.roles.panellists)
        await roles.setup()
        store = LedgerStore(db)
        await store.setup()

        began = time.perf_counter()
        rows = await db.fetchall("SELECT * FROM events ORDER BY seq")
        baseline = time.perf_counter() - began

        ledger = Ledger(db, config, roles.roles_of, store)
        began, cpu = time.perf_counter(), time.process_time()
        for session in await load_sessions(db):
            await export_event(ledger, session, out / session.slug)
        exports, exports_cpu = time.perf_counter() - began, time.process_time() - cpu

        # a fresh ledger, as `roundtable evaluate` would have
        fresh = Ledger(db, config, roles.roles_of, store)
        began, cpu = time.perf_counter(), time.process_time()
        result = await evaluate_series(fresh, "bench")
        write_series(fresh, result, out / "series-bench")
        evaluation, evaluation_cpu = time.perf_counter() - began, time.process_time() - cpu
        return {
            "rows": float(len(rows)),
            "baseline": baseline,
            "exports": exports,
            "evaluation": evaluation,
            "cpu": exports_cpu + evaluation_cpu,
        }
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--messages", type=int, default=2000, help="messages per event")
    parser.add_argument("--keep", type=Path, help="write the outputs here instead of a temp dir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        db = root / "bench.db"
        db.unlink(missing_ok=True)
        began = time.perf_counter()
        asyncio.run(build(db, args.events, args.messages))
        print(
            f"built {args.events} events x {args.messages} messages in "
            f"{time.perf_counter() - began:.1f} s"
        )
        r = asyncio.run(measure(db, root / "out"))
    total = r["exports"] + r["evaluation"]
    print(f"log rows: {int(r['rows'])}; baseline SELECT * of every row: {r['baseline']:.2f} s")
    print(
        f"export of all {args.events} events: {r['exports']:.2f} s "
        f"({r['exports'] / args.events:.2f} s per event)"
    )
    print(
        f"series evaluation (figures, series.md, events.csv, matrix.png): {r['evaluation']:.2f} s"
    )
    print(
        f"CPU time of exports + evaluation: {r['cpu']:.2f} s "
        f"(wall time is longer when other processes share the cores)"
    )
    print(
        f"total {total:.2f} s = {total / r['baseline']:.0f}x the baseline; "
        f"target < 30 s: {'met' if total < 30 else 'NOT met'}"
    )
    return 0 if total < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
