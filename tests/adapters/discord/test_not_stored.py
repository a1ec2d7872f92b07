"""A Discord event whose storing failed is kept and tried again, in order, never dropped.

Storing fails for real: the bus's log table is moved away, so the real bus
raises, as on a broken or full database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.discord import DiscordAdapter, DiscordConfig
from bot.bus import Bus
from bot.clock import FakeClock
from bot.store import Database, SQLiteEventLog
from tests.adapters.discord.conftest import COMMANDS
from tests.fakes.discord_fake import DiscordFake


class Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
async def bus() -> AsyncIterator[tuple[Database, Bus]]:
    db = await Database.open(":memory:")
    log = SQLiteEventLog(db)
    await log.setup()
    bus = Bus(log, FakeClock())
    await bus.start()
    yield db, bus
    await bus.aclose()
    await db.close()


async def test_an_event_that_could_not_be_stored_is_kept_and_stored_later_in_order(
    fake: DiscordFake, bus: tuple[Database, Bus], clock: FakeClock
) -> None:
    db, real_bus = bus
    warned = Warnings()
    logging.getLogger("adapters.discord").addHandler(warned)
    adapter = DiscordAdapter(
        DiscordConfig(guild_ready_timeout=0.05, connect_timeout=5.0),
        {"DISCORD_BOT_TOKEN": fake.token},
        COMMANDS,
        clock,
    )

    async def sink(event: object) -> None:
        await real_bus.publish(event)  # type: ignore[arg-type]

    await adapter.start(sink)
    try:
        await db.execute("ALTER TABLE events RENAME TO events_away")
        await fake.post_message("first, while the database is broken")
        await fake.post_message("second, waiting behind it")
        async with asyncio.timeout(5):
            while not any("could not store a Discord" in m for m in warned.messages):
                await asyncio.sleep(0.02)
        assert adapter.unstored is not None
        await db.execute("ALTER TABLE events_away RENAME TO events")
        async with asyncio.timeout(10):
            while adapter.unstored is not None or len(await real_bus._log.events()) < 2:
                await asyncio.sleep(0.05)
    finally:
        await adapter.aclose()
        logging.getLogger("adapters.discord").removeHandler(warned)
    texts = [r.text for r in await real_bus._log.events()]
    assert texts == ["first, while the database is broken", "second, waiting behind it"]
    reason = next(m for m in warned.messages if "could not store a Discord" in m)
    assert "MessagePosted" in reason and "no such table" in reason
    assert "kept, trying again" in reason
