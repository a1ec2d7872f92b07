"""Fit the dialogue summariser's sentence scorer on the dev part of DialogSum dev only.

Reads DialogSum dev from ``../shared/data`` (never copied here), keeps the dev part of
the fixed fname-hash split (the held-out part is never read), in both speaker formats
(``#PersonN#`` and invented names), and for each candidate sentence computes the
features of :mod:`facilitation.summaries.selector` and, as the target, the ROUGE-1 F1 of
the sentence as the summary would show it against the references. A ridge regression
on features and targets standardised per dialogue gives the weights printed at the end,
to be copied into ``DIALOGUE_SELECTOR``.

    python -m bench.train_selector [--data ../shared/data/dialogsum/dev.jsonl]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from facilitation.summaries.dialogues import in_split, read_dialogues, with_names
from facilitation.summaries.evaluate import dialogue_summariser, score
from facilitation.summaries.extractive import _lowercase
from facilitation.summaries.selector import FEATURES, features


def _standard(values: np.ndarray) -> np.ndarray:
    spread = values.std(axis=0)
    spread = np.where(spread < 1e-9, 1.0, spread)
    return np.asarray((values - values.mean(axis=0)) / spread)


def main() -> None:
    from sklearn.linear_model import Ridge  # noqa: PLC0415  # training only

    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/dialogsum/dev.jsonl")
    parser.add_argument("--alpha", type=float, default=1.0)
    args = parser.parse_args()
    summariser = dialogue_summariser()
    tables: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for tagged in read_dialogues(Path(args.data)):
        if not in_split(tagged.fname, "dev"):
            continue  # the held-out part is never read
        for dialogue in (tagged, with_names(tagged)):
            turns = dialogue.turns
            candidates = summariser._candidates(turns)
            if len(candidates) < 2:
                continue
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
            tables.append(_standard(table))
            targets.append((target - target.mean()) / max(float(target.std()), 1e-9))
    model = Ridge(alpha=args.alpha, fit_intercept=False).fit(
        np.vstack(tables), np.concatenate(targets)
    )
    print(f"{len(tables)} dialogues (dev part, both formats)")
    for name, weight in zip(FEATURES, model.coef_, strict=True):
        print(f"{name:>12}: {weight:+.3f}")
    print("weights=(" + ", ".join(f"{w:.3f}" for w in model.coef_) + ")")


if __name__ == "__main__":
    main()
