"""Research snapshots: ingest throughput and retrieval latency over 100,000 passages.

1. Ingest: generated Markdown reports (sentences of the demo corpus, shuffled into
   sections) are read, split and embedded with the bundled MiniLM into a fresh
   store: files/s and passages/s, with reading and splitting alone as the baseline.
2. Retrieval: 100,000 passages (clustered, normalised random vectors like real
   embeddings, short random texts for the keyword side); each query lies near one
   passage (cosine about 0.7), as a chat window lies near the passage it is about.
   Latency of one full search (faiss inverted-file cosine index + FTS5 BM25, fused, 30
   candidates reranked) against brute-force exact cosine search (faiss flat) in the same run,
   and the share of queries where the coarse and the exact index agree (recall@1).
3. Query embedding: the time to embed a chat window (the other half of a lookup).

    python bench/bench_snapshots.py [--files 40] [--passages 100000] [--queries 500]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.clock import SystemClock
from bot.demo import DEMO_DIR
from bot.embeddings import AsyncEmbedder, MiniLMEmbedder
from bot.store import Database
from facilitation.snapshots.index import PassageIndex
from facilitation.snapshots.ingest import Ingester
from facilitation.snapshots.passages import split_passages
from facilitation.snapshots.readers import read_document
from facilitation.snapshots.store import SnapshotStore, StoredPassage


def _sentences() -> list[str]:
    text = " ".join(p.read_text("utf-8") for p in sorted((DEMO_DIR / "corpus").glob("*.md")))
    text = re.sub(r"[#|*_-]+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) > 40]


def generate_docs(folder: Path, files: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    pool = _sentences()
    for i in range(files):
        parts = [f"# Generated report {i}\n\nSource: https://example.org/r/{i}\n"]
        for j in range(8):
            parts.append(f"## Section {j}\n")
            for _ in range(3):
                parts.append(" ".join(rng.sample(pool, 3)) + "\n")
        (folder / f"report-{i:03d}.md").write_text("\n".join(parts), "utf-8")


def bench_ingest(files: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        generate_docs(folder, files)
        paths = sorted(folder.glob("*.md"))
        began = time.perf_counter()
        n = sum(len(split_passages(read_document(p))) for p in paths)
        split_s = time.perf_counter() - began
        print(f"read + split only: {files / split_s:8.1f} files/s {n / split_s:8.1f} passages/s")

        async def run() -> tuple[int, float]:
            db = await Database.open(Path(tmp) / "bench.db")
            store = SnapshotStore(db)
            await store.setup()
            embedder = AsyncEmbedder(MiniLMEmbedder())
            try:
                ingester = Ingester(store, embedder, SystemClock(), model_name="bundled")
                report = await ingester.ingest([folder], "bench")
                again = await ingester.ingest([folder], "bench")
                print(f"re-ingest of {len(again.unchanged)} unchanged files: {again.seconds:.2f} s")
                return report.passages, report.seconds
            finally:
                embedder.close()
                await db.close()

        passages, seconds = asyncio.run(run())
        print(
            f"full ingest (MiniLM): {files / seconds:8.1f} files/s {passages / seconds:8.1f}"
            f" passages/s ({passages} passages, {seconds:.1f} s)"
        )


def _latency(
    fn: Callable[[np.ndarray, str], None], queries: np.ndarray, texts: list[str]
) -> list[float]:
    times = []
    for q, t in zip(queries, texts, strict=True):
        began = time.perf_counter()
        fn(q, t)
        times.append((time.perf_counter() - began) * 1000)
    return times


def _summary(times: list[float]) -> str:
    p99 = float(np.percentile(times, 99))
    return f"median {statistics.median(times):6.2f} ms  p99 {p99:6.2f} ms"


def bench_retrieval(n: int, n_queries: int, dim: int = 384, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((max(10, n // 50), dim)).astype(np.float32)
    vectors = np.empty((n, dim), np.float32)
    for lo in range(0, n, 10_000):
        hi = min(n, lo + 10_000)
        noise = rng.standard_normal((hi - lo, dim)).astype(np.float32)
        vectors[lo:hi] = topics[rng.integers(0, len(topics), hi - lo)] + 0.7 * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # letters only, like real words (digits would split "word12" into two terms)
    vocab = ["".join(chr(97 + (i // 26**k) % 26) for k in range(3)) + "x" for i in range(5000)]
    words = rng.integers(0, len(vocab), (n, 12))
    passages = [
        StoredPassage(i, "bench", "T", None, "/bench.md", "", None, " ".join(vocab[w] for w in row))
        for i, row in enumerate(words)
    ]
    began = time.perf_counter()
    coarse = PassageIndex(passages, vectors)
    print(
        f"index build over {n:,} passages: {time.perf_counter() - began:.1f} s"
        f" ({coarse.coarse.n_lists if coarse.coarse else 0} lists)"
    )
    exact = PassageIndex(passages, vectors, exact_limit=n + 1)
    picks = rng.integers(0, n, n_queries)
    # a chat window sits near, not on, its passage: cosine about 0.7 to it
    noise = rng.standard_normal((n_queries, dim)).astype(np.float32) / np.sqrt(dim)
    queries = vectors[picks] + noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    texts = [" ".join(vocab[w] for w in words[i][:4]) for i in picks]
    coarse.search(queries[0], texts[0])
    exact.search(queries[0], texts[0])

    def hybrid(q: np.ndarray, t: str) -> None:
        coarse.search(q, t, k=3)

    def dense_coarse(q: np.ndarray, t: str) -> None:
        coarse.cosines(q, 30)

    def dense_exact(q: np.ndarray, t: str) -> None:
        exact.cosines(q, 30)

    fast = _latency(hybrid, queries, texts)
    coarse_only = _latency(dense_coarse, queries, texts)
    slow = _latency(dense_exact, queries, texts)
    agree = sum(int(coarse.cosines(q, 1)[0][0]) == int(exact.cosines(q, 1)[0][0]) for q in queries)
    ratio = statistics.median(slow) / statistics.median(coarse_only)
    print(f"full hybrid search   : {_summary(fast)}")
    print(f"coarse cosine only   : {_summary(coarse_only)}")
    print(f"exact cosine only    : {_summary(slow)}   <- baseline")
    print(
        f"coarse against exact cosine: {ratio:.1f}x faster (median);"
        f" recall@1 against exact: {agree / n_queries:.1%}"
    )
    truth = [int(exact.cosines(q, 1)[0][0]) for q in queries]
    bench_hnswlib(vectors, queries, truth, statistics.median(coarse_only))


def bench_hnswlib(
    vectors: np.ndarray, queries: np.ndarray, truth: list[int], coarse_median: float
) -> None:
    """The same cosine lookups through hnswlib's HNSW graph, if it is installed.

    It is not a dependency (no wheel for every Python the project supports; it builds
    from source with a C++ compiler): ``pip install hnswlib==0.8.0`` to compare.
    sqlite-vec is not compared: it is an SQLite extension, and the standard library's
    sqlite3 here cannot load extensions (``enable_load_extension`` is missing).
    """
    try:
        import hnswlib  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        print("hnswlib not installed: pip install hnswlib==0.8.0 to compare")
        return
    n, dim = vectors.shape
    began = time.perf_counter()
    graph = hnswlib.Index(space="ip", dim=dim)
    graph.init_index(max_elements=n, ef_construction=100, M=16, random_seed=0)
    graph.add_items(vectors, np.arange(n))
    print(f"hnswlib build (M 16, ef_construction 100): {time.perf_counter() - began:.1f} s")
    graph.set_num_threads(1)
    for ef in (40, 80):
        graph.set_ef(ef)
        times = _latency(lambda q, _t: graph.knn_query(q, k=30), queries, [""] * len(queries))
        found = [int(graph.knn_query(q, k=1)[0][0][0]) for q in queries]
        agree = sum(a == b for a, b in zip(found, truth, strict=True)) / len(truth)
        print(
            f"hnswlib cosine (ef {ef}) : {_summary(times)}   recall@1 against exact {agree:.1%};"
            f" median {coarse_median / statistics.median(times):.2f}x the coarse index's speed"
        )


def bench_query_embedding(n_queries: int) -> None:
    embedder = MiniLMEmbedder(cache_size=0)
    pool = _sentences()
    rng = random.Random(1)
    windows = [" ".join(rng.sample(pool, 2)) for _ in range(n_queries)]
    embedder.embed(windows[:2])
    times = []
    for w in windows:
        began = time.perf_counter()
        embedder.embed([w])
        times.append((time.perf_counter() - began) * 1000)
    print(f"query embedding (MiniLM, one window): {_summary(times)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=40, help="generated documents to ingest")
    p.add_argument("--passages", type=int, default=100_000, help="passages to search")
    p.add_argument("--queries", type=int, default=500, help="searches to time")
    p.add_argument("--skip-ingest", action="store_true", help="only time retrieval")
    args = p.parse_args(argv)
    if not args.skip_ingest:
        print("== ingest ==")
        bench_ingest(args.files)
    print(f"\n== retrieval over {args.passages:,} passages ==")
    bench_retrieval(args.passages, args.queries)
    print("\n== query embedding ==")
    bench_query_embedding(min(args.queries, 200))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
