"""``roundtable ingest PATH... [--config FILE] [--db FILE] [--event SLUG]``.

Ingests research files (Markdown, text, HTML, PDF, and folders of them) into
the store, for every event (the default corpus) or for one event's own
corpus. With no PATH, the corpus paths in the config are ingested. Unchanged
files are skipped and changed ones replaced. Exit code: 0, or 1 when some
file could not be read (the others are stored), 2 for a usage or config problem.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Config, ConfigError, load_config
from bot.module import EmbedderProvider
from bot.store import Database
from facilitation.snapshots.config import DEFAULT_CORPUS, SnapshotsConfig
from facilitation.snapshots.ingest import Ingester, ProgressBar
from facilitation.snapshots.store import SnapshotStore

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable ingest",
        description="Ingest research files (md, txt, html, pdf, folders) for research snapshots.",
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the config's)")
    p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    p.add_argument("--db", help="database file or postgresql:// URL (default: the config's store)")
    p.add_argument("--event", help="ingest into this event's own corpus (its id, like heat-panel)")
    return p


def main(argv: list[str]) -> int:
    """Run the ingest command; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"Config problem:\n{exc}", file=sys.stderr)
        return 2
    return asyncio.run(_ingest(config, args.paths, args.db, args.event))


async def _ingest(config: Config, paths: list[Path], db_path: str | None, event: str | None) -> int:
    snapshots = config.section("snapshots", SnapshotsConfig)
    corpus = event or DEFAULT_CORPUS
    if not paths:
        name = snapshots.corpus_name(event)
        if event and name != event:
            print(f"No corpus is set for the event {event!r} in the config.", file=sys.stderr)
            return 2
        paths = [config.resolve(p) for p in snapshots.corpus_paths(name)]
        if not paths:
            print(
                "Name the files or folders to ingest, or set [snapshots] corpus in the config.",
                file=sys.stderr,
            )
            return 2
    db = await Database.open(db_path or config.store_target())
    provider = EmbedderProvider(
        config.models.embeddings, enabled=config.models.enabled, max_length=config.models.max_length
    )
    try:
        store = SnapshotStore(db)
        await store.setup()
        embedder = await provider.get()
        if embedder is None:
            print(
                "Models are off in the config: passages are stored for keyword search only.",
                file=sys.stderr,
            )
        ingester = Ingester(
            store,
            embedder,
            SystemClock(),
            model_name=config.models.embeddings,
            max_words=snapshots.max_words,
            max_file_mb=snapshots.max_file_mb,
            progress=ProgressBar(f"ingesting into {corpus!r}"),
        )
        report = await ingester.ingest(paths, corpus)
    finally:
        provider.close()
        await db.close()
    for path, reason in report.failed:
        print(f"Could not read {path}: {reason}", file=sys.stderr)
    print(report.describe())
    if report.seconds > 0 and report.passages:
        print(f"{report.passages / report.seconds:.1f} passages/s")
    return 1 if report.failed else 0
