"""A redelivered Telegram update goes through the real bus and is stored once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import Event, MessagePosted
from bot.store import Database, SQLiteEventLog
from tests.adapters.telegram.conftest import COMMANDS, ENVIRON
from tests.fakes.telegram_fake import TelegramFake, user

GROUP = -1001
ALICE = user(7, "Alice")


@pytest.fixture
async def event_log() -> AsyncIterator[SQLiteEventLog]:
    db = await Database.open(":memory:")
    log = SQLiteEventLog(db)
    await log.setup()
    yield log
    await db.close()


async def test_redelivered_update_is_stored_once(
    tg: TelegramFake, event_log: SQLiteEventLog, clock: FakeClock
) -> None:
    bus = Bus(event_log, clock)
    seen: list[str] = []
    verdicts: asyncio.Queue[bool] = asyncio.Queue()

    async def on_message(event: MessagePosted) -> None:
        seen.append(event.text)

    async def sink(event: Event) -> None:  # the bus is the sink; record its verdicts
        await verdicts.put(await bus.publish(event))

    bus.subscribe(MessagePosted, on_message)
    await bus.start()
    tg.add_group(GROUP)
    adapter = TelegramAdapter(TelegramConfig(base_url=tg.base_url), ENVIRON, COMMANDS, clock)
    await adapter.start(sink)
    try:
        tg.post(GROUP, ALICE, "only once, please")
        first = await asyncio.wait_for(verdicts.get(), 5)
        tg.redeliver(tg.delivered[-1])
        again = await asyncio.wait_for(verdicts.get(), 5)
    finally:
        await adapter.aclose()
        await bus.aclose()
    assert (first, again) == (True, False)
    assert seen == ["only once, please"]
    assert bus.duplicates == 1
    rows = await event_log.events()
    assert [r.message_id for r in rows] == [f"{GROUP}:1"]
