"""Kill -9 cycles during a replay, against an uninterrupted run of the same transcript.

Run: python -m bench.bench_crash [--messages 5000] [--kills 20] [--seed 1]

Replays a seeded synthetic event (questions, votes by reaction and /upvote,
withdrawn votes, panellists' answers by reply, /event start and end) through
``roundtable replay`` in a subprocess twice: once without interruption, once
killed with SIGKILL ``--kills`` times at random moments (each after some new
events were stored) and then resumed to the end. Prints what must be equal
(sessions, events, questions with their numbers, votes, answers), events left
unhandled, posts made twice, and posts that differ from the clean run (0 but
for posts in flight at a kill: modules keep what decides a post in their
tables, and the thread map is rebuilt from the log).

Then a poison batch: 2,000 events through the bus with two that cannot be
stored (a lone surrogate, an object as ``reply_to``).

The CI version is ``tests/reliability/test_crash.py`` (smaller, same driver).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import tempfile
import time
from pathlib import Path

from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import Event
from bot.store import Database, SQLiteEventLog
from tests.factories import message
from tests.reliability import driver


def crash_figures(messages: int, kills: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        transcript = base / "t.jsonl"
        driver.write_transcript(transcript, messages, seed=seed)
        clean_dir, crash_dir = base / "clean", base / "crash"
        clean_dir.mkdir()
        crash_dir.mkdir()
        clean_db, crash_db = clean_dir / "rt.db", crash_dir / "rt.db"
        clean = driver.replay_once(
            driver.write_config(clean_dir, clean_db), transcript, clean_db, clean_dir / "o.txt"
        )
        crashed = driver.replay_with_kills(
            driver.write_config(crash_dir, crash_db),
            transcript,
            crash_db,
            crash_dir / "o.txt",
            kills=kills,
            total=messages,
            seed=seed,
        )
        want, got = driver.state(clean_db), driver.state(crash_db)
        in_flight = driver.unsure_posts(crash_db)
    only_crashed, only_clean = driver.divergent_posts(crashed.posts, clean.posts)
    return {
        "messages": messages,
        "kills": crashed.kills,
        "kills_with_events_stored_not_handled": sum(1 for n in crashed.unhandled_at_kill if n),
        "events_stored_not_handled_at_kills": sum(crashed.unhandled_at_kill),
        "equal": {k: got[k] == want[k] for k in driver.COMPARED},
        "questions": len(want["questions"]),
        "votes": len(want["votes"]),
        "answers": len(want["answers"]),
        "left_unhandled": len(got["pending"]),
        "duplicate_posts": driver.duplicate_posts(crashed.posts, clean.posts),
        "posts_clean": len(clean.posts),
        "posts_crashed": len(crashed.posts),
        "posts_only_after_restarts": only_crashed,
        "posts_missing_after_restarts": only_clean,
        "posts_in_flight_at_kills": in_flight,
        "seconds_clean": round(clean.seconds, 1),
        "seconds_with_kills": round(crashed.seconds, 1),
    }


async def poison_figures(path: Path, good: int = 1998) -> dict[str, int]:
    db = await Database.open(path)
    log = SQLiteEventLog(db)
    await log.setup()
    bus = Bus(log, FakeClock())
    await bus.start()
    events: list[Event] = [message(f"fine {i}", message_id=f"g{i}") for i in range(good)]
    events.insert(good // 4, message("broken \ud83d", message_id="bad1"))
    bad = dataclasses.replace(message("reply", message_id="bad2"), reply_to={"id": 1})  # type: ignore[arg-type]
    events.insert(good * 3 // 4, bad)
    fresh = await bus.publish_many(events)
    await bus.drain()
    stored = await db.fetchone("SELECT COUNT(*) AS n FROM events")
    held = await log.quarantined()
    await bus.aclose()
    await log.close()
    await db.close()
    return {
        "batch": len(events),
        "stored": int(stored["n"]) if stored else 0,
        "accepted_as_new": fresh.count(True),
        "quarantined": len(held),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    crash = crash_figures(args.messages, args.kills, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        poison = asyncio.run(poison_figures(Path(tmp) / "p.db"))
    print(f"kill -9 cycles:        {crash['kills']} during {crash['messages']} messages")
    print(
        "  kills that left stored, unhandled events:"
        f" {crash['kills_with_events_stored_not_handled']}"
        f" ({crash['events_stored_not_handled_at_kills']} events in all)"
    )
    print(f"  equal to a clean run: {crash['equal']}")
    print(
        f"  questions {crash['questions']}, votes {crash['votes']}, answers {crash['answers']};"
        f" left unhandled: {crash['left_unhandled']}"
    )
    print(
        f"  bot posts: {crash['posts_clean']} clean, {crash['posts_crashed']} with kills;"
        f" duplicates: {crash['duplicate_posts']}; differing after restarts:"
        f" +{crash['posts_only_after_restarts']} / -{crash['posts_missing_after_restarts']}"
        f" (posts in flight at a kill, not repeated: {crash['posts_in_flight_at_kills']})"
    )
    print(f"  time: {crash['seconds_clean']} s clean, {crash['seconds_with_kills']} s with kills")
    print(
        f"poison batch:          {poison['batch']} events, {poison['stored']} stored,"
        f" {poison['quarantined']} quarantined"
    )
    print(f"total: {time.perf_counter() - started:.0f} s")
    print(json.dumps({"crash": crash, "poison": poison}))


if __name__ == "__main__":
    main()
