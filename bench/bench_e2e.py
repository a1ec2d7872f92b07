"""End-to-end messages per second with every module and an event running, against raw MiniLM.

Run: python -m bench.bench_e2e [--messages 1700] [--data DIR] [--feed lockstep|burst|both]

Real chat: the IRC disentanglement logs (``../shared/data/irc-disentanglement/dev``),
replayed as one channel through the real bot (every registered module, the bundled
MiniLM, a SQLite file, the demo's research corpus for the snapshots) after a
moderator starts an event. Start-up (loading models,
opening the store) is left out: the clock runs from the first message to the last
one handled. The baseline embeds the same texts with a fresh MiniLM (no cache) in
batches, in the same process, at torch's default thread count and at one thread.

Two ways to feed it (``--feed``): *lockstep* waits until each message is handled
before the next arrives (the bus never has more than one message to store at a
time, so every message is a MiniLM call of its own); *burst* hands every message
to the bot at once, as a busy channel does (each platform event is its own task),
so the bus stores them in batches and the embedder takes each batch in one call.
In both, the clock follows the transcript as each message is handled, so rate
limits and cadences see the chat's own time.

It prints the issue's ratio (#19): end-to-end messages per second over the raw
MiniLM's messages per second on the same texts, in the same run (the faster raw
run; goal >= 0.8). Above 1 means the whole bot costs less than running MiniLM on
every message once: the bot runs MiniLM only on messages a module needs it for
(questions; snapshots when a corpus is loaded), once each, and token-table vectors
for the rest. It also prints how many texts went through MiniLM during the replay,
and how many of those were a second embedding of a message (a text embedded again,
or a normalised copy of a message already embedded), which must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import torch

from adapters.replay import ReplayAdapter, parse_transcript
from bot.app import Roundtable
from bot.bus import Handler
from bot.clock import FakeClock
from bot.config import parse_config
from bot.demo import DEMO_DIR
from bot.embeddings import MiniLMEmbedder, Vectors, meaning
from bot.events import Event, MessagePosted
from bot.module import EmbedderProvider


def _data_dir() -> Path:
    """``shared/data/irc-disentanglement/dev`` beside the repository (or a worktree of it)."""
    for folder in Path(__file__).resolve().parents:
        found = folder / "shared/data/irc-disentanglement/dev"
        if found.is_dir():
            return found
    return Path("../shared/data/irc-disentanglement/dev")


DEFAULT_DATA = _data_dir()
HOST = "bench-host"


def read_chat(data: Path, limit: int) -> list[MessagePosted]:
    """IRC logs, oldest first, concatenated into one channel until ``limit`` messages."""
    found: list[MessagePosted] = []
    for path in sorted(data.glob("*.ascii.txt")):
        with path.open(encoding="utf-8", errors="replace") as fh:
            for ev in parse_transcript(fh, id_prefix=f"{path.stem}-"):
                if isinstance(ev, MessagePosted) and ev.text.strip():
                    found.append(ev)
        if len(found) >= limit:
            break
    found = found[:limit]
    # One channel, one clock: the logs follow on from each other a second apart.
    t0 = found[0].ts
    return [replace(ev, ts=t0 + timedelta(seconds=i)) for i, ev in enumerate(found)]


def with_event(chat: list[MessagePosted]) -> list[Event]:
    start = replace(
        chat[0],
        author=HOST,
        author_name="Host",
        message_id="bench-start",
        text='/event start "Bench night"',
        reply_to=None,
        ts=chat[0].ts - timedelta(seconds=1),
    )
    return [start, *chat]


async def end_to_end(
    events: list[Event],
    provider: EmbedderProvider,
    folder: Path,
    args: argparse.Namespace,
    feed: str,
    seen: list[str],
) -> tuple[float, Roundtable]:
    config = parse_config(
        {
            "roles": {"moderators": [f"replay:{HOST}"]},
            "bot": {"out_dir": str(folder / "out")},
            "models": {"threads": args.threads},
            "snapshots": {"corpus": [str(args.corpus)]} if args.corpus else {},
        },
        "<bench>",
    )
    clock = FakeClock(events[0].ts)
    bot = Roundtable(config, clock=clock, db_path=folder / "e2e.db", embedder=provider)
    await bot.setup()
    seen.clear()  # what set-up embedded (the corpus) is not the replay's
    try:
        if feed == "lockstep":
            adapter = ReplayAdapter(events, clock=clock, settle=bot.drain, out=None)
            began = time.perf_counter()
            await bot.attach(adapter)
            await adapter.wait()
        else:
            # the event is started first; then every message arrives at once
            adapter = ReplayAdapter(events[:1], clock=clock, settle=bot.drain, out=None)

            async def follow(handler: Handler, event: Event) -> None:
                if event.ts > clock.now():
                    clock.set(event.ts)  # the transcript's time as each is handled
                await handler(event)

            bot.bus.use(follow)
            began = time.perf_counter()
            await bot.attach(adapter)
            await adapter.wait()
            await asyncio.gather(*(adapter.deliver(e) for e in events[1:]))
        await bot.drain()
        seconds = time.perf_counter() - began
    finally:
        await bot.aclose()
    return seconds, bot


def raw_minilm(texts: list[str], max_length: int, threads: int) -> float:
    """Seconds for a fresh MiniLM (no cache) to embed ``texts`` once, in batches."""
    model = MiniLMEmbedder(None, max_length=max_length, threads=threads)
    began = time.perf_counter()
    model.embed(texts)
    return time.perf_counter() - began


async def main_async(args: argparse.Namespace) -> int:
    default_threads = torch.get_num_threads()
    chat = read_chat(args.data, args.messages)
    if not chat:
        print(f"no IRC logs in {args.data}", file=sys.stderr)
        return 2
    events = with_event(chat)
    provider = EmbedderProvider("bundled", max_length=args.max_length, threads=args.threads)
    embedder = await provider.get()  # loaded before the clock starts
    assert embedder is not None
    await provider.tokens()
    model = embedder.embedder
    assert isinstance(model, MiniLMEmbedder)
    seen: list[str] = []
    encode = model._encode

    def counted(texts: list[str]) -> Vectors:
        seen.extend(texts)
        return encode(texts)

    model._encode = counted  # type: ignore[method-assign]  # counts what runs MiniLM
    feeds = ["lockstep", "burst"] if args.feed == "both" else [args.feed]
    runs: dict[str, tuple[float, Roundtable, list[str]]] = {}
    for feed in feeds:
        seen.clear()
        model._cache.clear()  # each feed starts cold, as the first did
        with tempfile.TemporaryDirectory() as tmp:
            seconds, bot = await end_to_end(events, provider, Path(tmp), args, feed, seen)
        runs[feed] = (seconds, bot, list(seen))
    provider.close()
    texts = [m.text for m in chat]
    # The baseline at its best: torch's default thread count, and one thread.
    raws = {t: raw_minilm(texts, args.max_length, t) for t in sorted({default_threads, 1})}
    n = len(chat)
    print(f"messages: {n} (IRC, one channel, an event running; modules: {_names(bot)})")
    for t, raw in raws.items():
        print(f"raw MiniLM on the same texts, {t} thread(s): {n / raw:,.0f} msgs/s ({raw:.2f} s)")
    raw_rate = n / min(raws.values())
    for feed, (seconds, bot, seen) in runs.items():
        e2e_rate = n / seconds
        print(
            f"[{feed}] end to end: {e2e_rate:,.0f} msgs/s ({seconds:.2f} s,"
            f" [models] threads = {args.threads}); issue #19 ratio, end to end / raw MiniLM"
            f" (faster run): {e2e_rate / raw_rate:.2f} (goal >= 0.8)"
        )
        _counts(chat, seen, n, bot, feed)
    return 0


def _counts(chat: list[MessagePosted], seen: list[str], n: int, bot: Roundtable, feed: str) -> None:
    once = set(seen)
    again = len(seen) - len(once)
    # a message embedded both as written and normalised: the double cost the issue names
    copies = sum(
        1 for m in {m.text for m in chat} if m in once and meaning(m) != m and meaning(m) in once
    )
    print(
        f"[{feed}] texts through MiniLM during the replay: {len(seen)} for {n} messages"
        f" ({len(seen) / n:.2f} a message); embedded a second time: {again + copies}"
    )
    print(f"[{feed}] bot actions: {bot.outbox.sent}, module errors: {bot.bus.errors}")


def _names(bot: Roundtable) -> str:
    return ", ".join(m.name for m in bot.modules)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--messages", type=int, default=1700)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1, help="the bot's [models] threads")
    parser.add_argument("--feed", choices=["lockstep", "burst", "both"], default="both")
    parser.add_argument(
        "--corpus",
        default=str(DEMO_DIR / "corpus"),
        help="research corpus for the snapshots ('' for none)",
    )
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
