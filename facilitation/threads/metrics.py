"""Disentanglement scores as computed by Kummerfeld et al. (2019).

Links are ``(later, earlier)`` pairs per file, a self-link ``(n, n)`` starting a
conversation. Link precision/recall/F1 compare the pair sets (graph-eval.py).
Conversations are the connected components of a file's links, keeping only
messages from the file's first linked message on (graph_to_cluster.py); they are
scored pooled over all files with 1 - VI/log2(n), one-to-one overlap, and exact
match precision/recall/F1 over conversations of two or more messages
(conversation-eval.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["Scores", "clusters", "score"]

Pairs = Mapping[str, set[tuple[int, int]]]
Clusters = dict[str, list[frozenset[int]]]


@dataclass(frozen=True, slots=True)
class Scores:
    """All figures in percent."""

    link_p: float
    link_r: float
    link_f: float
    vi: float
    one_to_one: float
    conv_p: float
    conv_r: float
    conv_f: float

    def lines(self) -> list[str]:
        return [
            f"link precision {self.link_p:.2f}  recall {self.link_r:.2f}  F1 {self.link_f:.2f}",
            f"1 - VI/log2(n) {self.vi:.2f}",
            f"one-to-one     {self.one_to_one:.2f}",
            f"conversations (2+ messages, exact match) precision {self.conv_p:.2f}  "
            f"recall {self.conv_r:.2f}  F1 {self.conv_f:.2f}",
        ]


def _prf(matched: int, gold: int, auto: int) -> tuple[float, float, float]:
    p = 100 * matched / auto if auto else 0.0
    r = 100 * matched / gold if gold else 0.0
    f = 2 * p * r / (p + r) if matched else 0.0
    return p, r, f


def _components(pairs: Iterable[tuple[int, int]]) -> list[frozenset[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = list(pairs)
    cutoff = min(a for a, _ in pairs)
    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, set[int]] = {}
    for node in list(parent):
        if node >= cutoff:
            groups.setdefault(find(node), set()).add(node)
    return [frozenset(g) for g in groups.values()]


def clusters(pairs: Pairs) -> Clusters:
    """Conversations per file: connected components from the first linked message on."""
    return {name: _components(p) for name, p in pairs.items() if p}


def _vi(gold: Clusters, auto: Clusters) -> float:
    counts: list[int] = []
    rows: list[int] = []
    cols: list[int] = []
    for name, acl in auto.items():
        for a in acl:
            rows.append(len(a))
            counts.extend(len(a & g) for g in gold.get(name, []) if a & g)
        cols.extend(len(g) for g in gold.get(name, []))
    total = float(sum(rows))
    if total <= 1:
        return 100.0
    h_uv = -sum(n / total * math.log2(n / total) for n in counts)
    h_u = -sum(n / total * math.log2(n / total) for n in rows if n)
    h_v = -sum(n / total * math.log2(n / total) for n in cols if n)
    # VI = H(U|V) + H(V|U) = 2 H(U,V) - H(U) - H(V)
    vi = 2 * h_uv - h_u - h_v
    return 100 - 100 * vi / math.log2(total)


def _one_to_one(gold: Clusters, auto: Clusters) -> float:
    overlap = 0
    total = 0
    for name, acl in auto.items():
        gcl = gold.get(name, [])
        total += sum(len(a) for a in acl)
        if not gcl or not acl:
            continue
        table = np.array([[len(a & g) for g in gcl] for a in acl], dtype=np.int64)
        r, c = linear_sum_assignment(table, maximize=True)
        overlap += int(table[r, c].sum())
    return 100 * overlap / total if total else 0.0


def _exact(gold: Clusters, auto: Clusters) -> tuple[float, float, float]:
    g_total = a_total = matched = 0
    for name, gcl in gold.items():
        found = set(auto.get(name, []))
        for g in gcl:
            if len(g) > 1:
                g_total += 1
                matched += g in found
    for acl in auto.values():
        a_total += sum(1 for a in acl if len(a) > 1)
    return _prf(matched, g_total, a_total)


def score(gold: Pairs, auto: Pairs) -> Scores:
    """Compare system links ``auto`` with annotated links ``gold`` (same files).

    Only messages that the annotation links (as the later message) are scored at
    conversation level, so both clusterings cover the same messages.
    """
    g_total = sum(len(p) for p in gold.values())
    a_total = sum(len(auto.get(n, set())) for n in gold)
    matched = sum(len(p & auto.get(n, set())) for n, p in gold.items())
    lp, lr, lf = _prf(matched, g_total, a_total)
    gold_cl = clusters(gold)
    scored = {n: {a for a, _ in p} for n, p in gold.items()}
    auto_cl: Clusters = {}
    for name, found in clusters({n: auto.get(n, set()) for n in gold}).items():
        keep = [frozenset(c & scored[name]) for c in found]
        auto_cl[name] = [c for c in keep if c]
    cp, cr, cf = _exact(gold_cl, auto_cl)
    return Scores(lp, lr, lf, _vi(gold_cl, auto_cl), _one_to_one(gold_cl, auto_cl), cp, cr, cf)
