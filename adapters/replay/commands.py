"""``roundtable replay`` and ``roundtable demo``: transcripts through the real bot."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from adapters.replay.adapter import ReplayAdapter
from adapters.replay.config import ReplayConfig
from adapters.replay.translate import TranscriptError, parse_transcript
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import Config, load_config
from bot.demo import demo_config_path, demo_series_paths
from bot.events import Event
from bot.files import make_private, private_folder
from bot.plugins import ServeRequest
from bot.runner import until_interrupted

__all__ = ["demo", "demo_main", "read_transcript", "replay", "replay_events", "replay_main"]


def read_transcript(
    path: Path,
    platform: str = "replay",
    community: str = "demo",
    channel: str = "main",
    problems: list[TranscriptError] | None = None,
) -> list[Event]:
    """The transcript's events; with ``problems``, bad lines are collected there and skipped."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        return list(
            parse_transcript(
                fh,
                platform=platform,
                community=community,
                channel=channel,
                id_prefix="",
                on_error=problems.append if problems is not None else None,
            )
        )


def _report_problems(path: Path, problems: list[TranscriptError], shown: int = 10) -> None:
    if not problems:
        return
    print(f"Skipped {len(problems)} unreadable line(s) of {path}:", file=sys.stderr)
    for problem in problems[:shown]:
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > shown:
        print(f"  ... and {len(problems) - shown} more", file=sys.stderr)


