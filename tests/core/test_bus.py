from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import Event, MessagePosted, ReactionAdded
from bot.store import Database, SQLiteEventLog
from tests.factories import message, reaction


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = await Database.open(":memory:")
    yield database
    await database.close()


@pytest.fixture
async def bus(db: Database) -> AsyncIterator[Bus]:
    log = SQLiteEventLog(db)
    await log.setup()
    b = Bus(log, FakeClock(), batch_size=7)
    await b.start()
    yield b
    await b.aclose()


async def test_events_of_one_channel_are_delivered_in_order(bus: Bus) -> None:
    seen: dict[str, list[str]] = {"a": [], "b": []}
    rng = random.Random(4)

    async def handler(event: MessagePosted) -> None:
        for _ in range(rng.randint(0, 3)):
            await asyncio.sleep(0)
        seen[event.channel].append(event.message_id)

    bus.subscribe(MessagePosted, handler)
    sent = [message("hi", channel=rng.choice("ab"), message_id=f"x{i}") for i in range(60)]
    await bus.publish_many(list(sent))
    await bus.drain()
    for channel in "ab":
        assert seen[channel] == [e.message_id for e in sent if e.channel == channel]
    assert len(seen["a"]) + len(seen["b"]) == 60


async def test_a_slow_channel_does_not_hold_up_another(bus: Bus) -> None:
    release = asyncio.Event()
    delivered: list[str] = []

    async def handler(event: MessagePosted) -> None:
        if event.channel == "slow":
            await release.wait()
        delivered.append(event.channel)

    bus.subscribe(MessagePosted, handler)
    await bus.publish(message("one", channel="slow"))
    await bus.publish(message("two", channel="fast"))
    for _ in range(50):
        if "fast" in delivered:
            break
        await asyncio.sleep(0.01)
    assert delivered == ["fast"]
    release.set()
    await bus.drain()
    assert delivered == ["fast", "slow"]


async def test_one_failing_handler_never_stops_the_others(bus: Bus, db: Database) -> None:
    good: list[str] = []
    errors: list[str] = []

    async def broken(event: MessagePosted) -> None:
        if event.text == "boom":
            raise RuntimeError("module bug")

    async def healthy(event: MessagePosted) -> None:
        good.append(event.text)

    async def hook(subscriber: str, event: Event, exc: BaseException) -> None:
        errors.append(f"{subscriber}:{exc}")

    bus.subscribe(MessagePosted, broken, name="broken")
    bus.subscribe(MessagePosted, healthy, name="healthy")
    bus.on_error(hook)
    for text in ["before", "boom", "after"]:
        await bus.publish(message(text))
    await bus.drain()
    assert good == ["before", "boom", "after"]
    assert errors == ["broken:module bug"]
    assert bus.errors == 1
    rows = await db.fetchall("SELECT subscriber, error FROM errors")
    assert [(r["subscriber"], r["error"]) for r in rows] == [("broken", "RuntimeError: module bug")]


async def test_a_redelivered_event_is_stored_and_handled_once(bus: Bus, db: Database) -> None:
    handled: list[str] = []

    async def handler(event: Event) -> None:
        handled.append(event.dedup_key)

    bus.subscribe(Event, handler)
    first = message("hello", message_id="dup-1")
    vote = reaction("dup-1", author="u9")
    assert await bus.publish(first) is True
    assert await bus.publish(vote) is True
    assert await bus.publish(first) is False  # the platform delivered it again
    assert await bus.publish(vote) is False
    await bus.publish_many([first, message("new", message_id="dup-2"), first])
    await bus.drain()
    rows = await db.fetchall("SELECT message_id, kind FROM events ORDER BY seq")
    assert [(r["message_id"], r["kind"]) for r in rows] == [
        ("dup-1", "MessagePosted"),
        ("dup-1", "ReactionAdded"),
        ("dup-2", "MessagePosted"),
    ]
    assert handled == ["msg:dup-1", vote.dedup_key, "msg:dup-2"]
    assert bus.duplicates == 4


async def test_every_event_is_stored_before_any_handler_sees_it(bus: Bus, db: Database) -> None:
    found: list[bool] = []

    async def handler(event: MessagePosted) -> None:
        row = await db.fetchone("SELECT 1 FROM events WHERE message_id = ?", (event.message_id,))
        found.append(row is not None)

    bus.subscribe(MessagePosted, handler)
    await bus.publish_many([message(f"n{i}") for i in range(20)])
    await bus.drain()
    assert found == [True] * 20


async def test_subscriptions_filter_by_type_and_condition(bus: Bus) -> None:
    got: list[str] = []

    async def on_reaction(event: ReactionAdded) -> None:
        got.append(event.emoji)

    bus.subscribe(ReactionAdded, on_reaction, where=lambda e: e.emoji == "👍")
    await bus.publish(message("text"))
    await bus.publish(reaction("m1", emoji="🎉"))
    await bus.publish(reaction("m1", emoji="👍", author="u3"))
    await bus.drain()
    assert got == ["👍"]


async def test_a_transform_can_drop_an_event_before_it_is_stored(bus: Bus, db: Database) -> None:
    bus.add_transform(lambda e: None if getattr(e, "text", "") == "secret" else e)
    assert await bus.publish(message("secret")) is False
    assert await bus.publish(message("public")) is True
    await bus.drain()
    rows = await db.fetchall("SELECT text FROM events")
    assert [r["text"] for r in rows] == ["public"]


async def test_middleware_wraps_every_handler_call(bus: Bus) -> None:
    calls: list[str] = []

    async def mw(handler, event):  # type: ignore[no-untyped-def]
        calls.append("before")
        await handler(event)
        calls.append("after")

    async def handler(event: MessagePosted) -> None:
        calls.append("handler")

    bus.use(mw)
    bus.subscribe(MessagePosted, handler)
    await bus.publish(message("x"))
    await bus.drain()
    assert calls == ["before", "handler", "after"]
