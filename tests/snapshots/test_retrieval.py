"""Retrieval on a small built corpus where the right passage is known (real MiniLM)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.clock import FakeClock
from bot.store import Database
from facilitation.snapshots.index import CoarseIndex, Hit, PassageIndex
from facilitation.snapshots.ingest import Ingester
from facilitation.snapshots.keywords import terms
from facilitation.snapshots.lexical import WEIGHTS, KeywordIndex, body_terms
from facilitation.snapshots.rerank import FEATURES
from facilitation.snapshots.sentences import SentenceScorer
from facilitation.snapshots.store import SnapshotStore, StoredPassage
from tests.snapshots.conftest import write_corpus

DOCS = {
    name: f"# {title}\n\n## {heading}\n\n{text}\n"
    for name, title, heading, text in [
        (
            "fans.md",
            "Fans",
            "Findings",
            "Electric fans help people keep cool up to about 35"
            " degrees; above that they can make heat stress worse, especially for older people.",
        ),
        (
            "insulin.md",
            "Medicines",
            "Storage",
            "Insulin pens and eye drops lose strength when"
            " kept warm, so they should be stored in a fridge between 2 and 8 degrees.",
        ),
        (
            "trees.md",
            "Green space",
            "Shade",
            "Streets lined with mature trees were several"
            " degrees cooler on summer afternoons than streets of bare concrete.",
        ),
        (
            "rent.md",
            "Costs",
            "Who pays",
            "The landlord paid for the window shutters from the"
            " planned works budget, so rents and service charges did not go up.",
        ),
        (
            "babies.md",
            "Infants",
            "Sleep",
            "Babies sleep more safely in hot weather in a vest or"
            " nappy, with no covers, and prams should never be covered with a blanket.",
        ),
        (
            "nights.md",
            "Hospital admissions",
            "Hot nights",
            "Emergency admissions of people over"
            " 75 rose after nights when the temperature stayed above 16 degrees.",
        ),
    ]
}

CASES = [
    ("does a fan actually help when the room is really hot", "fans.md"),
    ("where should we keep insulin during a heatwave", "insulin.md"),
    ("are leafy streets any cooler", "trees.md"),
    ("will tenants end up paying for the shading through their rent", "rent.md"),
    ("how should I dress my baby for bed when it's hot", "babies.md"),
    ("do warm nights send older people to hospital", "nights.md"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder_provider: Any) -> Any:
    """The corpus ingested with the real model, and the queries' vectors."""
    folder = write_corpus(tmp_path_factory.mktemp("corpus"), DOCS)

    async def build() -> Any:
        db = await Database.open(":memory:")
        try:
            store = SnapshotStore(db)
            await store.setup()
            embedder = await embedder_provider.get()
            ingester = Ingester(store, embedder, FakeClock(), model_name="bundled")
            await ingester.ingest([folder], "default")
            passages, vectors = await store.passages("default")
            queries = [q for q, _ in CASES]
            return PassageIndex(passages, vectors), dict(
                zip(queries, await embedder.embed(queries), strict=True)
            )
        finally:
            await db.close()

    return asyncio.run(build())


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_right_passage_comes_first(built: Any, query: str, expected: str) -> None:
    index, vectors = built
    hits = index.search(vectors[query], query, k=3)
    assert Path(hits[0].passage.path).name == expected
    assert hits[0].score > hits[1].score


def test_exclude_and_source_filter(built: Any) -> None:
    index, vectors = built
    query = CASES[1][0]
    first = index.search(vectors[query], query, k=1)[0]
    second = index.search(vectors[query], query, k=1, exclude={first.passage.id})[0]
    assert second.passage.id != first.passage.id
    only = index.search(vectors[query], query, k=5, source="trees.md")
    assert [Path(h.passage.path).name for h in only] == ["trees.md"]


def _passages(n: int) -> list[StoredPassage]:
    return [StoredPassage(i, "c", "T", None, f"/{i}.md", "", None, f"p{i}") for i in range(n)]


