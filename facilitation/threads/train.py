"""Fit the link scorer on the annotated IRC corpus of Kummerfeld et al. (2019).

Run ``python -m facilitation.threads.train --data ../shared/data/irc-disentanglement/train
--out facilitation/threads/weights.json``. The corpus is read where it lies (CC BY 4.0);
only the fitted numbers are written. Training needs torch (installed with the bot);
applying the weights needs only numpy.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.embeddings import Embedder, MiniLMEmbedder, StaticEmbedder
from facilitation.threads.disentangle import Disentangler
from facilitation.threads.features import FEATURES
from facilitation.threads.irc import read_links, read_log
from facilitation.threads.message import ThreadMessage
from facilitation.threads.scorer import Scorer

__all__ = ["ATTRIBUTION", "Example", "build_examples", "fit", "main", "reserved_words"]

ATTRIBUTION = (
    "Trained on the Ubuntu IRC disentanglement corpus of Kummerfeld et al., "
    "'A Large-Scale Corpus for Conversation Disentanglement', ACL 2019 "
    "(jkkummerfeld/irc-disentanglement), licensed CC BY 4.0."
)
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Example:
    """One annotated message: candidate features and which rows are gold antecedents."""

    x: FloatArray
    gold: npt.NDArray[np.bool_]


class _DiskCache:
    """Remembers embeddings across training runs (features change, texts do not)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner, self.path, self.dim = inner, path, inner.dim
        self.known: dict[str, FloatArray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self.known = dict(zip(data["texts"].tolist(), data["vecs"], strict=True))

    def embed(self, texts: Sequence[str]) -> FloatArray:
        todo = sorted({t for t in texts if t not in self.known})
        if todo:
            for t, v in zip(todo, self.inner.embed(todo), strict=True):
                self.known[t] = v
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.known[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        texts = list(self.known)
        np.savez(self.path, texts=np.array(texts), vecs=np.stack([self.known[t] for t in texts]))


def _corpus(folder: Path) -> list[tuple[list[ThreadMessage], list[tuple[int, int]]]]:
    out = []
    for ann in sorted(folder.glob("*.annotation.txt")):
        log = ann.with_name(ann.name.replace(".annotation.txt", ".ascii.txt"))
        out.append((read_log(log), read_links(ann)))
    return out


def reserved_words(logs: Sequence[list[ThreadMessage]], ratio: float = 100.0) -> set[str]:
    """Words used in text far more often than as a speaker's nick (never taken as nicks).

    Following Kummerfeld et al.: a word that appears ``ratio`` times as often in
    messages as its owner speaks is a word, not a name.
    """
    words: Counter[str] = Counter()
    speakers: Counter[str] = Counter()
    for msgs in logs:
        for m in msgs:
            if m.system:
                continue
            speakers[m.author.lower()] += 1
            words.update(w.lower().strip(".,:;!?") for w in m.text.split())
    return {w for w, n in speakers.items() if words[w] >= ratio * n}


def build_examples(
    corpus: Sequence[tuple[list[ThreadMessage], list[tuple[int, int]]]],
    scorer: Scorer,
    embedder: Embedder | None,
    window: int = 100,
) -> list[Example]:
    """Replay each log online and keep the features of every annotated message."""
    examples: list[Example] = []
    for n, (msgs, pairs) in enumerate(corpus):
        gold: dict[int, set[int]] = {}
        for later, earlier in pairs:
            gold.setdefault(later, set()).add(earlier)
        start = max(0, min(gold) - window - 1)
        d = Disentangler(scorer, embedder, window=window)
        embs = np.zeros((len(msgs), d.dim), np.float32)
        embs[start : max(gold) + 1] = d.embed(msgs[start : max(gold) + 1])
        for i, msg in enumerate(msgs[: max(gold) + 1]):
            q = d.observe(msg, embs[i])
            if i in gold:
                positions, x = d.history.features(q)
                mask = np.isin(positions, np.fromiter(gold[i], np.int64))
                if mask.any():
                    examples.append(Example(x, mask))
            d.commit(msg, q, (msg.id,))
        print(f"  {n + 1}/{len(corpus)} files, {len(examples)} examples", file=sys.stderr)
    return examples


def _pad(
    examples: Sequence[Example],
) -> tuple[FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    width = max(len(e.x) for e in examples)
    x = np.zeros((len(examples), width, len(FEATURES)), np.float32)
    valid = np.zeros((len(examples), width), bool)
    gold = np.zeros((len(examples), width), bool)
    for i, e in enumerate(examples):
        x[i, : len(e.x)] = e.x
        valid[i, : len(e.x)] = True
        gold[i, : len(e.x)] = e.gold
    return x, valid, gold


def fit(
    train: Sequence[Example],
    held: Sequence[Example],
    *,
    hidden: int = 128,
    epochs: int = 12,
    seed: int = 0,
    reserved: frozenset[str] = frozenset(),
    meta: dict[str, object] | None = None,
    checkpoint: Path | None = None,
) -> Scorer:
    """Train a two-hidden-layer tanh net with a softmax over each message's candidates.

    The epoch with the best held-out link accuracy wins; with ``checkpoint`` its
    weights are written as soon as it is found.
    """
    import torch  # noqa: PLC0415  # lazy: offline training; torch takes seconds to import

    torch.manual_seed(seed)
    x, valid, gold = _pad(train)
    flat = x[valid]
    mean = flat.mean(0)
    scale = flat.std(0) + 1e-3
    tx = torch.from_numpy((x - mean) / scale)
    tv, tg = torch.from_numpy(valid), torch.from_numpy(gold)
    hx, hv, hg = _pad(held)
    thx = torch.from_numpy((hx - mean) / scale)
    net = torch.nn.Sequential(
        torch.nn.Linear(len(FEATURES), hidden),
        torch.nn.Tanh(),
        torch.nn.Linear(hidden, hidden),
        torch.nn.Tanh(),
        torch.nn.Linear(hidden, 1),
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-6)
    best: tuple[float, list[torch.Tensor]] = (-1.0, [])
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(tx))
        for start in range(0, len(tx), 256):
            idx = order[start : start + 256]
            z = net(tx[idx]).squeeze(-1)
            z = z.masked_fill(~tv[idx], -1e9)
            loss = (z.logsumexp(1) - z.masked_fill(~tg[idx], -1e9).logsumexp(1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            z = net(thx).squeeze(-1).masked_fill(~torch.from_numpy(hv), -1e9)
            pick = z.argmax(1)
            acc = float(torch.from_numpy(hg).gather(1, pick[:, None]).float().mean())
        print(f"  epoch {epoch + 1}: held-out link accuracy {100 * acc:.2f}", file=sys.stderr)
        if acc > best[0]:
            best = (acc, [p.detach().clone() for p in net.parameters()])
            if checkpoint is not None:
                _to_scorer(best[1], mean, scale, reserved, meta, acc).save(checkpoint)
    return _to_scorer(best[1], mean, scale, reserved, meta, best[0])


def _to_scorer(
    params: Sequence[Any],
    mean: FloatArray,
    scale: FloatArray,
    reserved: frozenset[str],
    meta: dict[str, object] | None,
    accuracy: float,
) -> Scorer:
    arrays = [p.numpy() for p in params]
    layers = [(arrays[i].T.copy(), arrays[i + 1]) for i in range(0, len(arrays), 2)]
    info = dict(meta or {})
    info["held_out_link_accuracy"] = round(100 * accuracy, 2)
    return Scorer(mean, scale, layers, meta=info, reserved=reserved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facilitation.threads.train")
    parser.add_argument("--data", type=Path, required=True, help="folder of annotated logs")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--held-out", type=int, default=12, help="files kept for early stopping")
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument(
        "--static", action="store_true", help="MiniLM's token table only (fast, coarser)"
    )
    parser.add_argument("--cache", type=Path, help="an .npz file to keep embeddings in")
    args = parser.parse_args(argv)

    corpus = _corpus(args.data)
    reserved = frozenset(reserved_words([m for m, _ in corpus]))
    print(f"{len(corpus)} files, {len(reserved)} reserved words", file=sys.stderr)
    embedder: Embedder | None = None
    if args.static and not args.no_embeddings:
        embedder = StaticEmbedder(max_length=args.max_length)
    elif not args.no_embeddings:
        embedder = MiniLMEmbedder(max_length=args.max_length, dtype=args.dtype, cache_size=1)
        if args.cache:
            embedder = _DiskCache(embedder, args.cache)
    blank = Scorer(
        np.zeros(len(FEATURES), np.float32),
        np.ones(len(FEATURES), np.float32),
        [],
        reserved=reserved,
    )
    examples = build_examples(corpus[: -args.held_out], blank, embedder)
    held = build_examples(corpus[-args.held_out :], blank, embedder)
    if isinstance(embedder, _DiskCache):
        embedder.save()
    meta = {
        "attribution": ATTRIBUTION,
        "embeddings": None
        if embedder is None
        else {
            "kind": "static" if args.static else "minilm",
            "max_length": args.max_length,
            "dtype": args.dtype,
        },
        "hidden": args.hidden,
        "train_files": len(corpus) - args.held_out,
        "examples": len(examples),
    }
    scorer = fit(
        examples,
        held,
        hidden=args.hidden,
        epochs=args.epochs,
        reserved=reserved,
        meta=meta,
        checkpoint=args.out,
    )
    scorer.save(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
