"""Ingest: every file type, re-ingest skips unchanged and replaces changed, bad files reported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from bot.clock import FakeClock
from bot.store import Database
from facilitation.snapshots.ingest import Ingester, IngestProgress, collect_files
from facilitation.snapshots.store import SnapshotStore
from tests.snapshots.conftest import HashingEmbedder, minimal_pdf, write_corpus


@pytest.fixture
async def store() -> AsyncIterator[SnapshotStore]:
    db = await Database.open(":memory:")
    store = SnapshotStore(db)
    await store.setup()
    yield store
    await db.close()


def _ingester(store: SnapshotStore, embedder: HashingEmbedder | None, **kw: object) -> Ingester:
    return Ingester(store, embedder, FakeClock(), model_name="hash", **kw)  # type: ignore[arg-type]


async def test_ingests_each_file_type_with_sources(tmp_path: Path, store: SnapshotStore) -> None:
    folder = write_corpus(tmp_path / "corpus")
    (folder / "sleep.pdf").write_bytes(
        minimal_pdf([["Sleep study", "Findings", "Bedrooms were too warm on most nights."]])
    )
    (folder / ".hidden.md").write_text("# Hidden\n\n## A\n\nnever ingested words here", "utf-8")
    seen: list[IngestProgress] = []
    report = await _ingester(store, HashingEmbedder(), progress=seen.append).ingest(
        [folder], "default"
    )
    assert len(report.added) == 4
    assert not report.failed
    passages, vectors = await store.passages("default")
    assert vectors is not None
    assert vectors.shape == (len(passages), 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    by_file = {Path(p.path).name: p for p in passages}
    assert set(by_file) == {"cool-spaces.md", "medicines.txt", "shading.html", "sleep.pdf"}
    assert by_file["shading.html"].url == "https://example.org/reports/shading"
    assert by_file["medicines.txt"].heading == "Summary"
    assert by_file["sleep.pdf"].page == 1
    assert [p.done for p in seen] == [0, 1, 2, 3, 4]
    assert seen[-1].passages == report.passages == len(passages)


async def test_reingest_skips_unchanged_and_replaces_changed(
    tmp_path: Path, store: SnapshotStore
) -> None:
    folder = write_corpus(tmp_path / "corpus")
    embedder = HashingEmbedder()
    await _ingester(store, embedder).ingest([folder], "default")
    before, _ = await store.passages("default")
    calls = embedder.calls

    again = await _ingester(store, embedder).ingest([folder], "default")
    assert len(again.unchanged) == 3
    assert not again.added
    assert not again.replaced
    assert embedder.calls == calls  # nothing re-embedded

    (folder / "medicines.txt").write_text(
        "Medicines in hot weather\n\nSUMMARY\n-------\n\nKeep insulin in the fridge at 2 to 8"
        " degrees, never on a windowsill.\n",
        encoding="utf-8",
    )
    changed = await _ingester(store, embedder).ingest([folder], "default")
    assert [Path(p).name for p in changed.replaced] == ["medicines.txt"]
    assert len(changed.unchanged) == 2
    after, _ = await store.passages("default")
    texts = [p.text for p in after]
    assert any("fridge at 2 to 8" in t for t in texts)
    assert not any("sunny windowsills" in t for t in texts)
    assert len(after) == len(before)


async def test_model_change_or_missing_embeddings_reembed(
    tmp_path: Path, store: SnapshotStore
) -> None:
    folder = write_corpus(tmp_path / "corpus")
    await _ingester(store, None).ingest([folder], "default")
    assert (await store.passages("default"))[1] is None  # keyword search only
    report = await _ingester(store, HashingEmbedder()).ingest([folder], "default")
    assert len(report.replaced) == 3
    assert (await store.passages("default"))[1] is not None


async def test_unreadable_file_is_named_and_the_rest_continue(
    tmp_path: Path, store: SnapshotStore
) -> None:
    folder = write_corpus(tmp_path / "corpus")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    report = await _ingester(store, HashingEmbedder()).ingest(
        [folder, tmp_path / "missing.md", tmp_path / "notes.docx"], "default"
    )
    failed = {Path(p).name: why for p, why in report.failed}
    assert set(failed) == {"broken.pdf", "missing.md", "notes.docx"}
    assert "PDF" in failed["broken.pdf"]
    assert failed["missing.md"] == "not found"
    assert len(report.added) == 3
    assert "could not be read" in report.describe()


async def test_prune_drops_deleted_files_and_corpora_are_separate(
    tmp_path: Path, store: SnapshotStore
) -> None:
    folder = write_corpus(tmp_path / "corpus")
    await _ingester(store, HashingEmbedder()).ingest([folder], "default")
    await _ingester(store, HashingEmbedder()).ingest([folder / "shading.html"], "heat-panel")
    (folder / "cool-spaces.md").unlink()
    report = await _ingester(store, HashingEmbedder()).ingest([folder], "default", prune=True)
    assert [Path(p).name for p in report.removed] == ["cool-spaces.md"]
    assert await store.corpora() == ["default", "heat-panel"]
    heat, _ = await store.passages("heat-panel")
    assert {Path(p.path).name for p in heat} == {"shading.html"}


def test_collect_files_recurses_and_deduplicates(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "corpus")
    (folder / "sub").mkdir()
    (folder / "sub" / "more.md").write_text("# More\n\nwords", "utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")
    files, problems = collect_files([folder, folder / "shading.html"])
    assert [f.name for f in files] == ["cool-spaces.md", "medicines.txt", "shading.html", "more.md"]
    assert problems == []
