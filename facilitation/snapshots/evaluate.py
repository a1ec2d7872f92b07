"""``roundtable eval snapshots CORPUS... QUERIES.json``: does the right passage come first?

The corpus (files or folders) is ingested into a throw-away store with the
bundled MiniLM, exactly as ``roundtable ingest`` would, and each question is
looked up the way ``/snapshot`` does. QUERIES is a JSON list of
``{"q": ..., "expect": ...}``: a hit when the passage contains the expected
text (or one of a list of them), case-insensitive. Optional ``doc`` (part of
the file name) and ``section`` (part of the section path) also check where the
passage is cited to; for a PDF the cited page must hold the expected text.

Prints top-1 and top-3 hit rates, how often the first passage is cited right,
and every miss with what was shown instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Query", "Result", "load_queries", "main", "score"]

_SPACE_RE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class Query:
    q: str
    expect: tuple[str, ...]
    doc: str | None = None
    section: str | None = None


@dataclass
class Result:
    """One question's outcome: the rank of the first passage holding the answer."""

    query: Query
    rank: int | None
    shown: list[Any] = field(default_factory=list)
    cited_right: bool | None = None
    why_not: str = ""


def load_queries(path: Path) -> list[Query]:
    """Read a QUERIES file; raise ``ValueError`` naming the item that is malformed."""
    items = json.loads(path.read_text("utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a JSON list of {{'q': ..., 'expect': ...}}")
    out: list[Query] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "q" not in item or "expect" not in item:
            raise ValueError(f"{path}: item {i} needs 'q' and 'expect'")
        expect = item["expect"]
        alts = tuple(expect) if isinstance(expect, list) else (str(expect),)
        out.append(Query(str(item["q"]), alts, item.get("doc"), item.get("section")))
    return out


def holds(text: str, query: Query) -> bool:
    body = _norm(text)
    return any(_norm(e) in body for e in query.expect)


def _citation(hit: Any, query: Query, pages: dict[str, list[str]]) -> tuple[bool, str]:
    p = hit.passage
    if query.doc and query.doc.casefold() not in Path(p.path).name.casefold():
        return False, f"cited to {Path(p.path).name}, not {query.doc}"
    if query.section and query.section.casefold() not in p.heading.casefold():
        return False, f"cited to section {p.heading!r}, not {query.section!r}"
    if p.page is not None and p.path in pages:
        page_text = pages[p.path][p.page - 1] if p.page <= len(pages[p.path]) else ""
        if not holds(page_text, query):
            return False, f"cited to page {p.page}, which does not hold the answer"
    return True, ""


def score(results: Sequence[Result], k: int) -> dict[str, float]:
    n = len(results) or 1
    firsts = [r for r in results if r.rank == 1]
    return {
        "top1": sum(1 for r in results if r.rank == 1) / n,
        f"top{k}": sum(1 for r in results if r.rank is not None and r.rank <= k) / n,
        "mrr": sum(1 / r.rank for r in results if r.rank) / n,
        "cited_right": sum(1 for r in firsts if r.cited_right) / (len(firsts) or 1),
    }


def _pdf_pages(paths: Sequence[str]) -> dict[str, list[str]]:
    from pypdf import PdfReader  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    from facilitation.snapshots.readers import pdf_text  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    out: dict[str, list[str]] = {}
    for path in paths:
        if path.lower().endswith(".pdf"):
            try:
                out[path] = [pdf_text(pg) for pg in PdfReader(path).pages]
            except Exception:  # an unreadable PDF was reported by the ingest already
                continue
    return out


async def _run(
    corpus: list[Path],
    queries: list[Query],
    k: int,
    keywords_only: bool,
    train: Path | None = None,
    groups_out: Path | None = None,
    also: Sequence[Path] = (),
    max_words: int = 70,
    sentences: bool = True,
) -> tuple[list[Result], str]:
    from bot.clock import SystemClock  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from bot.embeddings import AsyncEmbedder, MiniLMEmbedder  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from bot.store import Database  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.snapshots.index import PassageIndex, section_vectors  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.snapshots.ingest import Ingester  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs
    from facilitation.snapshots.store import SnapshotStore  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    embedder = None if keywords_only else AsyncEmbedder(MiniLMEmbedder())
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "eval.db")
        try:
            store = SnapshotStore(db)
            await store.setup()
            ingester = Ingester(
                store, embedder, SystemClock(), model_name="bundled", max_words=max_words
            )
            report = await ingester.ingest(corpus, "eval")
            passages, vectors = await store.passages("eval")
        finally:
            await db.close()
    sections = await section_vectors(passages, embedder.embed) if embedder is not None else None
    index = PassageIndex(passages, vectors, sections=sections)
    pages = _pdf_pages(sorted({p.path for p in passages}))
    qvecs = await embedder.embed([q.q for q in queries]) if embedder is not None else None
    if train is not None or groups_out is not None:
        groups = _groups(index, queries, qvecs)
        if groups_out is not None:
            groups_out.write_text(json.dumps(groups) + "\n", "utf-8")
        if train is not None:
            for extra in also:
                groups += [(x, y) for x, y in json.loads(extra.read_text("utf-8"))]
            weights = _train(groups, train)
            index = PassageIndex(passages, vectors, weights=weights, sections=sections)
    from facilitation.snapshots.sentences import DEPTH, SentenceScorer  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    sentence_scorer = SentenceScorer(embedder.embed) if embedder is not None and sentences else None
    results: list[Result] = []
    for i, query in enumerate(queries):
        qv = qvecs[i] if qvecs is not None else None
        if qv is not None and sentence_scorer is not None:
            found = index.search(qv, query.q, k=max(k, DEPTH))
            hits = await sentence_scorer.rescore(found, qv, k)
        else:
            hits = index.search(qv, query.q, k=k)
        rank = next((j for j, h in enumerate(hits, 1) if holds(h.passage.text, query)), None)
        result = Result(query, rank, hits)
        if hits and rank == 1:
            result.cited_right, result.why_not = _citation(hits[0], query, pages)
        results.append(result)
    if embedder is not None:
        embedder.close()
    summary = report.describe()
    for path, reason in report.failed:
        summary += f"\n  could not read {path}: {reason}"
    return results, summary


