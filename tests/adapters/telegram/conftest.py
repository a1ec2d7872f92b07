"""Fixtures: the fake Bot API, a recording sink, a started adapter, and the ERROR guard."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.clock import FakeClock
from bot.events import Event
from tests.fakes.telegram_fake import TOKEN, TelegramFake

SECRET = "s3cret-Token_1"
ENVIRON = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}
COMMANDS = [("ask", "Ask the panel a question"), ("event", "Start, pause or end the event")]
# Loggers whose ERRORs fail a test: the library, its webhook server, and our adapter
# (whose reconnect path must stay below ERROR).
WATCHED = ("telegram", "tornado", "roundtable.adapters.telegram")


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at(self, level: int) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == level]


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22.8 builds its own RetryAfter (on a 429) through a deprecated int property and
    # warns about itself; opting in to the coming timedelta behaviour silences that only.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture(autouse=True)
def library_log(request: pytest.FixtureRequest) -> Iterator[Recorder]:
    """Every record from the watched loggers; the test fails if one is an ERROR.

    tests/conftest.py guards the library loggers for the whole suite; this adds the
    webhook server's and our adapter's, and lets tests read the WARNINGs.
    """
    recorder = Recorder()
    loggers = [logging.getLogger(name) for name in WATCHED]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(recorder)
        lg.setLevel(logging.DEBUG)
    yield recorder
    for lg, level in zip(loggers, saved, strict=True):
        lg.removeHandler(recorder)
        lg.setLevel(level)
    if request.node.get_closest_marker("library_errors_expected"):
        return
    errors = [r for r in recorder.records if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("logged at ERROR: " + "; ".join(f"{r.name}: {r.getMessage()}" for r in errors))


class EventSink:
    """A recording sink: ``await sink(event)`` stores it; ``wait`` waits for a count."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._arrived = asyncio.Event()

    async def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._arrived.set()

    async def wait(self, count: int, within: float = 5.0) -> list[Event]:
        async with asyncio.timeout(within):
            while len(self.events) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.events

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
async def tg() -> AsyncIterator[TelegramFake]:
    async with TelegramFake() as fake:
        yield fake


@pytest.fixture
def sink() -> EventSink:
    return EventSink()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


StartAdapter = Callable[..., Awaitable[TelegramAdapter]]


@pytest.fixture
async def start_adapter(
    tg: TelegramFake, sink: EventSink, clock: FakeClock
) -> AsyncIterator[StartAdapter]:
    """Start a polling (or, with mode="webhook", webhook) adapter against the fake."""
    started: list[TelegramAdapter] = []

    async def start(**settings: Any) -> TelegramAdapter:
        config = TelegramConfig(
            base_url=tg.base_url, base_file_url=tg.base_file_url, poll_timeout=1, **settings
        )
        adapter = TelegramAdapter(config, ENVIRON, COMMANDS, clock)
        await adapter.start(sink)
        started.append(adapter)
        return adapter

    yield start
    for adapter in started:
        await adapter.aclose()
