"""Added cost per message of the question queue, with and without MiniLM embeddings.

Run: python -m bench.bench_questions [--repeat 4]

The stream is the demo event's chat (bot/demo/transcript.jsonl: messages,
reactions and commands, about 45% of them not questions), replayed ``repeat``
times in separate channels, each with its own running event. Each copy's chat
messages end with a different mark, so no copy is served from MiniLM's cache of
texts seen before (the first version of this bench let every copy after the first
hit it); both models are loaded before timing. Three runs in the
same process, each on a fresh SQLite file: the bus with the core module only
(the baseline), then core + questions with models off (near-exact duplicates
only), then core + questions with the bundled MiniLM (paraphrase merging). The
figure is wall time from the first publish until every event is delivered,
divided by the number of events.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from adapters.replay import parse_transcript
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import parse_config
from bot.demo import demo_transcript_path
from bot.embeddings import StaticEmbedder
from bot.events import Capabilities, Event
from facilitation.base import EmbedderProvider, Services
from facilitation.core import CoreModule
from facilitation.questions import QuestionsModule


class NullAdapter:
    """Accepts every action and does nothing (the bench measures the bot, not a platform)."""

    name = "replay"
    capabilities = Capabilities(reactions=True, direct_messages=True, pins=True)

    async def start(self, sink: Any) -> None:
        return None

    async def send(self, action: Any) -> list[Any]:
        return []

    async def aclose(self) -> None:
        return None


def make_events(repeat: int) -> list[Event]:
    with demo_transcript_path().open(encoding="utf-8") as fh:
        base = list(parse_transcript(fh))
    out: list[Event] = []
    for r in range(repeat):
        for ev in base:
            changes: dict[str, Any] = {"channel": f"room{r}"}
            text = getattr(ev, "text", None)
            if r and text and not text.startswith("/"):
                changes["text"] = f"{text} ({'abcdefgh'[r % 8]})"
            for key in ("message_id", "reply_to"):
                value = getattr(ev, key, None)
                if value is not None:
                    changes[key] = f"r{r}-{value}"
            if ev.private:
                changes["channel"] = ev.channel
            out.append(dataclasses.replace(ev, **changes))
    return out


async def run(
    events: list[Event],
    factory: Callable[[Services], Sequence[Any]],
    embedder: EmbedderProvider | None,
    models: bool,
) -> float:
    cfg = parse_config(
        {
            "models": {"enabled": models},
            "roles": {
                "moderators": ["replay:u_sam"],
                "organisers": ["replay:u_org"],
                "panellists": ["replay:u_drokafor", "replay:u_jliu", "replay:u_pwalsh"],
            },
        },
        "<bench>",
    )
    clock = FakeClock(events[0].ts)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        async with Roundtable(
            cfg, clock=clock, db_path=db, modules=factory, embedder=embedder
        ) as bot:
            await bot.attach(NullAdapter())
            began = time.perf_counter()
            # lock-step per event, as a live chat arrives: each one is handled before the next
            for ev in events:
                clock.set(ev.ts)
                await bot.bus.publish(ev)
                await bot.drain()
            return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=4, help="copies of the demo chat")
    args = parser.parse_args(argv)
    events = make_events(args.repeat)
    n = len(events)

    def core(s: Services) -> list[Any]:
        return [CoreModule(s)]

    def with_questions(s: Services) -> list[Any]:
        return [CoreModule(s), QuestionsModule(s)]

    # as the bot loads it: one torch thread by default (models.threads), since on a small
    # shared machine more threads spin against each other (measured 2026-12-02 under load
    # 10: 160 ms per single-text call with 1 thread, 2,300 ms with 2)
    models = parse_config({}, "<bench>").models
    provider = EmbedderProvider("bundled", max_length=models.max_length, threads=models.threads)

    async def warm() -> None:
        emb = await provider.get()
        assert emb is not None
        await emb.embed(["warm up the model once"])
        StaticEmbedder().embed(["and the token table"])  # the panel model's: files cached

    asyncio.run(warm())
    base = asyncio.run(run(events, core, None, False))
    off = asyncio.run(run(events, with_questions, None, False))
    on = asyncio.run(run(events, with_questions, provider, True))
    provider.close()
    us = 1e6 / n
    print(f"questions: {n} events (demo chat x{args.repeat}), lock-step delivery")
    print(f"  bus + core only (baseline):   {base * us:8.0f} µs/event")
    print(
        f"  + questions, embeddings off:  {off * us:8.0f} µs/event "
        f"(+{(off - base) * us:.0f} µs, x{off / base:.2f})"
    )
    print(
        f"  + questions, MiniLM on:       {on * us:8.0f} µs/event "
        f"(+{(on - base) * us:.0f} µs, x{on / base:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
