"""The adapter feeding the real bus and SQLite participation log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import Event, MessagePosted, ReactionAdded
from bot.store.db import Database
from bot.store.log import SQLiteEventLog
from tests.adapters.slack.conftest import events_url, make_adapter
from tests.fakes.slack_fake import SlackFake, callback, message, reaction


@pytest.fixture
async def bus(tmp_path: Path) -> AsyncIterator[tuple[Bus, SQLiteEventLog]]:
    db = await Database.open(tmp_path / "roundtable.db")
    log = SQLiteEventLog(db)
    await log.setup()
    bus = Bus(log, FakeClock())
    await bus.start()
    yield bus, log
    await bus.aclose()
    await db.close()


async def test_http_redeliveries_are_stored_and_handled_once(
    fake: SlackFake, bus: tuple[Bus, SQLiteEventLog]
) -> None:
    events_bus, log = bus
    handled: list[Event] = []

    async def handler(event: Event) -> None:
        handled.append(event)

    published: list[bool] = []
    all_in = asyncio.Event()

    async def sink(event: Event) -> None:
        published.append(await events_bus.publish(event))
        if len(published) == 6:
            all_in.set()

    events_bus.subscribe(MessagePosted, handler)
    events_bus.subscribe(ReactionAdded, handler)
    adapter = make_adapter(fake, "http")
    await adapter.start(sink)
    try:
        url = events_url(adapter)
        question = callback(message("Why does sleep matter?"), event_id="EvQ")
        vote = callback(reaction("+1"), event_id="EvV")
        for body in (question, vote):
            await fake.post_event(url, body)
            await fake.post_event(url, body, retry_num=1)
            await fake.post_event(url, body, retry_num=2)
        # Bolt hands each HTTP delivery to a background task: wait for all six.
        await asyncio.wait_for(all_in.wait(), 5)
        await events_bus.drain()
    finally:
        await adapter.aclose()
    stored = await log.events()
    assert len(stored) == 2
    assert published.count(True) == 2  # the bus saw four redeliveries as known
    assert sorted(e.kind for e in handled) == ["MessagePosted", "ReactionAdded"]
