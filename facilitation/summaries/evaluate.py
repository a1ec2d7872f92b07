"""``roundtable eval summaries FILE.jsonl``: ROUGE of the summariser on DialogSum-format data.

Each input line is ``{"fname", "dialogue", "summary"}`` or with ``summary1``..``summary3``;
dialogue lines look like ``#Person1#: text``. Writes ``{"fname", "summary"}`` lines
with ``--out`` and prints ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 (rouge-score, Porter
stemming) of the chosen summariser and, in the same run, of two baselines: the first
three turns and the three longest turns, each taken verbatim with its speaker tag.
With several references a dialogue scores the mean F1 over them (the stricter
convention; the maximum flatters every system alike).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from facilitation.summaries.summary import Turn

__all__ = ["Dialogue", "main", "parse_dialogue", "read_dialogues", "score"]

METRICS = ("rouge1", "rouge2", "rougeLsum")
LABELS = ("ROUGE-1", "ROUGE-2", "ROUGE-Lsum")
# Dialogue mode: DialogSum references are one to three sentences, about 20 words.
DIALOGUE_SENTENCES = 2
DIALOGUE_WORDS = 30
_Summarise = Callable[["Dialogue"], Awaitable[str]]
_TURN_RE = re.compile(r"^\s*([^:]{1,40}):\s*(.*)$")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True, slots=True)
class Dialogue:
    """One DialogSum record."""

    fname: str
    turns: tuple[Turn, ...]
    lines: tuple[str, ...]
    references: tuple[str, ...]


def parse_dialogue(text: str) -> tuple[tuple[Turn, ...], tuple[str, ...]]:
    """Split ``#Person1#: ...`` lines into turns; untagged lines continue the last turn."""
    turns: list[Turn] = []
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _TURN_RE.match(line)
        if match and (match.group(1).startswith("#") or not turns):
            turns.append(Turn(speaker=match.group(1).strip(), text=match.group(2).strip()))
            lines.append(line.strip())
        elif turns:
            last = turns[-1]
            turns[-1] = Turn(speaker=last.speaker, text=f"{last.text} {line.strip()}")
            lines[-1] = f"{lines[-1]} {line.strip()}"
        else:
            turns.append(Turn(speaker="Someone", text=line.strip()))
            lines.append(line.strip())
    return tuple(turns), tuple(lines)


def read_dialogues(path: Path) -> Iterator[Dialogue]:
    """Read DialogSum-format JSON Lines, one :class:`Dialogue` per non-empty line."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            keys = ("summary", "summary1", "summary2", "summary3")
            refs = [record[k] for k in keys if k in record]
            turns, lines = parse_dialogue(str(record["dialogue"]))
            fname = str(record.get("fname", f"line_{number}"))
            yield Dialogue(fname, turns, lines, tuple(str(r) for r in refs))


def first3(dialogue: Dialogue) -> str:
    """Baseline: the first three turns, verbatim."""
    return "\n".join(dialogue.lines[:3])


def longest3(dialogue: Dialogue) -> str:
    """Baseline: the three longest turns, verbatim, in dialogue order."""
    longest = sorted(range(len(dialogue.lines)), key=lambda i: -len(dialogue.lines[i]))[:3]
    return "\n".join(dialogue.lines[i] for i in sorted(longest))


BASELINES: dict[str, Callable[[Dialogue], str]] = {"first3": first3, "longest3": longest3}


def score(predictions: Sequence[str], references: Sequence[Sequence[str]]) -> dict[str, float]:
    """Mean F1 x 100 per metric; several references per item are averaged."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    for prediction, refs in zip(predictions, references, strict=True):
        pred = _lines(prediction)
        for ref in refs:
            result = scorer.score(_lines(ref), pred)
            for metric in METRICS:
                totals[metric] += result[metric].fmeasure / len(refs)
    count = max(len(predictions), 1)
    return {metric: 100 * total / count for metric, total in totals.items()}


def _lines(text: str) -> str:
    # ROUGE-Lsum treats newlines as sentence boundaries.
    return "\n".join(s for part in text.splitlines() for s in _SENTENCE_END_RE.split(part) if s)


