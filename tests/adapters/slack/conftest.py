"""Fixtures for the Slack adapter tests: the fake, a recording sink, running adapters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from adapters.slack import SlackAdapter, SlackConfig
from bot.clock import FakeClock
from bot.events import Event
from tests.fakes.slack_fake import SlackFake

COMMANDS = [("ask", "Ask the panel a question"), ("event", "Start, pause or end the event")]
LIBRARY_LOGGERS = ("slack_bolt", "slack_sdk")


class ErrorCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def library_errors() -> Iterator[ErrorCatcher]:
    """Fail the test if slack_bolt or slack_sdk logs an ERROR (they swallow exceptions)."""
    catcher = ErrorCatcher()
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).addHandler(catcher)
    yield catcher
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).removeHandler(catcher)
    messages = [f"{r.name}: {r.getMessage()}" for r in catcher.records]
    assert not messages, f"Slack library logged errors: {messages}"


class RecordingSink:
    """Records every delivery and stores each event once by ``dedup_key``, like the bot."""

    def __init__(self) -> None:
        self.delivered: list[Event] = []
        self.stored: dict[str, Event] = {}
        self._queue: asyncio.Queue[Event] = asyncio.Queue()

    async def __call__(self, event: Event) -> None:
        self.delivered.append(event)
        self.stored.setdefault(event.dedup_key, event)
        self._queue.put_nowait(event)

    async def next(self, within: float = 5.0) -> Event:
        return await asyncio.wait_for(self._queue.get(), within)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def fake() -> AsyncIterator[SlackFake]:
    async with SlackFake() as server:
        server.add_user("U1", "Ann")
        server.add_user("U2", "Bo", admin=True)
        yield server
        assert not server.protocol_errors


def make_adapter(fake: SlackFake, mode: str, **overrides: Any) -> SlackAdapter:
    config = SlackConfig(
        mode=mode,  # type: ignore[arg-type]
        base_url=fake.base_url,
        http_port=0,
        ping_interval=1.0,  # short, so a dropped socket is noticed quickly
        connect_timeout=5,
        **overrides,
    )
    return SlackAdapter(config, fake.environ, COMMANDS, FakeClock())


@pytest.fixture
async def socket_adapter(fake: SlackFake, sink: RecordingSink) -> AsyncIterator[SlackAdapter]:
    adapter = make_adapter(fake, "socket")
    await adapter.start(sink)
    await fake.wait_connections(1)
    yield adapter
    await adapter.aclose()


@pytest.fixture
async def http_adapter(fake: SlackFake, sink: RecordingSink) -> AsyncIterator[SlackAdapter]:
    adapter = make_adapter(fake, "http")
    await adapter.start(sink)
    yield adapter
    await adapter.aclose()


def events_url(adapter: SlackAdapter) -> str:
    return f"http://127.0.0.1:{adapter.http_port}{adapter.config.http_path}"
