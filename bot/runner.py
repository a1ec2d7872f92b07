"""``roundtable run``: the live bot on every configured platform, or the fallback room."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import asyncpg

from bot.adapter import Interactive, TokenError
from bot.app import Roundtable
from bot.config import Config
from bot.platforms import token_problems
from bot.plugins import Registry, default_registry
from bot.store.copy import StoreNotEmpty, copy_store
from bot.store.postgres import is_url, redact

__all__ = ["command_list", "copy_into", "migrate", "run", "until_interrupted"]


async def run(config: Config, registry: Registry | None = None) -> int:
    """Run on the configured platforms until interrupted; the fallback room if none."""
    registry = default_registry() if registry is None else registry
    problems = token_problems(config, os.environ, registry)
    if problems:
        print("Roundtable can't connect yet:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(
            "Set the environment variables, then try again (roundtable doctor checks).",
            file=sys.stderr,
        )
        return 2
    async with Roundtable(config, registry=registry) as bot:
        for ok, line in await bot.serve():
            print(line, file=sys.stdout if ok else sys.stderr)
        adapters = bot.platform_adapters()
        if not adapters:
            rooms = bot.fallback_adapters()
            for room in rooms:
                await bot.attach(room)
            await asyncio.gather(*(r.wait() for r in rooms if isinstance(r, Interactive)))
            return 0
        for adapter in adapters:
            try:
                await bot.attach(adapter)
            except TokenError as exc:
                print(f"Roundtable can't connect to {exc.platform}: {exc}", file=sys.stderr)
                return 2
        print(f"Roundtable is running on {', '.join(a.name for a in adapters)}. Ctrl+C stops it.")
        await until_interrupted()
    return 0


async def until_interrupted() -> None:
    """Wait for Ctrl+C or a termination signal."""
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def command_list(config: Config) -> list[tuple[str, str]]:
    """The top-level commands of the whole grammar, for registering native commands."""
    async with Roundtable(config, db_path=":memory:") as bot:
        return bot.commands.top_level()


async def migrate(config: Config, db: str | None = None, registry: Registry | None = None) -> int:
    """Create or upgrade every component's tables (each module migrates its own), then stop.

    ``roundtable run`` migrates on start too; this lets an operator do it first, once,
    before starting several workers.
    """
    cfg = config.model_copy(update={"models": config.models.model_copy(update={"enabled": False})})
    async with Roundtable(cfg, db_path=db, registry=registry) as bot:
        rows = await bot.db.fetchall(
            "SELECT component, MAX(version) AS v FROM schema_migrations GROUP BY component"
            " ORDER BY component"
        )
        where = bot.db.path
    print(f"The store at {where} is up to date:")
    for row in rows:
        print(f"  {row['component']}: version {row['v']}")
    return 0


async def copy_into(config: Config, source: Path, to: str | None) -> int:
    """``roundtable copy-store``: a SQLite file into the (empty) PostgreSQL store."""
    target = to or (config.store_target() if config.store.url else None)
    if not target or not is_url(target):
        print(
            "Say where to copy to: --to postgresql://user@host:port/db, or [store] url"
            " in the config.",
            file=sys.stderr,
        )
        return 2
    if not source.is_file():
        print(f"There is no SQLite store at {source}.", file=sys.stderr)
        return 2
    try:
        result = await copy_store(
            str(source), target, lambda table, n: print(f"  {table}: {n} rows")
        )
    except StoreNotEmpty as exc:
        print(exc, file=sys.stderr)
        return 2
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        print(f"Could not copy into {redact(target)}: {exc}", file=sys.stderr)
        print("`roundtable doctor` checks the connection.", file=sys.stderr)
        return 1
    print(
        f"Copied {result.rows} rows in {len(result.tables)} tables from {source}"
        f" to {redact(target)} in {result.seconds:.1f}s."
    )
    return 0
