"""Calibrate the duplicate thresholds on labelled pairs of questions.

    python -m facilitation.questions.calibrate [--events tests/data/questions_events] [--split dev]

Every pair of questions in one labelled event (panel and room questions, a split
question as one text) is scored with the bundled MiniLM on the words that carry
its meaning (:func:`~facilitation.questions.queue.for_matching`). Pairs a moderator
would merge are positives; everything else is a negative, and the near misses
(same topic, different question) are shown apart. The merge threshold printed is
the lowest that merges no negative (plus a margin); the suggestion threshold the
lowest that still has a positive above it that is not an outlier.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

from bot.embeddings import MiniLMEmbedder
from facilitation.questions.queue import for_matching

__all__ = ["main", "pairs"]

ROOT = Path(__file__).resolve().parents[2]


def _texts(transcript: Path, gold: dict[str, object]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for line in transcript.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        if "id" in obj:
            texts[str(obj["id"])] = str(obj["text"])
        elif obj.get("type") == "edit":
            texts[str(obj["message_id"])] = str(obj["text"])
    for second, first in gold["continuations"]:  # type: ignore[attr-defined]
        texts[first] = f"{texts[first]} {texts[second]}"
    return texts


def pairs(events: Path, split: str, embedder: MiniLMEmbedder) -> list[tuple[float, str, str, str]]:
    """(similarity, kind, text a, text b) for every pair; kind is dup, near or other."""
    out: list[tuple[float, str, str, str]] = []
    for gold_path in sorted(events.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("split") != split:
            continue
        texts = _texts(gold_path.with_name(gold_path.name.replace(".gold.json", ".jsonl")), gold)
        ids = [*gold["panel_questions"], *gold["room_questions"]]
        vecs = embedder.embed([for_matching(texts[i]) for i in ids])
        dups = {frozenset(p) for p in gold["duplicates"]}
        near = {frozenset(p) for p in gold["near_misses"]}
        for (i, a), (j, b) in itertools.combinations(enumerate(ids), 2):
            key = frozenset((a, b))
            kind = "dup" if key in dups else "near" if key in near else "other"
            out.append((float(vecs[i] @ vecs[j]), kind, texts[a], texts[b]))
    return sorted(out, reverse=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, default=ROOT / "tests/data/questions_events")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--margin", type=float, default=0.01)
    args = parser.parse_args(argv)
    scored = pairs(args.events, args.split, MiniLMEmbedder())
    positives = [s for s, kind, _, _ in scored if kind == "dup"]
    negatives = [s for s, kind, _, _ in scored if kind != "dup"]
    print(f"{len(positives)} pairs to merge, {len(negatives)} not to merge")
    for s, kind, a, b in scored:
        if kind != "other" or s >= 0.6:
            print(f"  {s:.3f} {kind:5} {a[:60]!r} | {b[:60]!r}")
    merge = max(negatives) + args.margin
    ordered = sorted(positives)
    suggest = ordered[len(ordered) // 5] if ordered else merge
    made = sum(s >= merge for s in positives)
    print(f"merge at >= {merge:.2f}: {made} of {len(positives)} merged, 0 false merges")
    print(f"suggest from {min(suggest, merge):.2f}: {sum(s >= suggest for s in positives)} caught")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
