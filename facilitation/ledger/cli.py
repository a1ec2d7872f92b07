"""``roundtable export`` and ``roundtable evaluate``: downloads and series comparisons."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import run_async
from bot.clock import SystemClock
from bot.config import Config, load_config
from bot.roles import RoleBook
from bot.store import Database, table_exists
from facilitation.ledger.export import export_event
from facilitation.ledger.series import evaluate_series, write_series
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import LedgerStore

__all__ = ["evaluate_main", "export_main"]


def _export_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable export",
        description="Write one event's downloads: messages (CSV, JSON Lines), participants, "
        "questions, snapshots, ties, the network (GraphML, GEXF), figures and the report.",
    )
    p.add_argument("event", help="the event's id (slug) or number")
    p.add_argument("--out", type=Path, required=True, help="folder to write (or zip file)")
    p.add_argument("--zip", action="store_true", help="write one zip file instead of a folder")
    p.add_argument("--force", action="store_true", help="replace a zip file that exists already")
    p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    p.add_argument("--db", help="database file or postgresql:// URL (default: the config's store)")
    p.add_argument(
        "--real-names",
        action="store_true",
        help="use platform ids and names instead of pseudonyms (mind your privacy notice)",
    )
    return p


def _evaluate_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable evaluate",
        description="Compare the events of a series: platforms, shared value, new audiences, "
        "new relationships, and the knowledge-exchange matrix.",
    )
    p.add_argument("--series", required=True, help="the series name from the config")
    p.add_argument("--out", type=Path, help="output folder (default: OUT_DIR/series-NAME)")
    p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    p.add_argument("--db", help="database file or postgresql:// URL (default: the config's store)")
    return p


async def open_ledger(config: Config, db_path: str | Path | None) -> tuple[Database, Ledger] | None:
    """Open an existing store read for evaluation (the ledger's own tables are created)."""
    path = str(db_path) if db_path is not None else config.store_target()
    if not path.startswith(("postgresql://", "postgres://")) and not Path(path).is_file():
        print(f"There is no database at {path}.", file=sys.stderr)
        return None
    db = await Database.open(path)
    if not await table_exists(db, "events"):
        await db.close()
        print(f"{db.path} is not a Roundtable database.", file=sys.stderr)
        return None
    roles = RoleBook(
        db,
        organisers=config.roles.organisers,
        moderators=config.roles.moderators,
        panellists=config.roles.panellists,
        trust_platform_roles=config.roles.trust_platform_roles,
    )
    await roles.setup()
    store = LedgerStore(db)
    await store.setup()
    return db, Ledger(db, config, roles.roles_of, store)


async def _export(args: argparse.Namespace) -> int:

    opened = await open_ledger(load_config(args.config), args.db)
    if opened is None:
        return 2
    db, ledger = opened
    try:
        session = await ledger.find(args.event)
        if session is None:
            known = ", ".join(s.slug for s in await ledger.sessions()) or "none yet"
            print(f"No event {args.event!r}. Events: {known}", file=sys.stderr)
            return 2
        problem = _out_problem(args.out, zip_file=args.zip, force=args.force)
        if problem:
            print(problem, file=sys.stderr)
            return 2
        try:
            path = await export_event(
                ledger,
                session,
                args.out,
                zip_file=args.zip,
                real_names=True if args.real_names else None,
            )
        except OSError as exc:
            print(f"Could not write {exc.filename or args.out}: {exc.strerror}", file=sys.stderr)
            return 2
        # remembered, so that an opt-out rewrites it too (bot.forget)
        await ledger.store.add_output(
            path.resolve(),
            session.id,
            zip_file=args.zip,
            real_names=bool(args.real_names),
            ts=SystemClock().now(),
        )
        print(f"Wrote {path}")
        return 0
    finally:
        await db.close()


def _out_problem(out: Path, *, zip_file: bool, force: bool) -> str | None:
    """Why ``--out`` cannot be written (``None`` when it can)."""
    if not zip_file:
        if out.exists() and not out.is_dir():
            return (
                f"{out} is a file. Give a folder to write the export into,"
                " or add --zip to write one zip file."
            )
        return None
    target = out if out.suffix == ".zip" else out.with_name(out.name + ".zip")
    if target.is_dir():
        return f"{target} is a folder. Give a file name for the zip, like {target / 'export.zip'}."
    if target.exists() and not force:
        return f"{target} exists already. Choose another name, or add --force to replace it."
    return None


async def _evaluate(args: argparse.Namespace) -> int:

    config = load_config(args.config)
    opened = await open_ledger(config, args.db)
    if opened is None:
        return 2
    db, ledger = opened
    try:
        result = await evaluate_series(ledger, args.series)
        if not result["events"]:
            names = sorted({n for s in await ledger.sessions() if (n := ledger.series_name(s))})
            print(
                f"No events in series {args.series!r}. Series: {', '.join(names) or 'none yet'}",
                file=sys.stderr,
            )
            return 2
        out = args.out or ledger.out_dir() / f"series-{args.series}"
        for path in write_series(ledger, result, out):
            print(f"Wrote {path}")
        return 0
    finally:
        await db.close()


def export_main(argv: list[str]) -> int:
    """``roundtable export EVENT --out PATH [--zip] [--config FILE] [--db FILE] [--real-names]``."""
    args = _export_parser().parse_args(argv)
    return run_async(_export(args))


def evaluate_main(argv: list[str]) -> int:
    """``roundtable evaluate --series NAME [--out PATH] [--config FILE] [--db FILE]``."""
    args = _evaluate_parser().parse_args(argv)
    return run_async(_evaluate(args))
