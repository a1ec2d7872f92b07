"""``roundtable report EVENT``: write an event's social report (HTML and Markdown)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import run_async
from bot.config import load_config
from bot.prompts import Prompts
from facilitation.base import EmbedderProvider
from facilitation.ledger.cli import open_ledger
from facilitation.report.config import ReportConfig
from facilitation.report.module import make_report, write_report
from facilitation.report.summarise import ReportSummariser

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable report",
        description="Write an event's social report: report.html (charts included) and "
        "report.md, in OUT/<event>/.",
    )
    p.add_argument("event", help="the event's id (slug) or number")
    p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    p.add_argument("--db", help="database file or postgresql:// URL (default: the config's store)")
    p.add_argument("--out", type=Path, help="output folder (default: the config's bot.out_dir)")
    return p


async def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    opened = await open_ledger(config, args.db)
    if opened is None:
        return 2
    db, ledger = opened
    provider = EmbedderProvider(
        config.models.embeddings,
        enabled=config.models.enabled,
        max_length=config.models.max_length,
    )
    cfg = config.section("report", ReportConfig)
    prompts = Prompts.load(
        config.resolve(config.bot.prompts_dir) if config.bot.prompts_dir else None
    )
    summariser = ReportSummariser(cfg, provider, prompts)
    try:
        session = await ledger.find(args.event)
        if session is None:
            known = ", ".join(s.slug for s in await ledger.sessions()) or "none yet"
            print(f"No event {args.event!r} in the database (events: {known}).", file=sys.stderr)
            return 2
        report = await make_report(ledger, session, summariser, cfg, prompts)
        out = args.out if args.out is not None else config.resolve(config.bot.out_dir)
        folder = out / session.slug
        for path in write_report(report, folder, prompts, cfg=cfg, ledger_cfg=ledger.cfg):
            print(path)
        return 0
    finally:
        summariser.close()
        provider.close()
        await db.close()


def main(argv: list[str]) -> int:
    """Run ``roundtable report``; returns the exit code."""
    args = _parser().parse_args(argv)
    return run_async(_run(args))