def main(argv: list[str]) -> int:
    """Run the evaluation; returns the process exit code."""
    args = _parser().parse_args(argv)
    path = Path(args.file)
    if not path.is_file():
        print(f"eval summaries: no such file: {path}", file=sys.stderr)
        return 2
    dialogues = list(read_dialogues(path))
    if args.limit:
        dialogues = dialogues[: args.limit]
    if not dialogues:
        print(f"eval summaries: no dialogues in {path}", file=sys.stderr)
        return 2
    label, summarise = _summariser(args)
    predictions = asyncio.run(_summarise_all(summarise, dialogues))
    if args.out:
        with Path(args.out).open("w", encoding="utf-8") as fh:
            for dialogue, prediction in zip(dialogues, predictions, strict=True):
                record = {"fname": dialogue.fname, "summary": prediction}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    references = [d.references for d in dialogues]
    rows = [(label, score(predictions, references))]
    for name, baseline in BASELINES.items():
        if name != args.baseline:
            rows.append((f"baseline {name}", score([baseline(d) for d in dialogues], references)))
    _print_table(rows, len(dialogues), sys.stdout)
    return 0


async def _summarise_all(summarise: _Summarise, dialogues: Sequence[Dialogue]) -> list[str]:
    # One event loop for the whole run: a timed-out model call outlives its request.
    return [await summarise(d) for d in _progress(dialogues, sys.stderr)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roundtable eval summaries",
        description="ROUGE F1 of the summariser on DialogSum-format JSON Lines.",
    )
    parser.add_argument("file", help="JSON Lines with fname, dialogue, summary (or summary1..3)")
    parser.add_argument("--out", help="write {fname, summary} JSON Lines here")
    parser.add_argument(
        "--baseline", choices=sorted(BASELINES), help="score this baseline as the summariser"
    )
    parser.add_argument("--max-sentences", type=int, default=DIALOGUE_SENTENCES)
    parser.add_argument("--max-words", type=int, default=DIALOGUE_WORDS)
    parser.add_argument("--model", help="abstractive: a text-generation model (hub name or path)")
    parser.add_argument("--timeout", type=float, default=60.0, help="abstractive time-out, s")
    parser.add_argument("--limit", type=int, default=0, help="only the first N dialogues")
    return parser


def _summariser(args: argparse.Namespace) -> tuple[str, _Summarise]:
    if args.baseline:
        baseline = BASELINES[args.baseline]

        async def run_baseline(dialogue: Dialogue) -> str:
            return baseline(dialogue)

        return f"baseline {args.baseline}", run_baseline
    from bot.embeddings import MiniLMEmbedder
    from facilitation.summaries.extractive import ExtractiveSettings, ExtractiveSummariser
    from facilitation.summaries.prompts import load_summary_prompts

    framing, prompt = load_summary_prompts()
    settings = ExtractiveSettings(lead_with_topics=True)
    extractive = ExtractiveSummariser(
        MiniLMEmbedder(cache_size=0), framing=framing, settings=settings
    )
    limits = {"max_sentences": args.max_sentences, "max_words": args.max_words}
    if not args.model:

        async def run_extractive(dialogue: Dialogue) -> str:
            return extractive.summarise(dialogue.turns, **limits).text

        return "extractive (default)", run_extractive
    from facilitation.summaries.abstractive import AbstractiveSummariser

    abstractive = AbstractiveSummariser(args.model, args.timeout, extractive, prompt)

    async def run_abstractive(dialogue: Dialogue) -> str:
        summary = await abstractive.summarise(dialogue.turns, **limits)
        if summary.note:
            print(f"\n{dialogue.fname}: extractive ({summary.note})", file=sys.stderr)
        return summary.text

    return f"abstractive {args.model}", run_abstractive


def _progress(dialogues: Sequence[Dialogue], stream: TextIO) -> Iterator[Dialogue]:
    step = max(len(dialogues) // 20, 1)
    for done, dialogue in enumerate(dialogues):
        if done % step == 0:
            print(f"\rsummarising {done}/{len(dialogues)}", end="", file=stream, flush=True)
        yield dialogue
    print(f"\rsummarising {len(dialogues)}/{len(dialogues)}", file=stream, flush=True)


def _print_table(rows: list[tuple[str, dict[str, float]]], count: int, out: TextIO) -> None:
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'summariser':<{width}}" + "".join(f"{h:>12}" for h in LABELS), file=out)
    for name, scores in rows:
        print(f"{name:<{width}}" + "".join(f"{scores[m]:>12.2f}" for m in METRICS), file=out)
    print(f"F1 x 100 over {count} dialogues; rouge-score with stemming", file=out)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