class _Progress:
    """A progress bar on stderr for long replays (quiet when not a terminal)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar = tqdm(
            total=total, unit="msg", file=sys.stderr, disable=not enabled, desc="replaying"
        )

    async def watch(self, adapter: ReplayAdapter) -> None:
        while not adapter.done.is_set():
            self._bar.n = adapter.fed
            self._bar.refresh()
            await asyncio.sleep(0.2)
        self._bar.n = adapter.fed
        self._bar.close()


async def replay_events(
    bot: Roundtable,
    events: list[Event],
    clock: FakeClock,
    *,
    speed: float | None,
    out: TextIO | None,
    progress: bool,
) -> ReplayAdapter:
    # Resuming on a database with the bot's earlier posts: new post ids must not clash.
    earlier = await bot.db.fetchone("SELECT 1 FROM actions LIMIT 1")
    adapter = ReplayAdapter(
        events,
        speed=speed,
        clock=clock,
        settle=bot.drain,
        out=out,
        name=events[0].platform if events else "replay",
        id_prefix=f"bot-{os.getpid()}-" if earlier else "bot-",
    )
    bar = _Progress(len(events), progress)
    await bot.attach(adapter)
    watcher = asyncio.create_task(bar.watch(adapter))
    await adapter.wait()
    await bot.drain()
    await watcher
    return adapter


async def replay(
    config: Config, path: Path, *, speed: float | None, db: str | None, quiet: bool
) -> int:
    problems: list[TranscriptError] = []
    try:
        where = config.section("replay", ReplayConfig)
        events = read_transcript(path, where.platform, where.community, where.channel, problems)
    except (OSError, TranscriptError) as exc:
        print(f"Could not read {path}: {exc}", file=sys.stderr)
        return 2
    _report_problems(path, problems)
    if not events:
        print(f"{path} has no messages in it.", file=sys.stderr)
        return 2
    clock = FakeClock(events[0].ts)
    async with Roundtable(config, clock=clock, db_path=db) as bot:
        adapter = await replay_events(
            bot, events, clock, speed=speed, out=None if quiet else sys.stdout, progress=quiet
        )
        print(_summary(bot, adapter), file=sys.stderr)
    return 0


def _summary(bot: Roundtable, adapter: ReplayAdapter) -> str:
    return (
        f"Replayed {adapter.fed} events: {bot.bus.duplicates} duplicates skipped, "
        f"{bot.outbox.sent} bot actions, {bot.bus.errors} module errors. "
        f"Log: {bot.db.path}"
    )


async def demo(
    out: Path,
    *,
    speed: float | None = None,
    show: bool = False,
    serve: bool = False,
    port: int | None = None,
) -> int:
    """Replay the bundled demo event through every module; write outputs under ``out``.

    With ``serve``, what the modules serve (the dashboard) starts before the replay
    (so a paced replay can be watched live) and runs until interrupted; one line
    gives the demo organiser's sign-in link.
    """
    base = load_config(demo_config_path())
    private_folder(out)
    # Absolute, so that the demo config's folder (inside the package) is never used.
    config = base.model_copy(update={"bot": base.bot.model_copy(update={"out_dir": out.resolve()})})
    db_path = out / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    # the series' two earlier events first, then the main one, each in its own channel
    events = [
        e
        for path, channel in demo_series_paths()
        for e in read_transcript(path, "replay", "demo", channel)
    ]
    clock = FakeClock(events[0].ts)
    log_path = out / "demo-replay.txt"
    with log_path.open("w", encoding="utf-8") as log_file:
        async with Roundtable(config, clock=clock, db_path=db_path) as bot:
            if serve:
                platform, user = config.roles.organisers[0].split(":", 1)
                slug = config.events[-1].id if config.events else None  # the series' latest
                request = ServeRequest(
                    port=port, guest=(platform, user, "Riverside Events"), slug=slug, always=True
                )
                lines = await bot.serve(request)
                if not lines or not all(ok for ok, _ in lines):
                    for _, line in lines:
                        print(line, file=sys.stderr, flush=True)
                    return 2
            replay = asyncio.create_task(
                replay_events(
                    bot,
                    events,
                    clock,
                    speed=speed,
                    out=sys.stdout if show else log_file,
                    progress=not show,
                )
            )
            if serve:
                # the link opens the main event's page: give it once that event has started
                while not replay.done() and slug and bot.sessions.get(slug) is None:
                    await asyncio.sleep(0.05)
                for _, line in lines:
                    print(line, flush=True)
            adapter = await replay
            print(_summary(bot, adapter), file=sys.stderr)
            if serve:
                make_private(log_path)
                _list_outputs(out)
                print("Serving the dashboard until you press Ctrl+C.", file=sys.stderr)
                await until_interrupted()
                return 0
    make_private(log_path)
    _list_outputs(out)
    return 0


def _list_outputs(out: Path) -> None:
    print(f"\nThe demo event's outputs are in {out}/:")
    for path in sorted(
        p for p in out.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    ):
        print(f"  {path}")


def _replay_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable replay", description="Replay a transcript (JSON Lines or IRC log)."
    )
    p.add_argument("file", type=Path)
    p.add_argument("-c", "--config", type=Path, help="config file (TOML)")
    p.add_argument(
        "--speed",
        type=float,
        default=None,
        help="1 = original pace, 60 = sixty times faster; default: as fast as possible",
    )
    p.add_argument("--db", help="database file or postgresql:// URL (default: the config's store)")
    p.add_argument("--quiet", action="store_true", help="don't print the bot's actions")
    p.add_argument(
        "--moderators",
        metavar="NAMES",
        default="",
        help="comma-separated user ids of the transcript (IRC: nicks) who may run the event, "
        "added to the config's moderators; e.g. --moderators sam,ana",
    )
    return p


def with_moderators(config: Config, names: str) -> Config:
    """The config with more moderators (``--moderators``), as user ids on any platform."""
    extra = [n.strip() for n in names.split(",") if n.strip()]
    if not extra:
        return config
    roles = config.roles.model_copy(update={"moderators": [*config.roles.moderators, *extra]})
    return config.model_copy(update={"roles": roles})


def replay_main(argv: list[str]) -> int:
    args = _replay_parser().parse_args(argv)
    config = with_moderators(load_config(args.config), args.moderators)
    return asyncio.run(replay(config, args.file, speed=args.speed, db=args.db, quiet=args.quiet))


def _demo_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roundtable demo",
        description="Replay the bundled demo event through every module and write its outputs.",
    )
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.add_argument(
        "--speed",
        type=float,
        default=None,
        help="replay speed (1 = real time, 60 = a minute a second); default: as fast as possible",
    )
    p.add_argument("--show", action="store_true", help="print the conversation as it replays")
    p.add_argument(
        "--serve",
        action="store_true",
        help="serve the live dashboard during and after the replay, until Ctrl+C",
    )
    p.add_argument("--port", type=int, default=None, help="the dashboard's port (with --serve)")
    return p


def demo_main(argv: list[str]) -> int:
    args = _demo_parser().parse_args(argv)
    return asyncio.run(
        demo(args.out, speed=args.speed, show=args.show, serve=args.serve, port=args.port)
    )
