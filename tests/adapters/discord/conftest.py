"""Fixtures: the fake Discord, a recording sink, started adapters, and a guard that fails a
test when discord.py (or the adapter) logs an ERROR: discord.py swallows handler
exceptions into its log, so a broken handler would otherwise leave the test green."""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

# discord.py imports the stdlib ``audioop`` (voice support), deprecated in 3.11; with
# filterwarnings=error that import would fail. Until pyproject ignores that one warning,
# import discord once here with it silenced.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401

from adapters.discord import DiscordAdapter, DiscordConfig
from bot.clock import FakeClock
from bot.events import Event
from tests.fakes.discord_fake import DiscordFake, eventually

E = TypeVar("E", bound=Event)

COMMANDS = (
    ("ask", "Ask the panel a question"),
    ("event", "Start, pause or end the event"),
    ("catchup", "A private digest of what you missed"),
)
WATCHED_LOGGERS = ("discord", "adapters.discord")


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def library_errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)
    messages = [f"{r.name}: {r.getMessage()}" for r in handler.records]
    assert not messages, f"a library logged an ERROR: {messages}"


class RecordingSink:
    """The sink an adapter pushes events into; records them in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type[E], count: int = 1, within: float = 5.0) -> list[E]:
        await eventually(lambda: len(self.of(kind)) >= count, within)
        return self.of(kind)


@pytest.fixture
async def fake() -> AsyncIterator[DiscordFake]:
    async with DiscordFake() as server:
        yield server


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


StartAdapter = Callable[..., Awaitable[DiscordAdapter]]


@pytest.fixture
async def start_adapter(
    fake: DiscordFake, sink: RecordingSink, clock: FakeClock
) -> AsyncIterator[StartAdapter]:
    started: list[DiscordAdapter] = []

    async def start(**overrides: Any) -> DiscordAdapter:
        settings: dict[str, Any] = {"guild_ready_timeout": 0.05, "connect_timeout": 5.0}
        settings.update(overrides)
        adapter = DiscordAdapter(
            DiscordConfig(**settings), {"DISCORD_BOT_TOKEN": fake.token}, COMMANDS, clock
        )
        started.append(adapter)
        await adapter.start(sink)
        return adapter

    yield start
    for adapter in started:
        await adapter.aclose()


@pytest.fixture
async def adapter(start_adapter: StartAdapter) -> DiscordAdapter:
    return await start_adapter()
