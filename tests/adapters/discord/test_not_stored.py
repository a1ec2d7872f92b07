"""A Discord event whose storing failed is kept and tried again, in order, never dropped.

Storing fails for real: the bus's log table is moved away, so the real bus
raises, as on a broken or full database.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter, DiscordConfig
from bot.app import Roundtable
from bot.bus import Bus
from bot.clock import FakeClock
from bot.store import Database, SQLiteEventLog
from facilitation.core.module import CoreModule
from tests.adapters.discord.conftest import COMMANDS
from tests.factories import config
from tests.fakes.discord_fake import CHANNEL_ID, DiscordFake


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


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


async def test_events_not_stored_when_the_bot_stops_are_kept_and_stored_at_the_next_start(
    fake: DiscordFake, tmp_path: Path
) -> None:
    """Discord never sends an event again: what the bot could not store by shutdown is kept.

    The real bot and the real discord.py adapter against the fake; storing fails
    for real (the log's table moved away) while two messages arrive, the bot
    stops, the table is put back, and the next start stores both, in order.
    """
    db = tmp_path / "rt.db"
    cfg = config(
        {
            "store": {"path": str(db)},
            "bot": {"out_dir": str(tmp_path / "out"), "log_unmapped_channels": True},
            "models": {"enabled": False},
            "discord": {
                "channels": {CHANNEL_ID: "general"},
                "guild_ready_timeout": 0.05,
                "connect_timeout": 5.0,
                "sync_commands": False,
            },
        }
    )
    errors = Errors()
    logging.getLogger().addHandler(errors)
    inbox = Path(f"{db}-inbox")
    try:
        first = Roundtable(cfg, modules=lambda s: [CoreModule(s)])
        await first.setup()
        try:
            [adapter] = first.platform_adapters({"DISCORD_BOT_TOKEN": fake.token})
            await first.attach(adapter)
            await first.db.execute("ALTER TABLE events RENAME TO events_away")
            await fake.post_message("first, while the database is broken")
            await fake.post_message("second, waiting behind it")
            async with asyncio.timeout(5):
                while getattr(adapter, "unstored", None) is None:
                    await asyncio.sleep(0.02)
        finally:
            await first.aclose()
        assert inbox.is_file() and stat.S_IMODE(inbox.stat().st_mode) == 0o600
        assert len(inbox.read_text(encoding="utf-8").splitlines()) == 2
        with sqlite3.connect(db) as conn:
            conn.execute("ALTER TABLE events_away RENAME TO events")
            assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0

        second = Roundtable(cfg, modules=lambda s: [CoreModule(s)])
        await second.setup()
        try:
            [adapter] = second.platform_adapters({"DISCORD_BOT_TOKEN": fake.token})
            await second.attach(adapter)
            await second.drain()
            texts = [e.text for e in await second.log.events() if e.kind == "MessagePosted"]
            # both stored, in their order, once each; nothing left waiting
            assert texts == ["first, while the database is broken", "second, waiting behind it"]
        finally:
            await second.aclose()
        assert not inbox.exists()
        with sqlite3.connect(db) as conn:  # both handled (their marks written at the stop)
            assert conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 0
    finally:
        logging.getLogger().removeHandler(errors)
    # the store's own failures are errors; losing an event would be one more
    assert errors.messages and [m for m in errors.messages if "could not store" not in m] == []
