"""Precision and recall of the question detector on a labelled sample.

    python -m facilitation.questions.detect_eval [PATH] [--errors]

PATH is a JSON Lines file: a first line holding the labelling rule (``_rule``),
then ``{"text": ..., "question": true|false}`` per line. The default is the
sample in ``tests/data/question_detection.jsonl``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from facilitation.questions.detect import is_question

__all__ = ["Scores", "evaluate", "load_sample", "main"]

DEFAULT = Path(__file__).resolve().parents[2] / "tests/data/question_detection.jsonl"


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int
    false_positives: tuple[str, ...]
    false_negatives: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_sample(path: Path) -> list[tuple[str, bool]]:
    rows: list[tuple[str, bool]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if "_rule" in obj:
                continue
            rows.append((str(obj["text"]), bool(obj["question"])))
    return rows


def evaluate(rows: list[tuple[str, bool]]) -> Scores:
    tp = fp = fn = tn = 0
    fps: list[str] = []
    fns: list[str] = []
    for text, gold in rows:
        guess = is_question(text)
        if guess and gold:
            tp += 1
        elif guess:
            fp += 1
            fps.append(text)
        elif gold:
            fn += 1
            fns.append(text)
        else:
            tn += 1
    return Scores(tp, fp, fn, tn, tuple(fps), tuple(fns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--errors", action="store_true", help="list the misses")
    args = parser.parse_args(argv)
    rows = load_sample(args.path)
    s = evaluate(rows)
    print(f"{args.path.name}: {len(rows)} messages, {s.tp + s.fn} questions")
    print(f"precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
    print(f"(tp {s.tp}, fp {s.fp}, fn {s.fn}, tn {s.tn})")
    if args.errors:
        for text in s.false_positives:
            print(f"  false positive: {text}")
        for text in s.false_negatives:
            print(f"  missed:         {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
