"""``roundtable eval summaries FILE.jsonl``: ROUGE of the summariser on dialogues.

Each input line is ``{"fname", "dialogue", "summary"}`` or with ``summary1``..``summary3``;
dialogue lines may be ``#Person1#: text``, ``Name: text`` or ``<nick> text`` (detected,
or ``--format``), see :mod:`facilitation.summaries.dialogues`. ``--names`` puts invented
names in place of ``#PersonN#``; ``--split dev|test`` keeps a fixed part of the file
(by fname hash) so tuning never sees the held-out part. Writes ``{"fname", "summary"}`` lines
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
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from facilitation.summaries.dialogues import (
    FORMATS,
    Dialogue,
    in_split,
    parse_dialogue,
    read_dialogues,
    with_names,
)

if TYPE_CHECKING:
    from bot.embeddings import Embedder
    from facilitation.summaries.extractive import ExtractiveSummariser

__all__ = ["Dialogue", "dialogue_summariser", "main", "parse_dialogue", "read_dialogues", "score"]

METRICS = ("rouge1", "rouge2", "rougeLsum")
LABELS = ("ROUGE-1", "ROUGE-2", "ROUGE-Lsum")
# Dialogue mode: DialogSum references are one to three sentences, about 20 words.
# Tuned on the dev part (70%) of DialogSum dev, in both speaker formats at once.
DIALOGUE_SENTENCES = 2
DIALOGUE_WORDS = 40
_Summarise = Callable[["Dialogue"], Awaitable[str]]
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")


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
    from rouge_score import rouge_scorer  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

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
    dialogues = [d for d in read_dialogues(path, args.format) if in_split(d.fname, args.split)]
    if args.names:
        dialogues = [with_names(d) for d in dialogues]
    unscored = [d.fname for d in dialogues if not d.references]
    if unscored and not args.out:
        print(f"eval summaries: {path} has no reference summaries; use --out", file=sys.stderr)
        return 2
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
    if unscored:
        print(f"wrote {len(dialogues)} summaries (no references to score)")
        return 0
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
        "--format", choices=FORMATS, default="auto", help="speaker format of dialogue lines"
    )
    parser.add_argument(
        "--names", action="store_true", help="invented names in place of #PersonN# tags"
    )
    parser.add_argument(
        "--split",
        choices=("all", "dev", "test"),
        default="all",
        help="dev (70%%, tuned on) or test (30%%, held out), fixed by fname hash",
    )
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
    from facilitation.summaries.prompts import load_summary_prompts  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    _, prompt = load_summary_prompts()
    extractive = dialogue_summariser()
    limits = {"max_sentences": args.max_sentences, "max_words": args.max_words}
    if not args.model:

        async def run_extractive(dialogue: Dialogue) -> str:
            return extractive.summarise(dialogue.turns, **limits).text

        return "extractive (default)", run_extractive
    from facilitation.summaries.abstractive import AbstractiveSummariser  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    abstractive = AbstractiveSummariser(args.model, args.timeout, extractive, prompt)

    async def run_abstractive(dialogue: Dialogue) -> str:
        summary = await abstractive.summarise(dialogue.turns, **limits)
        if summary.note:
            print(f"\n{dialogue.fname}: extractive ({summary.note})", file=sys.stderr)
        return summary.text

    return f"abstractive {args.model}", run_abstractive


def dialogue_summariser(embedder: Embedder | None = None) -> ExtractiveSummariser:
    """The extractive summariser in dialogue mode: a topic lead, tuned on the dev part.

    Args:
        embedder: sentence embeddings; the bundled MiniLM, uncached, by default.
    """
    from bot.embeddings import MiniLMEmbedder  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.summaries.extractive import ExtractiveSettings, ExtractiveSummariser  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.summaries.prompts import load_summary_prompts  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    framing, _ = load_summary_prompts()
    settings = ExtractiveSettings(lead_with_topics=True, position_weight=0.2, length_weight=0.2)
    return ExtractiveSummariser(
        embedder or MiniLMEmbedder(cache_size=0), framing=framing, settings=settings
    )


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
