"""Calibrate the duplicate thresholds on labelled pairs of questions.

    python -m facilitation.questions.calibrate [--pairs tests/data/question_pairs]
        [--events tests/data/questions_events] [--learned] [--test] [--show 0.6]

Labelled pairs, all written by hand before any tuning:

* **dev**: ``question_pairs/train.txt`` (questions from 15 made-up events in as
  many domains and writing styles, grouped by topic and by what they ask: every
  pair within one domain is an example, and pairs on one topic that ask different
  things are the near misses), plus every pair of panel and room questions in the
  dev events (``soil``, ``runtime``), duplicates taken transitively from the gold.
* **test** (``--test``, never choose anything after looking at it):
  ``question_pairs/test.txt`` (six other domains) and the ``skies`` event.

Every pair is scored with the bundled MiniLM on the words that carry its meaning
(:func:`~facilitation.questions.queue.for_matching`). The merge threshold printed
is the lowest that merges no non-duplicate on dev (plus a margin); suggestions
start where half the suggestions are right, in the written pairs and in the events
each (``--suggest-precision``).

``--learned`` also fits a logistic regression over the cosine and the features of
:mod:`facilitation.questions.pairs` (word overlap, numbers, names, kind of question,
negation), leaving one dev domain or event out at a time, and prints both scores'
average precision and how many duplicates each merges at 0, 1 and 3 false merges.
Needs scikit-learn. ``--alignment`` adds a second model that also sees BERTScore-style
token alignment (:func:`~facilitation.questions.pairs.alignment_features` over MiniLM's
contextual token vectors, idf-weighted over the dev questions). With ``--test`` each
model, fitted on all of dev and merging above every out-of-fold dev non-duplicate, is
scored on the held-out pairs too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.embeddings import MiniLMEmbedder
from facilitation.questions.queue import for_matching

__all__ = ["Pair", "event_pairs", "main", "written_pairs"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Pair:
    group: str  # the domain or event
    a: str
    b: str
    label: int  # 1: a moderator would merge them
    near: bool  # same topic (a near miss when label is 0)


def written_pairs(path: Path) -> list[Pair]:
    """Every pair within one domain of a ``question_pairs/*.txt`` file."""
    domains: dict[str, list[tuple[str, str, str]]] = {}
    domain = topic = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@domain "):
            domain = line[8:].split(" (")[0]
        elif line.startswith("["):
            topic = line.strip("[]")
        else:
            ask, _, text = line.partition(" ")
            if not ask.isdigit() or not domain or not topic:
                raise ValueError(f"{path.name}: cannot read {line!r}")
            domains.setdefault(domain, []).append((topic, ask, text))
    out = []
    for name, items in domains.items():
        for (ta, na, a), (tb, nb, b) in itertools.combinations(items, 2):
            out.append(Pair(name, a, b, int(ta == tb and na == nb), ta == tb))
    return out


def _event_texts(transcript: Path, gold: dict[str, Any]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for line in transcript.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        if "id" in obj:
            texts[str(obj["id"])] = str(obj["text"])
        elif obj.get("type") == "edit":
            texts[str(obj["message_id"])] = str(obj["text"])
    for second, first in gold["continuations"]:
        texts[first] = f"{texts[first]} {texts[second]}"
    return texts


def _find(root: dict[str, str], i: str) -> str:
    while root[i] != i:
        i = root[i]
    return i


def event_pairs(events: Path, split: str) -> list[Pair]:
    """Every pair of questions in the labelled events of ``split``; duplicates transitively."""
    out = []
    for gold_path in sorted(events.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("split") != split:
            continue
        transcript = gold_path.with_name(gold_path.name.replace(".gold.json", ".jsonl"))
        texts = _event_texts(transcript, gold)
        asked = [*gold["panel_questions"], *gold["room_questions"]]
        ids = [i for i in asked if i not in gold["deleted"]]
        root = {i: i for i in ids}
        for dup, of in gold["duplicates"]:
            root[_find(root, dup)] = _find(root, of)
        near = {frozenset(p) for p in gold["near_misses"]}
        for a, b in itertools.combinations(ids, 2):
            same = _find(root, a) == _find(root, b)
            is_near = same or frozenset((a, b)) in near
            out.append(Pair(gold["event"], texts[a], texts[b], int(same), is_near))
    return out


def cosines(pairs: list[Pair], embedder: MiniLMEmbedder) -> npt.NDArray[np.float64]:
    texts = sorted({t for p in pairs for t in (p.a, p.b)})
    index = {t: i for i, t in enumerate(texts)}
    vecs = embedder.embed([for_matching(t) for t in texts])
    return np.array([float(vecs[index[p.a]] @ vecs[index[p.b]]) for p in pairs])


def thresholds(
    parts: Sequence[tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]],
    margin: float,
    precision: float,
) -> tuple[float, float]:
    """(merge, suggest) from the (scores, labels) of each part of dev.

    Merge above every non-duplicate of every part. Suggest from the lowest likeness
    of a duplicate at which ``precision`` of the suggestions are right in each part
    apart (written pairs hold far more duplicates than a real event, so pooled they
    would flatter the suggestions).
    """
    merge = round(max(float(s[y == 0].max()) for s, y in parts) + margin, 2)
    levels = {math.floor(v * 100) / 100 for s, y in parts for v in s[(y == 1) & (s < merge)]}
    for t in sorted(levels):
        shares = []
        for s, y in parts:
            band = (s >= t) & (s < merge)
            shares.append(int((band & (y == 1)).sum()) / max(int(band.sum()), 1))
        if min(shares) >= precision:
            return merge, t
    return merge, merge


def _report(
    name: str, pairs: list[Pair], s: npt.NDArray[np.float64], merge: float, suggest: float
) -> None:
    y = np.array([p.label for p in pairs])
    near = sum(p.near and not p.label for p in pairs)
    pos = int(y.sum())
    made = int(((s >= merge) & (y == 1)).sum())
    false = int(((s >= merge) & (y == 0)).sum())
    band = (s >= suggest) & (s < merge)
    print(
        f"{name}: {pos} duplicate pairs, {near} near misses, {len(y) - pos} not duplicates."
        f" Merged {made} of {pos} ({made / max(pos, 1):.2f}), false merges {false};"
        f" suggested {int(band.sum())} ({int((band & (y == 1)).sum())} right)"
    )


def _show(pairs: list[Pair], s: npt.NDArray[np.float64], floor: float) -> None:
    for i in np.argsort(-s):
        p = pairs[i]
        if s[i] >= floor or p.label:
            kind = "DUP " if p.label else "near" if p.near else "    "
            print(f"    {s[i]:.3f} {kind} {p.a[:55]!r} | {p.b[:55]!r}")


def _token_vectors(texts: list[str]) -> dict[str, tuple[list[str], npt.NDArray[np.float32]]]:
    """Each text's word pieces and their contextual MiniLM vectors (normalised)."""
    import torch  # noqa: PLC0415  # calibration only
    from transformers import AutoModel, AutoTokenizer  # noqa: PLC0415

    from bot.embeddings import bundled_model_path  # noqa: PLC0415

    tokenizer = AutoTokenizer.from_pretrained(bundled_model_path())
    model = AutoModel.from_pretrained(bundled_model_path()).eval()
    out: dict[str, tuple[list[str], npt.NDArray[np.float32]]] = {}
    with torch.inference_mode():
        for text in texts:
            enc = tokenizer([text], truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**enc).last_hidden_state[0, 1:-1].float().numpy()
            pieces = list(tokenizer.convert_ids_to_tokens(enc["input_ids"][0, 1:-1].tolist()))
            norms = np.linalg.norm(hidden, axis=1, keepdims=True).clip(min=1e-9)
            out[text] = (pieces, (hidden / norms).astype(np.float32))
    return out


class _Features:
    """The pair model's inputs: lexical features, and with ``alignment`` token alignment."""

    def __init__(self, dev: list[Pair], alignment: bool) -> None:
        from facilitation.questions.pairs import _STOP  # noqa: PLC0415  # calibration only

        self.alignment = alignment
        self._stop = _STOP
        texts = sorted({for_matching(t) for p in dev for t in (p.a, p.b)})
        self._df: dict[str, int] = {}
        if alignment:
            self._tokens = _token_vectors(texts)
            for t in texts:
                for piece in set(self._tokens[t][0]):
                    self._df[piece] = self._df.get(piece, 0) + 1
        self._n = len(texts)

    def _weights(self, pieces: list[str]) -> npt.NDArray[np.float64]:
        return np.array(
            [
                math.log((self._n + 1) / (self._df.get(w, 0) + 1))
                if w.strip("#").isalnum() and w not in self._stop and len(w) > 1
                else 0.0
                for w in pieces
            ]
        )

    def matrix(self, pairs: list[Pair], cos: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
        from facilitation.questions.pairs import (  # noqa: PLC0415  # calibration only
            alignment_features,
            pair_features,
            parse,
        )

        texts = sorted({for_matching(t) for p in pairs for t in (p.a, p.b)})
        parsed = {t: parse(t) for t in texts}
        if self.alignment:
            self._tokens.update(_token_vectors([t for t in texts if t not in self._tokens]))
        rows = []
        for p, c in zip(pairs, cos, strict=True):
            a, b = for_matching(p.a), for_matching(p.b)
            row = [pair_features(parsed[a], parsed[b], c)]
            if self.alignment:
                (pa, va), (pb, vb) = self._tokens[a], self._tokens[b]
                row.append(alignment_features(va, vb, self._weights(pa), self._weights(pb)))
            rows.append(np.concatenate(row))
        return np.stack(rows)


def _model() -> Any:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415  # calibration only
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))


_FLOOR = 0.4  # no duplicate is below this cosine; the model learns the hard part


def _learned(
    pairs: list[Pair], x: npt.NDArray[np.float32], cos: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], Any]:
    """Out-of-fold probabilities (one dev domain or event left out at a time), and a
    model fitted on all of dev."""
    y = np.array([p.label for p in pairs])
    groups = np.array([p.group for p in pairs])
    keep = cos >= _FLOOR
    out = np.zeros(len(pairs))
    for g in sorted(set(groups)):
        held = groups == g
        model = _model().fit(x[~held & keep], y[~held & keep])
        out[held] = model.predict_proba(x[held])[:, 1]
    out[~keep] = 0.0
    return out, _model().fit(x[keep], y[keep])


def _compare(y: npt.NDArray[np.int64], scores: dict[str, npt.NDArray[np.float64]]) -> None:
    from sklearn.metrics import average_precision_score  # noqa: PLC0415  # calibration only

    print(f"dev pooled ({int(y.sum())} duplicates): merged at 0 / 1 / 3 false merges")
    for name, s in scores.items():
        negatives = np.sort(s[y == 0])[::-1]
        made = [float((s[y == 1] > negatives[k]).mean()) for k in (0, 1, 3)]
        print(
            f"  {name:9} average precision {average_precision_score(y, s):.2f};"
            f" merged {made[0]:.2f} / {made[1]:.2f} / {made[2]:.2f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "tests/data/question_pairs")
    parser.add_argument("--events", type=Path, default=ROOT / "tests/data/questions_events")
    parser.add_argument("--margin", type=float, default=0.01)
    parser.add_argument(
        "--suggest-precision", type=float, default=0.5, help="share of suggestions that are right"
    )
    parser.add_argument("--learned", action="store_true", help="compare the learned pair model")
    parser.add_argument(
        "--alignment", action="store_true", help="also a pair model with token alignment"
    )
    parser.add_argument("--test", action="store_true", help="also score the held-out pairs")
    parser.add_argument("--show", type=float, default=1.1, help="list dev pairs from this cosine")
    args = parser.parse_args(argv)
    embedder = MiniLMEmbedder()
    written, events = written_pairs(args.pairs / "train.txt"), event_pairs(args.events, "dev")
    dev = written + events
    cos = cosines(dev, embedder)
    y = np.array([p.label for p in dev], dtype=np.int64)
    n = len(written)
    parts = [(cos[:n], y[:n]), (cos[n:], y[n:])]
    merge, suggest = thresholds(parts, args.margin, args.suggest_precision)
    print(
        f"MiniLM cosine, thresholds chosen on dev: merge >= {merge:.2f}, suggest from {suggest:.2f}"
    )
    _report("dev, written pairs (train.txt)", written, cos[:n], merge, suggest)
    _report("dev, events soil + runtime", events, cos[n:], merge, suggest)
    _show(dev, cos, args.show)
    models: dict[str, tuple[_Features, Any, float]] = {}
    if args.learned or args.alignment:
        scores = {"cosine": cos}
        for name, alignment in (("learned", False), ("aligned", True)):
            if alignment and not args.alignment:
                continue
            feats = _Features(dev, alignment)
            oof, fitted = _learned(dev, feats.matrix(dev, cos), cos)
            scores[name] = oof
            # merge above every out-of-fold non-duplicate of dev, as for the cosine
            models[name] = (feats, fitted, float(oof[y == 0].max()) + 1e-6)
        _compare(y, scores)
    if args.test:
        for name, pairs in (
            ("TEST, written pairs (test.txt)", written_pairs(args.pairs / "test.txt")),
            ("TEST, event skies", event_pairs(args.events, "test")),
        ):
            s = cosines(pairs, embedder)
            _report(name, pairs, s, merge, suggest)
            _show(pairs, s, args.show)
            for model_name, (feats, fitted, cut) in models.items():
                p = fitted.predict_proba(feats.matrix(pairs, s))[:, 1] * (s >= _FLOOR)
                _report(f"  {model_name} (merge at p >= {cut:.3f})", pairs, p, cut, 1.1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
