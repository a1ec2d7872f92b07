"""An update whose event could not be stored is not confirmed to Telegram, and comes again.

Storing is made to fail for real: the bus's log table is moved away, so the
real bus raises, as it would on a full disk or a broken database.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import pytest

from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import Event, MessagePosted
from bot.store import Database, SQLiteEventLog
from tests.adapters.telegram.conftest import COMMANDS, ENVIRON, Recorder
from tests.fakes.telegram_fake import TelegramFake, user

GROUP = -1001
ALICE = user(7, "Alice")


@pytest.fixture
async def store() -> AsyncIterator[tuple[Database, Bus]]:
    db = await Database.open(":memory:")
    log = SQLiteEventLog(db)
    await log.setup()
    bus = Bus(log, FakeClock())
    await bus.start()
    yield db, bus
    await bus.aclose()
    await db.close()


async def _break(db: Database) -> None:
    await db.execute("ALTER TABLE events RENAME TO events_away")


async def _mend(db: Database) -> None:
    await db.execute("ALTER TABLE events_away RENAME TO events")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_polling_keeps_an_unstored_update_unconfirmed_until_it_is_stored(
    tg: TelegramFake, store: tuple[Database, Bus], library_log: Recorder
) -> None:
    db, bus = store
    tries: list[bool] = []

    async def sink(event: Event) -> None:
        try:
            await bus.publish(event)
        except Exception:
            tries.append(False)
            raise
        tries.append(True)

    tg.add_group(GROUP)
    await _break(db)
    config = TelegramConfig(base_url=tg.base_url, poll_timeout=1)
    adapter = TelegramAdapter(config, ENVIRON, COMMANDS, FakeClock())
    await adapter.start(sink)
    try:
        tg.post(GROUP, ALICE, "please keep me")
        async with asyncio.timeout(5):
            while len(tries) < 2:
                await asyncio.sleep(0.02)
        # failed twice: still waiting for confirmation at Telegram
        assert [u["message"]["text"] for u in tg.pending] == ["please keep me"]
        await _mend(db)
        async with asyncio.timeout(10):
            while not any(tries):
                await asyncio.sleep(0.02)
        await bus.drain()
    finally:
        await adapter.aclose()
    assert tries[-1] is True and tries.count(True) == 1
    assert tg.pending == []  # confirmed once stored
    assert [r.text for r in await bus._log.events()] == ["please keep me"]
    warnings = library_log.at(logging.WARNING)
    assert any("could not be stored" in m and "no such table" in m for m in warnings)


async def test_an_update_never_stored_comes_again_after_a_restart(
    tg: TelegramFake, store: tuple[Database, Bus]
) -> None:
    db, bus = store
    stored: list[Event] = []

    async def sink(event: Event) -> None:
        await bus.publish(event)
        stored.append(event)

    tg.add_group(GROUP)
    await _break(db)
    config = TelegramConfig(base_url=tg.base_url, poll_timeout=1)
    first = TelegramAdapter(config, ENVIRON, COMMANDS, FakeClock())
    await first.start(sink)
    tg.post(GROUP, ALICE, "lost if confirmed")
    await tg.wait_for("getChatAdministrators")  # the update is in hand
    await asyncio.sleep(0.3)
    await first.aclose()  # stopped while storing fails
    assert stored == [] and len(tg.pending) == 1

    await _mend(db)
    again = TelegramAdapter(config, ENVIRON, COMMANDS, FakeClock())
    await again.start(sink)
    try:
        async with asyncio.timeout(5):
            while not stored:
                await asyncio.sleep(0.02)
    finally:
        await again.aclose()
    assert [e.text for e in stored if isinstance(e, MessagePosted)] == ["lost if confirmed"]
    assert tg.pending == []


async def test_the_webhook_answers_503_until_the_update_is_stored(
    tg: TelegramFake, store: tuple[Database, Bus], library_log: Recorder
) -> None:
    db, bus = store
    port = _free_port()
    tg.add_group(GROUP)
    await _break(db)
    config = TelegramConfig(
        base_url=tg.base_url,
        mode="webhook",
        webhook_url="https://bot.example.org/telegram",
        webhook_port=port,
    )
    adapter = TelegramAdapter(config, ENVIRON, COMMANDS, FakeClock())
    await adapter.start(bus.publish)
    local = f"http://127.0.0.1:{port}/telegram"
    try:
        tg.post(GROUP, ALICE, "via webhook, stored late")
        assert await tg.deliver_webhook(local) == [503]  # Telegram will deliver it again
        assert len(tg.pending) == 1
        await _mend(db)
        assert await tg.deliver_webhook(local) == [200]
        await bus.drain()
    finally:
        await adapter.aclose()
    assert tg.pending == []
    assert [r.text for r in await bus._log.events()] == ["via webhook, stored late"]
    assert any("answered 503" in m for m in library_log.at(logging.WARNING))
