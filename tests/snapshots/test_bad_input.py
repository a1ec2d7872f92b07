"""Bad files: each gets a clear reason, the good ones are ingested, nothing is half-stored."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from bot.clock import FakeClock
from bot.store import Database
from facilitation.snapshots.ingest import Ingester
from facilitation.snapshots.store import SnapshotStore
from tests.snapshots.conftest import HashingEmbedder, minimal_pdf, write_corpus


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    db = await Database.open(":memory:")
    yield db
    await db.close()


def _encrypted_pdf() -> bytes:

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf([["Secret", "Hidden text"]]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_only_pdf() -> bytes:

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(90, 90, 90)
    pdf.rect(20, 20, 120, 80, style="F")  # a scanned page: pictures, no text
    return bytes(pdf.output())  # core fonts only: no font file is opened


class FailingEmbedder(HashingEmbedder):
    """Fails on the file whose passages mention "explode": nothing of it may be stored."""

    async def embed(self, texts):  # type: ignore[no-untyped-def]
        if any("explode" in t for t in texts):
            raise OSError("the model ran out of memory")
        return await super().embed(texts)


async def test_each_bad_file_says_why_and_the_rest_are_ingested(
    tmp_path: Path, db: Database
) -> None:
    folder = write_corpus(tmp_path / "corpus")
    (folder / "locked.pdf").write_bytes(_encrypted_pdf())
    (folder / "scan.pdf").write_bytes(_image_only_pdf())
    (folder / "empty.md").write_bytes(b"")
    (folder / "huge.txt").write_bytes(b"Heat and health. " * 3_000_000)  # about 51 MB
    (folder / "garbage.html").write_bytes(bytes(range(256)) * 200)
    (folder / "cut-off.html").write_text(
        "<html><head><title>Cut off</title></head><body><h2>Findings</h2>"
        "<p>Shade trees cooled the street by three degrees in the afternoon heat"
        "<p>and the page ends in the middle of a <a href=",
        "utf-8",
    )
    (folder / "scripts-only.html").write_text(
        "<html><head><script>var x = 1;</script></head><body></body></html>", "utf-8"
    )
    store = SnapshotStore(db)
    await store.setup()
    report = await Ingester(store, HashingEmbedder(), FakeClock(), model_name="hash").ingest(
        [folder], "default"
    )
    failed = {Path(p).name: why for p, why in report.failed}
    assert set(failed) == {
        "locked.pdf",
        "scan.pdf",
        "empty.md",
        "huge.txt",
        "garbage.html",
        "scripts-only.html",
    }
    assert "password" in failed["locked.pdf"]
    assert "no text" in failed["scan.pdf"] and "OCR" in failed["scan.pdf"]
    assert failed["empty.md"] == "the file is empty"
    assert "51 MB" in failed["huge.txt"] and "max_file_mb" in failed["huge.txt"]
    assert "doesn't look like html" in failed["garbage.html"]
    assert "no text" in failed["scripts-only.html"]
    # the good files, and what a cut-off page still holds, are there
    added = {Path(p).name for p in report.added}
    assert added == {"cool-spaces.md", "medicines.txt", "shading.html", "cut-off.html"}
    passages, _ = await store.passages("default")
    assert any("three degrees" in p.text for p in passages)
    assert {Path(p.path).name for p in passages} == added


async def test_a_failure_midway_stores_nothing_of_that_file(tmp_path: Path, db: Database) -> None:
    folder = write_corpus(tmp_path / "corpus")
    (folder / "boom.md").write_text(
        "# Boom\n\n## A\n\nThis passage will explode the embedding model, it is said.\n", "utf-8"
    )
    store = SnapshotStore(db)
    await store.setup()
    ingester = Ingester(store, FailingEmbedder(), FakeClock(), model_name="hash")
    report = await ingester.ingest([folder], "default")
    assert [Path(p).name for p, _ in report.failed] == ["boom.md"]
    assert "out of memory" in report.failed[0][1]
    assert await store.document("default", str((folder / "boom.md").resolve())) is None
    passages, _ = await store.passages("default")
    assert not any("explode" in p.text for p in passages)
    assert len(report.added) == 3