Groups = list[tuple[list[tuple[float, ...]], list[int]]]


def _groups(index: Any, queries: list[Query], qvecs: Any) -> Groups:
    """Every fused candidate of every question: its features, and whether it holds the answer."""
    groups: Groups = []
    for i, query in enumerate(queries):
        qv = qvecs[i] if qvecs is not None else None
        hits = index.search(qv, query.q, k=10_000)
        groups.append(
            ([tuple(h.features) for h in hits], [int(holds(h.passage.text, query)) for h in hits])
        )
    return groups


def _train(groups: Groups, out: Path) -> Any:
    """Fit the reranker on the candidates of every question, and save the weights.

    The ranking weights are pulled towards the hand-set prior (``rerank.DEFAULT``) by an L2
    penalty whose strength cross-validation picks: on a hundred-odd questions, free weights
    fitted one corpus did worse on the others than the prior.
    """
    from facilitation.snapshots.rerank import DEFAULT, fit  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    l2 = _choose_l2(groups)
    weights = fit(groups, l2=l2, prior=DEFAULT.coef)
    out.write_text(weights.to_json() + "\n", "utf-8")
    found = sum(1 for _, y in groups if any(y))
    print(
        f"reranker fitted on {sum(len(y) for _, y in groups)} candidates of {len(groups)}"
        f" questions ({found} with the answer among them), L2 {l2} towards the prior; wrote {out}"
    )
    return weights


