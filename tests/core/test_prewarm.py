"""A stored batch's messages are embedded in one model call, before the modules ask."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest

from bot.bus import Bus
from bot.clock import FakeClock
from bot.embeddings import MiniLMEmbedder, meaning
from bot.events import Event, MessagePosted
from bot.module import EmbedderProvider
from bot.store import Database, SQLiteEventLog
from tests.factories import message


@pytest.fixture
async def bus() -> AsyncIterator[Bus]:
    db = await Database.open(":memory:")
    log = SQLiteEventLog(db)
    await log.setup()
    b = Bus(log, FakeClock(), batch_size=100)
    await b.start()
    yield b
    await b.aclose()
    await db.close()


async def test_a_stored_batch_is_embedded_in_one_model_call(
    bus: Bus, embedder_provider: EmbedderProvider
) -> None:
    loaded = await embedder_provider.get()
    assert loaded is not None and isinstance(loaded.embedder, MiniLMEmbedder)
    model = loaded.embedder
    provider = EmbedderProvider.of(model)
    bus.on_stored(provider.prewarm)
    emb = await provider.get()
    assert emb is not None
    got: dict[str, np.ndarray] = {}

    async def module(event: MessagePosted) -> None:  # as the questions and snapshots ask
        if not event.from_bot:
            got[event.text] = (await emb.messages([event.text]))[0]

    bus.subscribe(MessagePosted, module, where=lambda e: "prewarm test" in e.text)
    texts = [
        f"hi, prewarm test {i}: how do cooling centres reach people over {i}?" for i in range(20)
    ]
    events: list[Event] = [message(t, message_id=f"w{i}") for i, t in enumerate(texts)]
    events.append(
        dataclasses.replace(message("the bot's own prewarm post", message_id="own"), from_bot=True)
    )
    calls, encoded = model.calls, model.encoded
    await bus.publish_many(events)
    await bus.drain()
    assert model.calls - calls == 1  # the whole batch, one call; every module's ask a cache hit
    assert model.encoded - encoded == len(texts)  # the bot's own post is not embedded
    assert set(got) == set(texts)
    single = model._encode([meaning(texts[3])])[0]  # the same vector as embedding it alone
    assert float(got[texts[3]] @ single) > 0.9999
    # one message alone is left to the modules: none may need it
    calls = model.calls
    await bus.publish_many([message("hi, a lone message nobody asks about")])
    await bus.drain()
    assert model.calls == calls
    provider.close()


async def test_a_failing_stored_hook_loses_nothing(bus: Bus) -> None:
    seen: list[str] = []

    def broken(_events: Any) -> None:
        raise RuntimeError("boom")

    async def handler(event: MessagePosted) -> None:
        seen.append(event.message_id)

    bus.on_stored(broken)
    bus.subscribe(MessagePosted, handler)
    await bus.publish_many([message("one", message_id="a"), message("two", message_id="b")])
    await bus.drain()
    assert seen == ["a", "b"]


async def test_no_model_is_loaded_by_the_hook(bus: Bus) -> None:
    provider = EmbedderProvider("bundled")
    bus.on_stored(provider.prewarm)
    await bus.publish_many([message(f"a question nobody embeds {i}") for i in range(3)])
    await bus.drain()
    assert provider.loaded is None
