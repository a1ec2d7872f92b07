"""Ingest a research corpus: read files, split into passages, embed, store.

Re-ingesting skips files whose content (SHA-256) and embedding model are
unchanged, and replaces changed ones in one transaction. A file that cannot
be read is reported by name and the rest carry on.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from bot.clock import Clock
from facilitation.snapshots.passages import Passage, split_passages
from facilitation.snapshots.readers import (
    PARSER_VERSION,
    SUFFIXES,
    ParsedDocument,
    UnreadableFile,
    read_document,
)
from facilitation.snapshots.store import SnapshotStore

__all__ = [
    "IngestProgress",
    "IngestReport",
    "Ingester",
    "ProgressBar",
    "TextEmbedder",
    "collect_files",
]


class TextEmbedder(Protocol):
    """Anything that embeds texts off the event loop (``AsyncEmbedder`` does)."""

    async def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True, slots=True)
class IngestProgress:
    done: int
    total: int
    passages: int
    path: Path | None


@dataclass
class IngestReport:
    """What an ingest did, file by file."""

    corpus: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def describe(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.replaced)} replaced",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        if self.failed:
            parts.append(f"{len(self.failed)} could not be read")
        return (
            f"Corpus {self.corpus!r}: {', '.join(parts)}; "
            f"{self.passages} new passages in {self.seconds:.1f} s."
        )


def collect_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The supported files under ``paths`` (folders searched recursively), and problems."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                files.append(path)
            else:
                problems.append((str(path), f"not a supported file type ({path.suffix})"))
        else:
            problems.append((str(path), "not found"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


@dataclass(frozen=True, slots=True)
class _Read:
    sha256: str
    doc: ParsedDocument | None
    passages: list[Passage]


def _read(path: Path, max_words: int, parse: bool) -> _Read:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not parse:
        return _Read(sha, None, [])
    doc = read_document(path)
    return _Read(sha, doc, split_passages(doc, max_words=max_words))


class Ingester:
    """Brings files into one corpus of the store.

    Args:
        store: the snapshots tables.
        embedder: embeds passages (``None`` stores them for keyword search only).
        clock: stamps ``ingested_at``.
        model_name: the embedding model's name, stored so a model change re-embeds.
        max_words: the longest passage.
        max_file_mb: larger files are refused with a message (a huge file would hold
            the ingest for many minutes and flood the corpus).
        progress: called after each file (for a progress bar).
    """

    def __init__(
        self,
        store: SnapshotStore,
        embedder: TextEmbedder | None,
        clock: Clock,
        *,
        model_name: str | None = None,
        max_words: int = 70,
        max_file_mb: float = 40.0,
        progress: Callable[[IngestProgress], None] | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._clock = clock
        self._model = model_name if embedder is not None else None
        self._max_words = max_words
        self._max_bytes = int(max_file_mb * 1_000_000)
        self._progress = progress

    async def ingest(
        self, paths: Sequence[Path], corpus: str, *, prune: bool = False
    ) -> IngestReport:
        """Ingest the files under ``paths`` into ``corpus``.

        Args:
            paths: files and folders.
            corpus: the corpus name (``"default"`` or an event's slug).
            prune: also drop documents of this corpus whose files no longer exist.
        """
        started = time.perf_counter()
        report = IngestReport(corpus)
        files, problems = collect_files(paths)
        report.failed.extend(problems)
        self._tell(0, len(files), 0, None)
        for done, path in enumerate(files, start=1):
            try:
                await self._one(path, corpus, report)
            except (UnreadableFile, OSError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                report.failed.append((str(path), reason))
            self._tell(done, len(files), report.passages, path)
        if prune:
            for doc_id, stored in await self._store.documents(corpus):
                if not Path(stored).exists():
                    await self._store.remove_document(doc_id)
                    report.removed.append(stored)
        report.seconds = time.perf_counter() - started
        return report

    async def _one(self, path: Path, corpus: str, report: IngestReport) -> None:
        key = str(path)
        size = path.stat().st_size
        if size > self._max_bytes:
            raise UnreadableFile(
                f"it is {size / 1e6:.0f} MB, more than the {self._max_bytes / 1e6:g} MB limit"
                " ([snapshots] max_file_mb)"
            )
        existing = await self._store.document(corpus, key)
        peek = await asyncio.to_thread(_read, path, self._max_words, False)
        # unchanged, unless stored without the model now at hand (or with another one)
        same_model = self._model is None or (existing is not None and existing[2] == self._model)
        same_parser = existing is not None and existing[3] == PARSER_VERSION
        if existing is not None and existing[1] == peek.sha256 and same_model and same_parser:
            report.unchanged.append(key)
            return
        read = await asyncio.to_thread(_read, path, self._max_words, True)
        assert read.doc is not None
        if not read.passages:
            raise UnreadableFile("no text found in it")
        vectors = None
        if self._embedder is not None:
            try:
                vectors = await self._embedder.embed([p.embedding_text() for p in read.passages])
            except Exception as exc:  # a model failure costs this file, not the whole ingest
                raise UnreadableFile(f"its passages could not be embedded ({exc})") from exc
        await self._store.replace_document(
            corpus=corpus,
            path=key,
            sha256=read.sha256,
            kind=read.doc.kind,
            title=read.doc.title,
            url=read.doc.url,
            model=self._model,
            ingested_at=self._clock.now(),
            passages=[(p.ordinal, p.heading, p.page, p.text, p.kind) for p in read.passages],
            vectors=vectors,
            parser=PARSER_VERSION,
        )
        (report.replaced if existing is not None else report.added).append(key)
        report.passages += len(read.passages)

    def _tell(self, done: int, total: int, passages: int, path: Path | None) -> None:
        if self._progress is not None:
            self._progress(IngestProgress(done, total, passages, path))


class ProgressBar:
    """Shows ingest progress on stderr: a bar on a terminal, two lines otherwise."""

    def __init__(self, label: str = "ingesting") -> None:
        self._label = label
        self._bar: Any = None

    def __call__(self, p: IngestProgress) -> None:

        if self._bar is None:
            self._bar = tqdm(total=p.total, unit="file", desc=self._label, file=sys.stderr)
            if not sys.stderr.isatty():
                print(f"{self._label}: {p.total} files", file=sys.stderr)
                self._bar.disable = True
        self._bar.n = p.done
        self._bar.set_postfix(passages=p.passages, refresh=False)
        self._bar.refresh()
        if p.done >= p.total:
            if self._bar.disable:
                print(f"{self._label}: done, {p.passages} new passages", file=sys.stderr)
            self._bar.close()
            self._bar = None
