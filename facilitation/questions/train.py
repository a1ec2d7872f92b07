"""Fit the panel-question model on the labelled dev events; write ``panel_weights.json``.

    python -m facilitation.questions.train [--events tests/data/questions_events]
        [--extra tests/data/questions_train.jsonl] [--out facilitation/questions/panel_weights.json]

Only events whose gold says ``"split": "dev"`` are read: the test events are never
seen here. Each message from a participant that asks something (or that the gold
calls a panel question) is one example: 1 when it is a panel question (or half of
one, or a duplicate of one), 0 for chatter, questions to one participant, host
questions and anything else; questions the room answered are left out (nothing at
the time they are asked says the room will answer them). The threshold is chosen
by leave-one-event-out cross-validation: the lowest that keeps precision at
``--precision`` on the held-out events, for the best F1. Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from adapters.replay import parse_transcript
from bot.embeddings import StaticEmbedder
from bot.events import MessageDeleted, MessageEdited, MessagePosted
from facilitation.questions.detect import is_question
from facilitation.questions.panel import FEATURES, WEIGHTS, PanelContext, build_context, features

__all__ = ["Example", "examples_from_event", "main"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Example:
    group: str
    text: str
    x: npt.NDArray[np.float32]
    label: int


def examples_from_event(transcript: Path, gold: dict[str, Any]) -> list[Example]:
    """One example per participant message that asks something (see module doc)."""
    roles = gold["roles"]
    staff = {p.split(":", 1)[1] for ids in roles.values() for p in ids}
    with transcript.open(encoding="utf-8") as fh:
        events = list(parse_transcript(fh))
    finals: dict[str, str] = {}
    deleted: set[str] = set()
    for ev in events:
        if isinstance(ev, MessageEdited):
            finals[ev.message_id] = ev.text
        elif isinstance(ev, MessageDeleted):
            deleted.add(ev.message_id)
    positives = set(gold["panel_questions"])
    positives |= {a for a, _ in gold["continuations"]}
    room = set(gold["room_questions"])
    authors: dict[str, str] = {}
    staff_names: set[str] = set()
    out: list[Example] = []
    for ev in events:
        if not isinstance(ev, MessagePosted):
            continue
        authors[ev.message_id] = ev.author
        if ev.author in staff:
            staff_names.add(ev.display_name.split()[0])
            continue
        text = finals.get(ev.message_id, ev.text)
        if text.startswith("/") or ev.message_id in deleted or ev.message_id in room:
            continue
        ctx = build_context(
            text,
            mentions=ev.mentions,
            reply_author=authors.get(ev.reply_to or ""),
            author=ev.author,
            staff=staff,
            staff_names=staff_names,
        )
        label = int(ev.message_id in positives)
        if label or is_question(ctx.text):
            out.append(Example(str(gold["event"]), ctx.text, features(ctx), label))
    return out


def _extra(path: Path) -> list[Example]:

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        if "_rule" in obj:
            continue
        ctx = PanelContext(text=obj["text"])
        out.append(Example("extra", ctx.text, features(ctx), int(obj["panel"])))
    return out


def _fit(x: npt.NDArray[np.float32], y: npt.NDArray[np.int64], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415  # lazy: scikit-learn only for offline training

    return LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x, y)


def _choose_threshold(
    probs: npt.NDArray[np.float64], y: npt.NDArray[np.int64], precision: float
) -> tuple[float, float, float, float]:
    best = (0.5, 0.0, 0.0, 0.0)
    for t in np.arange(0.2, 0.91, 0.02):
        guess = probs >= t
        tp = int((guess & (y == 1)).sum())
        p = tp / max(int(guess.sum()), 1)
        r = tp / max(int((y == 1).sum()), 1)
        f = 2 * p * r / (p + r) if p + r else 0.0
        if (p >= precision) > (best[1] >= precision) or (
            (p >= precision) == (best[1] >= precision) and f > best[3]
        ):
            best = (float(t), p, r, f)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, default=ROOT / "tests/data/questions_events")
    parser.add_argument("--extra", type=Path, default=ROOT / "tests/data/questions_train.jsonl")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--c", type=float, default=0.5, help="inverse regularisation")
    parser.add_argument("--precision", type=float, default=0.95)
    parser.add_argument(
        "--precision-plain", type=float, default=0.9, help="without vectors: favour recall a bit"
    )
    args = parser.parse_args(argv)
    examples: list[Example] = []
    for gold_path in sorted(args.events.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("split") != "dev":
            continue
        transcript = gold_path.with_name(gold_path.name.replace(".gold.json", ".jsonl"))
        examples += examples_from_event(transcript, gold)
    examples += _extra(args.extra)
    embedder = StaticEmbedder()
    vectors = embedder.embed([e.text for e in examples])
    plain = np.stack([e.x for e in examples])
    full = np.concatenate([plain, vectors], axis=1)
    y = np.array([e.label for e in examples], dtype=np.int64)
    groups = np.array([e.group for e in examples])
    print(f"{len(examples)} examples, {int(y.sum())} panel questions")
    result: dict[str, object] = {"features": list(FEATURES)}
    for name, x in (("plain", plain), ("with_vector", full)):
        probs = np.zeros(len(y))
        for g in sorted(set(groups) - {"extra"}):
            held = groups == g
            model = _fit(x[~held], y[~held], args.c)
            probs[held] = model.predict_proba(x[held])[:, 1]
        events = groups != "extra"
        target = args.precision_plain if name == "plain" else args.precision
        t, p, r, f = _choose_threshold(probs[events], y[events], target)
        print(f"{name}: held-out events P {p:.2f} R {r:.2f} F1 {f:.2f} at threshold {t:.2f}")
        model = _fit(x, y, args.c)
        result[name] = {
            "coef": [round(float(v), 6) for v in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
        }
        result["threshold_plain" if name == "plain" else "threshold"] = round(t, 2)
    result["trained_on"] = "dev events of tests/data/questions_events + questions_train.jsonl"
    args.out.write_text(json.dumps(result) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
