"""The ``roundtable`` command line: the core's commands, then every plugin's."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.config import ConfigError, load_config
from bot.doctor import doctor
from bot.plugins import CliCommand, Registry, default_registry
from bot.runner import copy_into, migrate, run
from bot.store.lock import StoreInUse

__all__ = ["main", "run_async"]


def run_async(work: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine; a config problem becomes a clear message and exit code 2."""
    try:
        return asyncio.run(work)
    except ConfigError as exc:
        work.close()
        print(f"Config problem:\n{exc}", file=sys.stderr)
        return 2


def _parser(commands: Sequence[CliCommand]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable",
        description="A chat bot that facilitates online Q&A events and social-reports them.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show what the bot is doing")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run_p = sub.add_parser("run", help="run on the configured platforms (a console room if none)")
    run_p.add_argument("-c", "--config", type=Path, help="config file (TOML)")

    doctor_p = sub.add_parser("doctor", help="check config, store, models and tokens")
    doctor_p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    doctor_p.add_argument(
        "--load-models", action="store_true", help="also load the models (slower)"
    )

    migrate_p = sub.add_parser(
        "migrate", help="create or bring up to date the store's schema (run does this too)"
    )
    migrate_p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    migrate_p.add_argument(
        "--db", help="database file or postgresql:// URL (default: the config's)"
    )

    copy_p = sub.add_parser("copy-store", help="copy a SQLite store into an empty PostgreSQL store")
    copy_p.add_argument("source", type=Path, help="the SQLite file (stop the bot using it first)")
    copy_p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    copy_p.add_argument("--to", help="postgresql:// URL (default: the config's store.url)")

    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in commands:
        if command.group is None:
            sub.add_parser(command.name, help=command.help, add_help=False)
            continue
        if command.group not in groups:
            group = sub.add_parser(command.group, help=_group_help(command.group, commands))
            groups[command.group] = group.add_subparsers(dest="what", metavar="WHAT")
        groups[command.group].add_parser(command.name, help=command.help, add_help=False)
    return p


def _group_help(group: str, commands: Sequence[CliCommand]) -> str:
    names = ", ".join(c.name for c in commands if c.group == group)
    return f"{group} ({names})"


def _find(argv: list[str], commands: Sequence[CliCommand]) -> tuple[CliCommand, list[str]] | None:
    """The plugin command ``argv`` names, and the arguments that are its own."""
    for command in commands:
        n = len(command.path)
        if tuple(argv[:n]) == command.path:
            return command, argv[n:]
    return None


def main(argv: Sequence[str] | None = None, registry: Registry | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    registry = default_registry() if registry is None else registry
    commands = registry.cli_commands()
    # Plugin commands parse their own options, --help included.
    verbose = argv[:1] in (["-v"], ["--verbose"])
    found = _find(argv[1:] if verbose else argv, commands)
    if found is not None:
        logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
        command, rest = found
        try:
            return command(rest)
        except ConfigError as exc:
            print(f"Config problem:\n{exc}", file=sys.stderr)
            return 2
        except StoreInUse as exc:
            print(exc, file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
    parser = _parser(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "run":
            return asyncio.run(run(load_config(args.config, registry), registry))
        if args.command == "migrate":
            return asyncio.run(migrate(load_config(args.config, registry), args.db, registry))
        if args.command == "copy-store":
            return asyncio.run(copy_into(load_config(args.config, registry), args.source, args.to))
        if args.command == "doctor":
            return asyncio.run(doctor(args.config, load_models=args.load_models, registry=registry))
    except ConfigError as exc:
        print(f"Config problem:\n{exc}", file=sys.stderr)
        return 2
    except StoreInUse as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    if args.command is not None and args.command in {c.group for c in commands}:
        parser.parse_args([args.command, "--help"])  # a group without its sub-command
    parser.print_help()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
