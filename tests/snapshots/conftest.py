"""Fakes for the snapshots tests: a fast word-hashing embedder and small corpora."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import bot.config  # noqa: F401  (the app's import order: config before facilitation)
from bot.embeddings import meaning
from facilitation.base import EmbedderProvider
from facilitation.snapshots.keywords import content_words

DIM = 256


class HashingEmbedder:
    """Bag of content words hashed into buckets, normalised: shared words mean high cosine."""

    dim = DIM

    def __init__(self) -> None:
        self.calls = 0

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in content_words(text):
                out[i, zlib.crc32(word.encode()) % DIM] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out

    async def messages(self, texts: Sequence[str]) -> np.ndarray:
        """As :meth:`bot.embeddings.AsyncEmbedder.messages`: of each message's meaning."""
        return await self.embed([meaning(t) for t in texts])


class FakeProvider(EmbedderProvider):
    """An :class:`EmbedderProvider` handing out the hashing embedder (no model load)."""

    def __init__(self) -> None:
        super().__init__("bundled")
        self.fake = HashingEmbedder()

    async def get(self) -> Any:
        return self.fake


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


CORPUS = {
    "cool-spaces.md": """# Cool spaces evaluation

Source: https://example.org/reports/cool-spaces

## Summary

Libraries and community centres opened as cool spaces during heat alerts. Older residents
over 75 made up only 6% of visits, and most had never heard of the cool spaces.

## Opening hours

Cool spaces closed at 6pm, but flats were hottest between 6pm and 10pm in the evening.
""",
    "medicines.txt": """Medicines in hot weather
Source: https://example.org/reports/medicines

SUMMARY
-------

Insulin, eye drops and inhalers were often stored too warm, on sunny windowsills or in hot
kitchens. Diuretics and blood pressure tablets raise the risk of dehydration in a heatwave.
""",
    "shading.html": """<html><head><title>Shading trial</title>
<link rel="canonical" href="https://example.org/reports/shading"></head><body>
<h1>Shading trial</h1>
<h2>Results</h2>
<p>External shutters lowered peak bedroom temperatures by 2.1 degrees. Window restrictors
let tenants keep windows open safely at night for ventilation.</p>
</body></html>
""",
}


def write_corpus(folder: Path, files: dict[str, str] = CORPUS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def minimal_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A valid PDF with one Helvetica text line per entry, written by hand."""
    objects: list[bytes] = [b"", b""]  # catalog and page tree come first
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    page_ids = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id)
        )
        page_ids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    info_id = None
    if title:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if info_id:
        trailer += b" /Info %d 0 R" % info_id
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
