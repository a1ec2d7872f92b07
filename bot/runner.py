"""What the CLI runs: a live bot, a replay, the demo."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TextIO

from adapters.base import Adapter
from adapters.replay import ReplayAdapter, TranscriptError, parse_transcript
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.config import Config, load_config
from bot.events import Event
from bot.files import make_private, private_folder

__all__ = ["demo", "replay", "run"]


def platform_adapters(config: Config, bot: Roundtable) -> list[Adapter]:
    """The platform adapters the config asks for (none means the console room)."""
    from bot.platforms import build_platform_adapters

    return build_platform_adapters(config, bot)


async def run(config: Config) -> int:
    """Run on the configured platforms until interrupted; the console room if none."""
    import os

    from bot.doctor import token_problems

    problems = token_problems(config, os.environ)
    if problems:
        print("Roundtable can't connect yet:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(
            "Set the environment variables, then try again (roundtable doctor checks).",
            file=sys.stderr,
        )
        return 2
    async with Roundtable(config) as bot:
        await start_dashboard(bot)
        adapters = platform_adapters(config, bot)
        if not adapters:
            from adapters.console import ConsoleAdapter

            console = ConsoleAdapter(
                me=config.console.me,
                community=config.console.community,
                channel=config.console.channel,
                clock=bot.clock,
                settle=bot.drain,
            )
            await bot.attach(console)
            await console.wait()
            return 0
        for adapter in adapters:
            await bot.attach(adapter)
        print(f"Roundtable is running on {', '.join(a.name for a in adapters)}. Ctrl+C stops it.")
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError):
            import signal

            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    return 0


def read_transcript(
    path: Path, platform: str = "replay", community: str = "demo", channel: str = "main"
) -> list[Event]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        return list(
            parse_transcript(
                fh, platform=platform, community=community, channel=channel, id_prefix=""
            )
        )


class _Progress:
    """A progress bar on stderr for long replays (quiet when not a terminal)."""

    def __init__(self, total: int, enabled: bool) -> None:
        from tqdm import tqdm

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
    adapter = ReplayAdapter(
        events,
        speed=speed,
        clock=clock,
        settle=bot.drain,
        out=out,
        name=events[0].platform if events else "replay",
    )
    bar = _Progress(len(events), progress)
    await bot.attach(adapter)
    watcher = asyncio.create_task(bar.watch(adapter))
    await adapter.wait()
    await bot.drain()
    await watcher
    return adapter


async def replay(
    config: Config, path: Path, *, speed: float | None, db: Path | None, quiet: bool
) -> int:
    try:
        events = read_transcript(
            path, config.replay.platform, config.replay.community, config.replay.channel
        )
    except (OSError, TranscriptError) as exc:
        print(f"Could not read {path}: {exc}", file=sys.stderr)
        return 2
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


async def start_dashboard(bot: Roundtable) -> None:
    """Serve the dashboard if the config wants it; a taken port is reported, not fatal."""
    from facilitation.dashboard.module import DashboardModule

    dash = next((m for m in bot.modules if isinstance(m, DashboardModule)), None)
    if dash is None or not dash.cfg.enabled:
        return
    try:
        url = await dash.serve()
    except OSError as exc:
        print(
            f"The dashboard could not start on {dash.cfg.host}:{dash.cfg.port} ({exc.strerror}). "
            "Set another port in [dashboard]; the bot runs on without it.",
            file=sys.stderr,
        )
        return
    print(f"Dashboard: {url} (type /dashboard in the chat for your sign-in link)")


async def _serve_demo(bot: Roundtable, config: Config, port: int | None) -> str | None:
    """Start the demo's dashboard; return a sign-in link for the demo's organiser."""
    from datetime import timedelta

    from facilitation.dashboard.auth import Viewer
    from facilitation.dashboard.module import DashboardModule

    dash = next((m for m in bot.modules if isinstance(m, DashboardModule)), None)
    if dash is None:
        return None
    try:
        await dash.serve(port=port)
    except OSError as exc:
        print(f"The dashboard could not start on port {port}: {exc.strerror}.", file=sys.stderr)
        print("Try another one with --port (0 picks a free one).", file=sys.stderr)
        return None
    organiser = config.roles.organisers[0].split(":", 1)
    viewer = Viewer(organiser[0], organiser[1], "Riverside Events")
    slug = config.events[-1].id if config.events else None  # the series' latest
    return dash.login_link(viewer, slug=slug, lifetime=timedelta(hours=12))


async def _until_interrupted() -> None:
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):
        import signal

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def demo(
    out: Path,
    *,
    speed: float | None = None,
    show: bool = False,
    serve: bool = False,
    port: int | None = None,
) -> int:
    """Replay the bundled demo event through every module; write outputs under ``out``.

    With ``serve``, the dashboard is served from before the replay (so a paced
    replay can be watched live) until interrupted; one line gives its sign-in link.
    """
    from bot.demo import demo_config_path, demo_series_paths

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
                link = await _serve_demo(bot, config, port)
                if link is None:
                    return 2
                print(f"Dashboard: {link}", flush=True)
            adapter = await replay_events(
                bot,
                events,
                clock,
                speed=speed,
                out=sys.stdout if show else log_file,
                progress=not show,
            )
            print(_summary(bot, adapter), file=sys.stderr)
            if serve:
                make_private(log_path)
                _list_outputs(out)
                print("Serving the dashboard until you press Ctrl+C.", file=sys.stderr)
                await _until_interrupted()
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


async def command_list(config: Config) -> list[tuple[str, str]]:
    """The top-level commands of the whole grammar, for registering native commands."""
    async with Roundtable(config, db_path=":memory:") as bot:
        return bot.commands.top_level()


async def slack_manifest(config: Config, request_url: str | None) -> int:
    """Print the Slack app manifest (JSON) with every command Roundtable understands."""
    import json

    from adapters.slack.manifest import build_manifest

    commands = await command_list(config)
    socket_mode = request_url is None
    manifest = build_manifest(commands, config.bot.name, socket_mode, request_url)
    print(json.dumps(manifest, indent=2, ensure_ascii=False))
    return 0