def test_keywords_break_a_near_tie_and_work_without_vectors() -> None:
    passages = [
        StoredPassage(1, "c", "T", None, "/a.md", "", None, "Cool spaces opened in libraries."),
        StoredPassage(2, "c", "T", None, "/b.md", "", None, "Shutters cut bedroom temperatures."),
    ]
    vectors = np.array([[1, 0], [0.999, 0.0447]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = PassageIndex(passages, vectors)
    query = np.array([1, 0], np.float32)
    assert index.search(query, "", k=1)[0].passage.id == 1
    assert index.search(query, "bedroom shutters", k=1)[0].passage.id == 2
    keyword_only = PassageIndex(passages, None)
    assert [h.passage.id for h in keyword_only.search(None, "library cool spaces")] == [1]
    assert keyword_only.search(None, "the and of") == []


def test_keyword_search_finds_what_meaning_misses() -> None:
    """A passage far down by cosine still comes first when it holds the asked-for number."""
    texts = [f"General remarks on heat and health, part {i}." for i in range(40)]
    texts.append("About 412,000 admissions were counted over eleven summers.")
    passages = [
        StoredPassage(i, "c", "T", None, f"/{i}.md", "", None, t) for i, t in enumerate(texts)
    ]
    rng = np.random.default_rng(0)
    query = np.ones(8, np.float32) / np.sqrt(8)
    vectors = (query + 0.3 * rng.standard_normal((41, 8))).astype(np.float32)
    far = np.zeros(8, np.float32)
    far[0] = 1.0
    vectors[40] = 0.3 * query + far  # the right passage is the farthest by meaning
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = PassageIndex(passages, vectors)
    hits = index.search(query, "were 412,000 admissions counted?", k=3)
    assert hits[0].passage.id == 40
    assert hits[0].score > hits[1].score


def test_section_title_counts() -> None:
    """A question naming a section's subject finds the section's passage."""
    passages = [
        StoredPassage(
            1, "c", "Report", None, "/r.txt", "3 Findings", None, "Most tenants liked it."
        ),
        StoredPassage(
            2, "c", "Report", None, "/r.txt", "2 Theory of change", None, "We set out five steps."
        ),
    ]
    index = PassageIndex(passages, None)
    assert index.search(None, "which theory of change did they use?", k=1)[0].passage.id == 2


def test_reference_lists_rank_below_the_text() -> None:
    text = "Jordan K and Carrigan M (2018) How was social media cited in impact case studies."
    passages = [
        StoredPassage(1, "c", "R", None, "/r.txt", "References", None, text, "references"),
        StoredPassage(
            2,
            "c",
            "R",
            None,
            "/r.txt",
            "Findings",
            None,
            "Social media was cited in about one impact case study in six, mostly for reach.",
            "text",
        ),
    ]
    vectors = np.array([[1.0, 0.0], [0.98, 0.2]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = PassageIndex(passages, vectors)
    hits = index.search(np.array([1.0, 0.0], np.float32), "how was social media cited?", k=2)
    assert [h.passage.id for h in hits] == [2, 1]


def test_coarse_index_finds_what_exact_search_finds() -> None:
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((60, 64)).astype(np.float32)
    rows = centres[rng.integers(0, 60, 6000)] + 0.5 * rng.standard_normal((6000, 64)).astype(
        np.float32
    )
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    exact = PassageIndex(_passages(6000), rows)
    coarse = PassageIndex(_passages(6000), rows, exact_limit=1000)
    assert exact.coarse is None
    assert isinstance(coarse.coarse, CoarseIndex)
    noise = rng.standard_normal((50, 64)).astype(np.float32) / 8.0  # cosine ~0.7 to its row
    queries = rows[rng.integers(0, 6000, 50)] + noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    agree = sum(
        exact.search(q, k=1)[0].passage.id == coarse.search(q, k=1)[0].passage.id for q in queries
    )
    assert agree >= 45  # recall@1 of at least 90%


def _p(i: int, heading: str, text: str, path: str = "/r.txt") -> StoredPassage:
    return StoredPassage(i, "c", "Report", None, path, heading, None, text)


def test_the_sentence_holding_the_question_terms_and_the_kind_of_answer_count() -> None:
    """Equal keyword coverage: the passage whose one sentence holds them, and (for "who")
    names someone, comes first."""
    passages = [
        _p(1, "Costs", "The trial was paid for. It ran in two blocks of council flats."),
        _p(2, "Costs", "The council trial in the flats was paid for by Riverbank Homes."),
    ]
    index = PassageIndex(passages, None)
    hits = index.search(None, "who paid for the council trial in the flats?", k=2)
    first, second = hits
    assert first.passage.id == 2
    names = FEATURES.index("sentence"), FEATURES.index("kind_of_answer")
    assert [first.features[j] for j in names] == [1.0, 1.0]
    assert second.features[names[0]] < 1.0 and second.features[names[1]] == 0.0


def test_neighbours_in_the_same_section_and_section_titles_give_context() -> None:
    passages = [
        _p(1, "Why older people did not come", "Most had never heard of the scheme."),
        _p(2, "Why older people did not come", "Getting there in the heat was too far."),
        _p(3, "Who came", "Parents with young children came most often."),
        _p(4, "Who came", "Visits peaked in the early afternoon.", path="/other.txt"),
    ]
    vectors = np.eye(4, dtype=np.float32)
    sections = ([0, 0, 1, 1], np.eye(4, dtype=np.float32)[:2])
    index = PassageIndex(passages, vectors, sections=sections)
    assert index.neighbours == [(1,), (0,), (), ()]  # same file and section only
    hits = index.search(np.eye(4, dtype=np.float32)[0], "what stopped older people", k=4)
    by_id = {h.passage.id: h.features for h in hits}
    near, section = FEATURES.index("neighbour"), FEATURES.index("section_meaning")
    assert by_id[2][near] == 1.0 and by_id[2][section] == 1.0  # its neighbour is the match
    assert by_id[3][near] == 0.0 and by_id[3][section] == 0.0


def test_keyword_ranking_matches_sqlite_fts5_bm25() -> None:
    """The numpy BM25 ranks as SQLite's own FTS5 ``bm25()`` does over the same terms."""
    rng = np.random.default_rng(3)
    vocab = [f"w{chr(97 + i % 26)}{chr(97 + i // 26)}x" for i in range(120)]
    passages = [
        StoredPassage(
            i,
            "c",
            " ".join(rng.choice(vocab, 2)),
            None,
            f"/{i}.md",
            " ".join(rng.choice(vocab, 3)),
            None,
            " ".join(rng.choice(vocab, int(rng.integers(5, 40)))) + ".",
        )
        for i in range(400)
    ]
    ours = KeywordIndex(passages)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, heading, body)")
    db.executemany(
        "INSERT INTO fts (rowid, title, heading, body) VALUES (?,?,?,?)",
        [
            (i, " ".join(terms(p.title)), " ".join(terms(p.heading)), body_terms(p.text))
            for i, p in enumerate(passages)
        ],
    )
    w = ", ".join(str(x) for x in WEIGHTS)
    for _ in range(30):
        query = [str(t) for t in rng.choice(vocab, 3, replace=False)]
        theirs = db.execute(
            f"SELECT rowid, -bm25(fts, {w}) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, {w})",
            (" OR ".join(query),),
        ).fetchall()
        found = ours.search(query, 10)
        assert [r for r, _ in found] == [int(r) for r, _ in theirs[:10]]
        assert [round(s, 3) for _, s in found] == [round(float(s), 3) for _, s in theirs[:10]]


def test_the_answer_sentence_scored_on_its_own_lifts_its_passage(embedder_provider: Any) -> None:
    """A passage whose one sentence answers beats one that is only about the topic."""
    answer = (
        "The scheme ran from June to September in fourteen buildings across the borough."
        " Volunteers kept a log of visits at each venue. All cool spaces closed at 6pm,"
        " just as flats began to reach their hottest."
    )
    topical = (
        "Cool spaces are public buildings where anyone can sit somewhere cool during a"
        " heat alert. Cool spaces offer water, seats and shade to people at risk."
    )
    question = "What time did the cool spaces shut in the evening?"

    async def run() -> tuple[list[Hit], list[Hit], int]:
        embedder = await embedder_provider.get()
        calls: list[int] = []

        async def counted(texts: list[str]) -> Any:
            calls.append(len(texts))
            return await embedder.embed(texts)

        q = (await embedder.embed([question]))[0]
        hits = [
            Hit(StoredPassage(i, "c", "T", None, f"/{i}.md", "", None, t), 0.2, 0.0, 0.0, ())
            for i, t in enumerate([topical, answer])
        ]
        scorer = SentenceScorer(counted)
        first = await scorer.rescore(hits, q, 2)
        embedded = sum(calls)
        again = await scorer.rescore(hits, q, 2)
        assert sum(calls) == embedded  # every sentence came from the cache the second time
        return first, again, embedded

    first, again, embedded = asyncio.run(run())
    assert embedded == 5  # two sentences and three sentences, each embedded once
    assert first[0].passage.text == answer
    assert first[0].score > first[1].score
    assert 0.0 < first[1].score < first[0].score < 1.0
    assert first[0].features[-1] > first[1].features[-1]  # its best sentence's cosine
    assert [h.passage.id for h in again] == [h.passage.id for h in first]
