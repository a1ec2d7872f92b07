"""``roundtable eval questions TRANSCRIPT.jsonl GOLD.json``: the queue on a labelled event.

The transcript is replayed through the real bot (core + questions, the bundled
MiniLM unless ``--no-models``), lock-step, with the roles the gold file names. Then
the queue in the database is compared with the gold labels:

* detection: the questions left in the queue for the panel (not withdrawn,
  rejected, deleted, or answered only by the room) against the gold panel
  questions; a question split over two messages counts once, whichever half was
  queued;
* duplicates: the gold pairs a moderator would merge that were merged, merges that
  join two different questions (false merges), and merges suggested to moderators;
* answer links: (answer message, question) pairs, where a question stands for its
  gold duplicate group; of the right links, how many credit the side the gold
  names (``by``: the panel, or the room for a participant's answer).

``--all DIR`` runs every ``*.gold.json`` in DIR (with the ``.jsonl`` beside it) and
adds up dev and test apart. The gold format is written by
``tests/data/questions_events/build.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Counts", "EventScores", "evaluate_event", "main"]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def line(self) -> str:
        return (
            f"P {self.precision:.2f}  R {self.recall:.2f}  F1 {self.f1:.2f}"
            f"  (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


@dataclass
class EventScores:
    name: str
    split: str
    messages: int = 0
    detection: Counts = field(default_factory=Counts)
    answers: Counts = field(default_factory=Counts)
    merges_gold: int = 0
    merges_made: int = 0
    false_merges: int = 0
    suggested: int = 0
    suggested_right: int = 0
    credited: int = 0  # right links credited to the side (panel or room) the gold names
    errors: list[str] = field(default_factory=list)

    def add(self, other: EventScores) -> None:
        self.messages += other.messages
        self.detection.add(other.detection)
        self.answers.add(other.answers)
        self.merges_gold += other.merges_gold
        self.merges_made += other.merges_made
        self.false_merges += other.false_merges
        self.suggested += other.suggested
        self.suggested_right += other.suggested_right
        self.credited += other.credited

    def report(self) -> str:
        return "\n".join(
            [
                f"{self.name} ({self.split}): {self.messages} messages",
                f"  detection  {self.detection.line()}",
                f"  duplicates {self.merges_made} of {self.merges_gold} merges made,"
                f" {self.false_merges} false merges; {self.suggested} suggested to moderators"
                f" ({self.suggested_right} right)",
                f"  answers    {self.answers.line()};"
                f" {self.credited} of {self.answers.tp} credited to the right side (panel/room)",
            ]
        )


class _Groups:
    """Gold identity of a message: a second half maps to its first, a duplicate to its group."""

    def __init__(self, gold: dict[str, Any]) -> None:
        self.parent: dict[str, str] = {}
        self.halves = {a: b for a, b in gold.get("continuations", [])}
        for dup, of in gold.get("duplicates", []):
            self._union(self.key(dup), self.key(of))

    def key(self, mid: str) -> str:
        return str(self.halves.get(mid, mid))

    def _find(self, x: str) -> str:
        while self.parent.get(x, x) != x:
            x = self.parent[x]
        return x

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def group(self, mid: str) -> str:
        return self._find(self.key(mid))


def _config(gold: dict[str, Any], models: bool) -> Any:
    from bot.config import parse_config  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    return parse_config({"models": {"enabled": models}, "roles": gold["roles"]}, "<eval>")


async def _replay(transcript: Path, gold: dict[str, Any], db: Path, models: bool) -> None:
    from adapters.replay import ReplayAdapter, parse_transcript  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from bot.app import Roundtable  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from bot.clock import FakeClock  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.base import Services  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.core import CoreModule  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.questions.module import QuestionsModule  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    def modules(s: Services) -> list[Any]:
        return [CoreModule(s), QuestionsModule(s)]

    with transcript.open(encoding="utf-8") as fh:
        events = list(parse_transcript(fh))
    clock = FakeClock(events[0].ts)
    async with Roundtable(_config(gold, models), clock=clock, db_path=db, modules=modules) as bot:
        adapter = ReplayAdapter(events, clock=clock, settle=bot.drain, out=None)
        await bot.attach(adapter)
        await adapter.wait()
        await bot.drain()


def _rows(db: Path, sql: str) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return list(conn.execute(sql).fetchall())


def score_database(db: Path, gold: dict[str, Any], name: str = "") -> EventScores:
    """Compare the queue stored in ``db`` with ``gold``."""
    out = EventScores(name or str(gold.get("event", "")), str(gold.get("split", "")))
    out.messages = int(gold.get("messages", 0))
    g = _Groups(gold)
    questions = _rows(db, "SELECT * FROM questions ORDER BY id")
    by_id = {int(q["id"]): q for q in questions}
    texts = {int(q["id"]): str(q["text"])[:80] for q in questions}

    def root(q: sqlite3.Row) -> sqlite3.Row:
        seen = set()
        while q["merged_into"] is not None and int(q["id"]) not in seen:
            seen.add(int(q["id"]))
            q = by_id[int(q["merged_into"])]
        return q

    # detection
    gold_panel = {g.key(m) for m in gold["panel_questions"]}
    found: set[str] = set()
    for q in questions:
        if q["state"] in ("withdrawn", "rejected", "deleted") or not q["message_id"]:
            continue
        r = root(q)
        if r["answered_by"] == "room" and q["state"] in ("answered", "merged"):
            continue  # a room question: not left for the panel
        key = g.key(str(q["message_id"]))
        if key in gold_panel and key not in found:
            out.detection.tp += 1
            found.add(key)
        else:
            out.detection.fp += 1
            out.errors.append(f"  queued, not a panel question: {key} {texts[int(q['id'])]}")
    for key in sorted(gold_panel - found):
        out.detection.fn += 1
        out.errors.append(f"  missed panel question:       {key}")

    # duplicates
    out.merges_gold = len(gold.get("duplicates", []))
    system_group: dict[str, int] = {}
    for q in questions:
        if q["message_id"]:
            system_group[g.key(str(q["message_id"]))] = int(root(q)["id"])
    for dup, of in gold.get("duplicates", []):
        a, b = system_group.get(g.key(dup)), system_group.get(g.key(of))
        if a is not None and a == b:
            out.merges_made += 1
        else:
            out.errors.append(f"  merge not made:              {dup} into {of}")
    for q in questions:
        if q["merged_into"] is None or not q["message_id"]:
            continue
        r = root(q)
        if r["message_id"] is None or g.group(str(q["message_id"])) != g.group(
            str(r["message_id"])
        ):
            out.false_merges += 1
            out.errors.append(
                f"  false merge: {q['message_id']} {texts[int(q['id'])]!r}"
                f" into {r['message_id']} {texts[int(r['id'])]!r}"
            )
    for s in _rows(db, "SELECT * FROM question_suggestions"):
        one, two = by_id.get(int(s["question_id"])), by_id.get(int(s["into_id"]))
        if one is None or two is None or not one["message_id"] or not two["message_id"]:
            continue
        out.suggested += 1
        if g.group(str(one["message_id"])) == g.group(str(two["message_id"])):
            out.suggested_right += 1

    # answer links
    gold_links = {(a["answer"], g.group(a["question"])) for a in gold.get("answers", [])}
    gold_by = {(a["answer"], g.group(a["question"])): a.get("by", "panel") for a in gold["answers"]}
    made_by: dict[tuple[str, str], str] = {}
    made: set[tuple[str, str]] = set()
    for link in _rows(db, "SELECT * FROM question_answers WHERE message_id IS NOT NULL"):
        asked = by_id.get(int(link["question_id"]))
        if asked is None or not asked["message_id"]:
            continue
        pair = (str(link["message_id"]), g.group(str(root(asked)["message_id"])))
        made.add(pair)
        made_by[pair] = str(link["answerer"]) if "answerer" in link.keys() else "panel"  # noqa: SIM118
    out.answers.tp = len(made & gold_links)
    out.answers.fp = len(made - gold_links)
    out.answers.fn = len(gold_links - made)
    out.credited = sum(1 for pair in made & gold_links if made_by[pair] == gold_by[pair])
    out.errors += [
        f"  credited to the {made_by[p]}, gold says {gold_by[p]}: {p[0]} -> {p[1]}"
        for p in sorted(made & gold_links)
        if made_by[p] != gold_by[p]
    ]
    out.errors += [f"  wrong answer link: {a} -> {q}" for a, q in sorted(made - gold_links)]
    out.errors += [f"  answer not linked: {a} -> {q}" for a, q in sorted(gold_links - made)]
    return out


def evaluate_event(transcript: Path, gold_path: Path, *, models: bool = True) -> EventScores:
    """Replay ``transcript`` through the bot and score its queue against ``gold_path``."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="rt-eval-questions-") as tmp:
        db = Path(tmp) / "eval.db"
        asyncio.run(_replay(transcript, gold, db, models))
        return score_database(db, gold, transcript.stem)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="roundtable eval questions",
        description="Replay a labelled event and score the question queue against its gold.",
    )
    parser.add_argument("transcript", nargs="?", type=Path, help="JSON Lines transcript")
    parser.add_argument("gold", nargs="?", type=Path, help="GOLD.json for it")
    parser.add_argument("--all", type=Path, metavar="DIR", help="every *.gold.json in DIR")
    parser.add_argument("--split", help="only events of this split (dev or test)")
    parser.add_argument("--no-models", action="store_true", help="without MiniLM")
    parser.add_argument("--errors", action="store_true", help="list every mistake")
    args = parser.parse_args(argv)
    pairs: list[tuple[Path, Path]] = []
    if args.all:
        for gold in sorted(args.all.glob("*.gold.json")):
            pairs.append((gold.with_name(gold.name.replace(".gold.json", ".jsonl")), gold))
    elif args.transcript and args.gold:
        pairs.append((args.transcript, args.gold))
    else:
        parser.error("give TRANSCRIPT.jsonl GOLD.json, or --all DIR")
    totals: dict[str, EventScores] = {}
    for transcript, gold_path in pairs:
        try:
            split = str(json.loads(gold_path.read_text(encoding="utf-8")).get("split", ""))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"Could not read {gold_path}: {exc}")
            return 2
        if args.split and split != args.split:
            continue
        scores = evaluate_event(transcript, gold_path, models=not args.no_models)
        print(scores.report())
        if args.errors:
            print("\n".join(scores.errors))
        totals.setdefault(split, EventScores("all", split)).add(scores)
    if len(pairs) > 1:
        for split, total in sorted(totals.items()):
            print(total.report().replace("all (", f"ALL {split.upper()} (", 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
