"""``roundtable eval threads DIR [--out FILE]``: disentangle IRC logs as live streams.

Every ``*.ascii.txt`` in DIR is fed message by message (in small micro-batches, as
the live bot does; decisions never look ahead) through a fresh
:class:`~facilitation.threads.disentangle.Disentangler`. One line per link is
written, ``FILEID:LATER EARLIER -``, for every message from line 1000 on (a
self-link when it starts a conversation). When ``*.annotation.txt`` files are
present, the scores of Kummerfeld et al. (2019) are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.embeddings import Embedder
from facilitation.threads.disentangle import Disentangler
from facilitation.threads.irc import read_links, read_log
from facilitation.threads.metrics import score
from facilitation.threads.scorer import Scorer, trained_embedder

__all__ = ["disentangle_file", "main"]

SUFFIX = ".ascii.txt"


def disentangle_file(
    path: Path, scorer: Scorer, embedder: Embedder | None, *, start: int = 1000, batch: int = 32
) -> set[tuple[int, int]]:
    """Stream one log through a fresh disentangler; (later, earlier) links from ``start`` on."""
    msgs = read_log(path)
    d = Disentangler(scorer, embedder)
    pairs: set[tuple[int, int]] = set()
    for lo in range(0, len(msgs), batch):
        for link in d.link_many(msgs[lo : lo + batch]):
            later = int(link.message_id)
            if later >= start:
                pairs.update((later, int(a)) for a in link.antecedents)
    return pairs


def _embedder(scorer: Scorer, off: bool) -> Embedder | None:
    return None if off else trained_embedder(scorer)


def _write(out: TextIO, name: str, pairs: set[tuple[int, int]]) -> None:
    for later, earlier in sorted(pairs):
        out.write(f"{name}:{later} {earlier} -\n")


def main(argv: list[str]) -> int:
    """Run the evaluation; ``argv`` is ``DIR [--out FILE]`` (plus tuning options)."""
    parser = argparse.ArgumentParser(prog="roundtable eval threads")
    parser.add_argument("dir", type=Path, help="folder of *.ascii.txt logs")
    parser.add_argument("--out", type=Path, help="write links here (default: stdout)")
    parser.add_argument("--start", type=int, default=1000, help="first line to output")
    parser.add_argument("--weights", type=Path, help="scorer weights (default: shipped)")
    parser.add_argument("--no-embeddings", action="store_true", help="turn meaning off")
    args = parser.parse_args(argv)

    logs = sorted(args.dir.glob("*" + SUFFIX))
    if not logs:
        print(f"no *{SUFFIX} files in {args.dir}", file=sys.stderr)
        return 2
    scorer = Scorer.load(args.weights)
    embedder = _embedder(scorer, args.no_embeddings)
    auto: dict[str, set[tuple[int, int]]] = {}
    gold: dict[str, set[tuple[int, int]]] = {}
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    began = time.perf_counter()
    try:
        for i, path in enumerate(logs, 1):
            name = path.name[: -len(SUFFIX)]
            t0 = time.perf_counter()
            auto[name] = disentangle_file(path, scorer, embedder, start=args.start)
            _write(out, name, auto[name])
            ann = path.with_name(name + ".annotation.txt")
            if ann.exists():
                gold[name] = set(read_links(ann))
            print(f"[{i}/{len(logs)}] {name}: {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    finally:
        if args.out:
            out.close()
    print(f"{len(logs)} files in {time.perf_counter() - began:.1f}s", file=sys.stderr)
    if gold:
        for line in score(gold, {n: auto[n] for n in gold}).lines():
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
