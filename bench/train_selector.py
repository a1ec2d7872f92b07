"""Fit the dialogue summariser's sentence scorer on the dev part of DialogSum dev only.

Reads DialogSum dev from ``../shared/data`` (never copied here), keeps the dev part of
the fixed fname-hash split (the held-out part is never read), in both speaker formats
(``#PersonN#`` and invented names), and for each candidate sentence computes the
features of :mod:`facilitation.summaries.selector` and, as the target, the ROUGE-1 F1 of
the sentence as the summary would show it against the references. A ridge regression
on features and targets standardised per dialogue gives the weights printed at the end.

Hyperparameters (ridge ``alpha``, ``selector_scale``) are chosen by K-fold cross
validation *within* the dev part: fit on K-1 folds of dialogues, score the whole
summariser's ROUGE-1 on the remaining fold, against the hand-set priors on the same
fold. Embeddings are computed once and cached, so a run takes a few minutes on a
shared 2-core machine (``--limit`` takes a subset of dev dialogues).

    python -m bench.train_selector [--data ../shared/data/dialogsum/dev.jsonl] [--limit N]
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from facilitation.summaries.dialogues import Dialogue, in_split, read_dialogues, with_names
from facilitation.summaries.evaluate import (
    DIALOGUE_SENTENCES,
    DIALOGUE_WORDS,
    dialogue_summariser,
    score,
)
from facilitation.summaries.extractive import (
    ExtractiveSettings,
    ExtractiveSummariser,
    _lowercase,
)
from facilitation.summaries.selector import FEATURES, Selector, features
from facilitation.summaries.summary import Turn

CHAT = Path(__file__).resolve().parent / "data" / "chat_dialogues.jsonl"


@dataclass(frozen=True, slots=True)
class _Example:
    fold: int
    dialogue: Dialogue
    table: np.ndarray
    target: np.ndarray


def _standard(values: np.ndarray) -> np.ndarray:
    spread = values.std(axis=0)
    spread = np.where(spread < 1e-9, 1.0, spread)
    return np.asarray((values - values.mean(axis=0)) / spread)


def _example(summariser: ExtractiveSummariser, dialogue: Dialogue, fold: int) -> _Example | None:
    turns = dialogue.turns
    candidates = summariser._candidates(turns)
    if len(candidates) < 2:
        return None
    keyphrases = summariser._keyphrases.extract([c.text for c in candidates])
    vectors = summariser.embedder.embed([c.text for c in candidates])
    centre = vectors.sum(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    table = features(
        [c.text for c in candidates],
        [c.turn for c in candidates],
        [(t.speaker, t.text) for t in turns],
        vectors @ centre,
        keyphrases,
    )
    lowercase = _lowercase(candidates, turns)
    shown = [summariser._render(c, turns, lowercase).text for c in candidates]
    target = np.array(
        [score([text], [dialogue.references])["rouge1"] for text in shown], dtype=float
    )
    target = (target - target.mean()) / max(float(target.std()), 1e-9)
    return _Example(fold, dialogue, _standard(table), target)


def _fit(examples: list[_Example], alpha: float) -> Selector:
    from sklearn.linear_model import Ridge  # noqa: PLC0415  # training only

    model = Ridge(alpha=alpha, fit_intercept=False).fit(
        np.vstack([e.table for e in examples]), np.concatenate([e.target for e in examples])
    )
    return Selector(tuple(round(float(w), 3) for w in model.coef_))


class _Hybrid(ExtractiveSummariser):
    """An experiment: the hand-set priors plus ``scale`` times the learned score."""

    hybrid: tuple[Selector, float] | None = None

    def _priors(
        self,
        candidates: list[Any],
        turns: Sequence[Turn],
        keyphrases: Sequence[str],
        closeness: np.ndarray,
        weights: np.ndarray,
    ) -> np.ndarray:
        relevance = super()._priors(candidates, turns, keyphrases, closeness, weights)
        if self.hybrid is None:
            return relevance
        selector, scale = self.hybrid
        table = features(
            [c.text for c in candidates],
            [c.turn for c in candidates],
            [(t.speaker, t.text) for t in turns],
            closeness,
            keyphrases,
        )
        return np.asarray(relevance + scale * selector.score(table))


def _rouge1(summariser: ExtractiveSummariser, dialogues: list[Dialogue]) -> float:
    ours = [
        summariser.summarise(d.turns, DIALOGUE_SENTENCES, DIALOGUE_WORDS).text for d in dialogues
    ]
    return score(ours, [d.references for d in dialogues])["rouge1"]


def _use(
    summariser: _Hybrid,
    priors: ExtractiveSettings,
    selector: Selector | None,
    scale: float,
    *,
    hybrid: bool,
) -> None:
    if selector is None:
        summariser.settings, summariser.hybrid = priors, None
    elif hybrid:
        summariser.settings, summariser.hybrid = priors, (selector, scale)
    else:
        summariser.settings = replace(priors, selector=selector, selector_scale=scale)
        summariser.hybrid = None


def main() -> None:
    from bot.embeddings import MiniLMEmbedder  # noqa: PLC0415  # training only

    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/dialogsum/dev.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="only the first N dev dialogues")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--alphas", default="1,100")
    parser.add_argument("--scales", default="0.1,0.2,0.3")
    parser.add_argument(
        "--hybrid", action="store_true", help="add the learned score to the priors, not replace"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    plain = dialogue_summariser(MiniLMEmbedder(cache_size=1_000_000))
    summariser = _Hybrid(plain.embedder, framing=plain.framing, settings=plain.settings)
    priors = summariser.settings
    tagged = [d for d in read_dialogues(Path(args.data)) if in_split(d.fname, "dev")]
    if args.limit:
        tagged = tagged[: args.limit]  # the held-out part is never read
    examples: list[_Example] = []
    for dialogue in tagged:
        fold = zlib.crc32(dialogue.fname.encode() + b"fold") % args.folds
        for form in (dialogue, with_names(dialogue)):
            example = _example(summariser, form, fold)
            if example is not None:
                examples.append(example)
    print(
        f"{len(examples)} dialogues (dev part, both formats), {time.perf_counter() - start:.0f} s"
    )
    alphas = [float(a) for a in args.alphas.split(",")]
    scales = [float(s) for s in args.scales.split(",")]
    results: dict[tuple[float, float], list[float]] = {}
    baseline: list[float] = []
    for fold in range(args.folds):
        train = [e for e in examples if e.fold != fold]
        test = [e.dialogue for e in examples if e.fold == fold]
        _use(summariser, priors, None, 0.0, hybrid=False)
        baseline.append(_rouge1(summariser, test))
        for alpha in alphas:
            selector = _fit(train, alpha)
            for scale in scales:
                _use(summariser, priors, selector, scale, hybrid=args.hybrid)
                results.setdefault((alpha, scale), []).append(_rouge1(summariser, test))
    print(f"cross-validated ROUGE-1 on the dev part, {args.folds} folds:")
    print(f"  hand-set priors          {np.mean(baseline):.2f}  {np.round(baseline, 2)}")
    for (alpha, scale), values in results.items():
        gain = np.array(values) - np.array(baseline)
        print(
            f"  alpha {alpha:>6g} scale {scale:.2f}  {np.mean(values):.2f}"
            f"  gain per fold {np.round(gain, 2)}"
        )
    alpha, scale = max(results, key=lambda k: float(np.mean(results[k])))
    selector = _fit(examples, alpha)
    print(f"best alpha {alpha:g}, scale {scale:g}; refit on the whole dev part:")
    for name, weight in zip(FEATURES, selector.weights, strict=True):
        print(f"{name:>12}: {weight:+.3f}")
    print("weights=(" + ", ".join(f"{w:.3f}" for w in selector.weights) + ")")
    chat = list(read_dialogues(CHAT))
    _use(summariser, priors, None, 0.0, hybrid=False)
    before = _rouge1(summariser, chat)
    _use(summariser, priors, selector, scale, hybrid=args.hybrid)
    print(f"chat dialogues ROUGE-1: priors {before:.2f}, selector {_rouge1(summariser, chat):.2f}")
    print(f"{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
