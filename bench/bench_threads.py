"""Throughput of thread disentanglement on a live-like stream, embeddings on.

Streams every ``*.ascii.txt`` log of the IRC dev set (read from ../shared/data at
run time) through :class:`Disentangler` in micro-batches, as the bot does when
several messages arrive together, and prints messages per second with MiniLM
embeddings on, and the same run with embeddings off as the baseline.

    python bench/bench_threads.py [--data DIR] [--batch 32] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.embeddings import Embedder
from facilitation.threads.disentangle import Disentangler
from facilitation.threads.irc import read_log
from facilitation.threads.message import ThreadMessage
from facilitation.threads.scorer import Scorer, trained_embedder

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/irc-disentanglement/dev"


def run(
    logs: list[list[ThreadMessage]], scorer: Scorer, embedder: Embedder | None, batch: int
) -> float:
    """Messages per second through fresh disentanglers, one per log (channel)."""
    total = sum(len(msgs) for msgs in logs)
    began = time.perf_counter()
    for msgs in logs:
        d = Disentangler(scorer, embedder)
        for lo in range(0, len(msgs), batch):
            d.link_many(msgs[lo : lo + batch])
    return total / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--batch", type=int, default=32, help="messages per micro-batch")
    parser.add_argument("--limit", type=int, default=0, help="messages per log (0: all)")
    parser.add_argument("--weights", type=Path, default=None, help="default: the shipped ones")
    args = parser.parse_args(argv)

    paths = sorted(args.data.glob("*.ascii.txt"))
    if not paths:
        print(f"no logs in {args.data}", file=sys.stderr)
        return 2
    logs = [read_log(p) for p in paths]
    if args.limit:
        logs = [msgs[: args.limit] for msgs in logs]
    total = sum(len(m) for m in logs)
    scorer = Scorer.load(args.weights)
    off = run(logs, scorer, None, args.batch)
    embedder = trained_embedder(scorer)
    if embedder is None:
        print("these weights use no embeddings", file=sys.stderr)
        return 2
    embedder.embed(["warm up the model once"])
    on = run(logs, scorer, embedder, args.batch)
    print(f"threads: {total} messages from {len(logs)} logs, micro-batches of {args.batch}")
    print(f"  embeddings off (baseline): {off:8.0f} msgs/s")
    settings = scorer.meta.get("embeddings") or {}
    print(f"  embeddings on  ({type(embedder).__name__}, {settings}): {on:8.0f} msgs/s")
    print(f"  ratio on/off: {on / off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
