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


async def test_http_a_poison_message_costs_only_itself(
    fake: SlackFake, bus: tuple[Bus, SQLiteEventLog]
) -> None:
    """60 messages, one with a lone surrogate: 59 stored, 1 in quarantine, all answered."""
    events_bus, log = bus
    adapter = make_adapter(fake, "http")
    await adapter.start(events_bus.publish)
    statuses: list[int] = []
    try:
        url = events_url(adapter)
        for i in range(60):
            text = "broken \ud83d emoji" if i == 30 else f"message {i}"
            body = callback(message(text, ts=f"1700000000.{i:06d}"), event_id=f"Ev{i}")
            status, _ = await fake.post_event(url, body)
            statuses.append(status)
        await events_bus.drain()
    finally:
        await adapter.aclose()
    assert len(await log.events()) == 59
    held = await log.quarantined()
    assert len(held) == 1 and "not valid text" in held[0]["reason"]
    assert statuses == [200] * 60  # the poison one is kept (in quarantine), not retried
