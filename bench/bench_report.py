"""Speed of the end-of-event social report: one event of 10,000 messages.

Builds a temporary store with a synthetic event (the generator of
``bench_export``: replies, mentions, reactions, /ask questions answered by the
panel), then times reading it, building the report with the default
(extractive, bundled MiniLM) summariser, and writing report.html and report.md.
Loading the embedding model is timed apart. The target is under 60 s.

    python bench/bench_report.py [--messages 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_export import build
from bot.config import parse_config
from bot.prompts import Prompts
from bot.roles import RoleBook
from bot.store import Database
from facilitation.base import EmbedderProvider
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import LedgerStore, load_sessions
from facilitation.report.build import build_report
from facilitation.report.config import ReportConfig
from facilitation.report.gather import gather
from facilitation.report.module import write_report
from facilitation.report.summarise import ReportSummariser


async def measure(path: Path, out: Path) -> dict[str, float]:
    config = parse_config({"roles": {"panellists": ["bench:panel1"]}}, "<bench>")
    db = await Database.open(path)
    provider = EmbedderProvider("bundled")
    prompts = Prompts.load()
    summariser = ReportSummariser(config.section("report", ReportConfig), provider, prompts)
    try:
        roles = RoleBook(db, panellists=config.roles.panellists)
        await roles.setup()
        store = LedgerStore(db)
        await store.setup()
        ledger = Ledger(db, config, roles.roles_of, store)
        session = (await load_sessions(db))[0]
        t0 = time.perf_counter()
        await provider.get()
        t1 = time.perf_counter()
        data = await gather(ledger, session, figures=True)
        t2 = time.perf_counter()
        report = await build_report(
            data, summariser, config.section("report", ReportConfig), prompts, ledger.cfg
        )
        t3 = time.perf_counter()
        write_report(report, out / session.slug, prompts)
        t4 = time.perf_counter()
    finally:
        summariser.close()
        provider.close()
        await db.close()
    return {
        "messages": float(report.messages),
        "model_load_s": t1 - t0,
        "read_s": t2 - t1,
        "build_s": t3 - t2,
        "write_s": t4 - t3,
        "report_s": t4 - t1,
        "total_s": t4 - t0,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=10_000)
    p.add_argument("--keep", type=Path, help="keep the store and report in this folder")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / "bench.db"
        db_path.unlink(missing_ok=True)
        asyncio.run(build(db_path, 1, args.messages))
        figures = asyncio.run(measure(db_path, folder / "out"))
    for key, value in figures.items():
        print(f"{key:>14}: {value:.2f}")
    ok = figures["total_s"] < 60
    print("PASS: under 60 s" if ok else "FAIL: 60 s or more")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