def _choose_l2(groups: Groups, folds: int = 4) -> float:
    """The L2 strength with the best top-1 in cross-validation over the training questions."""
    from facilitation.snapshots.rerank import DEFAULT, fit  # noqa: PLC0415  # lazy: an offline evaluation; the bot's parts load only when it runs

    best, best_l2 = -1.0, 0.1
    for l2 in (0.01, 0.03, 0.1, 0.3, 1.0):
        right = 0
        for f in range(folds):
            train = [g for i, g in enumerate(groups) if i % folds != f]
            weights = fit(train, l2=l2, steps=800, prior=DEFAULT.coef)
            for x, y in groups[f::folds]:
                if x:
                    top = max(range(len(x)), key=lambda j: weights.probability(x[j]))
                    right += y[top]
        share = right / len(groups)
        print(f"  cross-validated top-1 with L2 {l2}: {share:.1%}")
        if share > best:
            best, best_l2 = share, l2
    return best_l2


def _show(results: Sequence[Result], k: int, out: Any) -> None:
    for r in results:
        if r.rank == 1 and r.cited_right is not False:
            continue
        label = "cited wrong" if r.rank == 1 else f"rank {r.rank}" if r.rank else "miss"
        print(f"\n[{label}] {r.query.q}", file=out)
        print(f"  expected: {' | '.join(r.query.expect)}", file=out)
        if r.why_not:
            print(f"  {r.why_not}", file=out)
        for j, h in enumerate(r.shown[:k], 1):
            p = h.passage
            where = f"{Path(p.path).name} › {p.heading or '-'}" + (f" p.{p.page}" if p.page else "")
            print(f"  {j}. ({h.score:.3f}) [{where}] {p.text[:140]}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="roundtable eval snapshots",
        description="Top-1 and top-3 hit rates of research snapshots on your own questions.",
    )
    p.add_argument("paths", nargs="+", type=Path, help="corpus files or folders, then QUERIES.json")
    p.add_argument("-k", type=int, default=3, help="passages looked at per question (default 3)")
    p.add_argument(
        "--max-words", type=int, default=70, help="the longest passage, in words (default 70)"
    )
    p.add_argument(
        "--no-sentences",
        action="store_true",
        help="rank by the reranker alone, without scoring each answer sentence on its own",
    )
    p.add_argument("--keywords-only", action="store_true", help="no embedding model")
    p.add_argument("--quiet", action="store_true", help="figures only, no misses")
    p.add_argument(
        "--train",
        type=Path,
        metavar="WEIGHTS.json",
        help="fit the reranker on these questions first and write its weights (dev only!)",
    )
    p.add_argument(
        "--groups-out",
        type=Path,
        metavar="GROUPS.json",
        help="write each question's candidates (features, holds the answer) for --also",
    )
    p.add_argument(
        "--also",
        type=Path,
        action="append",
        default=[],
        metavar="GROUPS.json",
        help="with --train: fit on these other corpora's candidates too (repeatable)",
    )
    args = p.parse_args(list(argv) if argv is not None else None)
    if len(args.paths) < 2:
        p.error("give at least one corpus file or folder and then the QUERIES.json file")
    *corpus, queries_path = args.paths
    try:
        queries = load_queries(queries_path)
    except (OSError, ValueError) as exc:
        print(f"Could not read the questions: {exc}", file=sys.stderr)
        return 2
    results, summary = asyncio.run(
        _run(
            corpus,
            queries,
            args.k,
            args.keywords_only,
            args.train,
            args.groups_out,
            args.also,
            args.max_words,
            not args.no_sentences,
        )
    )
    print(summary)
    figures = score(results, args.k)
    n = len(results)
    print(
        f"{n} questions: top-1 {figures['top1']:.1%}, top-{args.k} {figures[f'top{args.k}']:.1%},"
        f" MRR {figures['mrr']:.3f}; first passage cited right {figures['cited_right']:.1%}"
    )
    if not args.quiet:
        _show(results, args.k, sys.stdout)
    return 0
