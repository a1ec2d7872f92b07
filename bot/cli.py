"""The ``roundtable`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, load_config

__all__ = ["main", "run_async"]


def run_async(work: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine; a config problem becomes a clear message and exit code 2."""
    try:
        return asyncio.run(work)
    except ConfigError as exc:
        work.close()
        print(f"Config problem:\n{exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable",
        description="A chat bot that facilitates online Q&A events and social-reports them.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show what the bot is doing")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run on the configured platforms (a console room if none)")
    run.add_argument("-c", "--config", type=Path, help="config file (TOML)")

    demo = sub.add_parser("demo", help="replay the bundled demo event and write its outputs")
    demo.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    demo.add_argument(
        "--speed",
        type=float,
        default=None,
        help="replay speed (1 = real time, 60 = a minute a second); default: as fast as possible",
    )
    demo.add_argument("--show", action="store_true", help="print the conversation as it replays")
    demo.add_argument(
        "--serve",
        action="store_true",
        help="serve the live dashboard during and after the replay, until Ctrl+C",
    )
    demo.add_argument("--port", type=int, default=None, help="the dashboard's port (with --serve)")

    replay = sub.add_parser("replay", help="replay a transcript (JSON Lines or IRC log)")
    replay.add_argument("file", type=Path)
    replay.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    replay.add_argument(
        "--speed",
        type=float,
        default=None,
        help="1 = original pace, 60 = sixty times faster; default: as fast as possible",
    )
    replay.add_argument("--db", type=Path, help="database file (default: the config's store.path)")
    replay.add_argument("--quiet", action="store_true", help="don't print the bot's actions")
    replay.add_argument(
        "--moderators",
        metavar="NAMES",
        default="",
        help="comma-separated user ids of the transcript (IRC: nicks) who may run the event, "
        "added to the config's moderators; e.g. --moderators sam,ana",
    )

    doctor = sub.add_parser("doctor", help="check config, store, models and tokens")
    doctor.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    doctor.add_argument("--load-models", action="store_true", help="also load the models (slower)")

    for name, help_text in (
        ("export", "download an event's data: messages, questions, network, metrics"),
        ("evaluate", "compare the events of a series (reach, ties, the matrix)"),
        ("ingest", "add research documents (Markdown, text, HTML, PDF) for snapshots"),
        ("report", "write an event's social report (HTML and Markdown)"),
    ):
        delegated = sub.add_parser(name, help=help_text, add_help=False)
        delegated.add_argument("rest", nargs=argparse.REMAINDER)

    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    manifest.add_argument(
        "--http",
        metavar="URL",
        default=None,
        help="public https URL for the Events API (default: Socket Mode)",
    )

    ev = sub.add_parser("eval", help="measure quality on annotated data")
    ev_sub = ev.add_subparsers(dest="what", metavar="WHAT")
    threads = ev_sub.add_parser("threads", help="conversation disentanglement on IRC logs")
    threads.add_argument("rest", nargs=argparse.REMAINDER)
    summaries = ev_sub.add_parser("summaries", help="summaries on DialogSum-format dialogues")
    summaries.add_argument("rest", nargs=argparse.REMAINDER)
    snapshots = ev_sub.add_parser("snapshots", help="research snapshots on your own questions")
    snapshots.add_argument("rest", nargs=argparse.REMAINDER)
    questions = ev_sub.add_parser("questions", help="the question queue on a labelled event")
    questions.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # These commands parse their own options (argparse's REMAINDER drops a leading --help).
    if argv and argv[0] in DELEGATED:
        logging.basicConfig(level=logging.WARNING)
        try:
            return _delegate(argv[0], argv[1:])
        except ConfigError as exc:
            print(f"Config problem:\n{exc}", file=sys.stderr)
            return 2
    if len(argv) >= 2 and argv[0] == "eval" and argv[1] in EVALS:
        logging.basicConfig(level=logging.WARNING)
        return _delegate(f"eval {argv[1]}", argv[2:])
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return 2
    try:
        match args.command:
            case "run":
                from bot.runner import run

                return asyncio.run(run(_config(args.config)))
            case "demo":
                from bot.runner import demo

                return asyncio.run(
                    demo(
                        args.out, speed=args.speed, show=args.show, serve=args.serve, port=args.port
                    )
                )
            case "replay":
                from bot.runner import replay

                return asyncio.run(
                    replay(
                        _with_moderators(_config(args.config), args.moderators),
                        args.file,
                        speed=args.speed,
                        db=args.db,
                        quiet=args.quiet,
                    )
                )
            case "doctor":
                from bot.doctor import doctor

                return asyncio.run(doctor(args.config, load_models=args.load_models))
            case "export" | "evaluate" | "ingest" | "report":
                return _delegate(args.command, list(args.rest))
            case "slack-manifest":
                from bot.runner import slack_manifest

                return asyncio.run(slack_manifest(_config(args.config), args.http))
            case "eval":
                return _eval(args, parser)
    except ConfigError as exc:
        print(f"Config problem:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2


def _config(path: Path | None) -> Config:
    return load_config(path)


def _with_moderators(config: Config, names: str) -> Config:
    """The config with more moderators (``--moderators``), as user ids on any platform."""
    extra = [n.strip() for n in names.split(",") if n.strip()]
    if not extra:
        return config
    roles = config.roles.model_copy(update={"moderators": [*config.roles.moderators, *extra]})
    return config.model_copy(update={"roles": roles})


DELEGATED = ("export", "evaluate", "ingest", "report")
EVALS = ("threads", "summaries", "snapshots", "questions")


def _delegate(command: str, rest: list[str]) -> int:
    """Commands whose options live with their module."""
    match command:
        case "eval threads":
            from facilitation.threads.evaluate import main as eval_threads

            return int(eval_threads(rest))
        case "eval summaries":
            from facilitation.summaries.evaluate import main as eval_summaries

            return int(eval_summaries(rest))
        case "eval snapshots":
            from facilitation.snapshots.evaluate import main as eval_snapshots

            return int(eval_snapshots(rest))
        case "eval questions":
            from facilitation.questions.evaluate import main as eval_questions

            return int(eval_questions(rest))
        case "export":
            from facilitation.ledger.cli import export_main

            return int(export_main(rest))
        case "evaluate":
            from facilitation.ledger.cli import evaluate_main

            return int(evaluate_main(rest))
        case "ingest":
            from facilitation.snapshots.cli import main as ingest_main

            return int(ingest_main(rest))
        case "report":
            from facilitation.report.cli import main as report_main

            return int(report_main(rest))
    return 2


def _eval(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    match args.what:
        case "threads":
            from facilitation.threads.evaluate import main as eval_threads

            return int(eval_threads(list(args.rest)))
        case "summaries":
            from facilitation.summaries.evaluate import main as eval_summaries

            return int(eval_summaries(list(args.rest)))
    parser.parse_args(["eval", "--help"])
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
