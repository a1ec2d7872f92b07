"""Webhook mode: our aiohttp server (200 once stored), fed by the fake as Telegram feeds it."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.events import MessagePosted
from tests.adapters.telegram.conftest import SECRET, EventSink, StartAdapter
from tests.fakes.telegram_fake import TelegramFake, user

ALICE = user(7, "Alice", "alice")
GROUP = -1001
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def port() -> int:
    return _free_port()


async def test_webhook_registers_and_checks_the_secret(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter, port: int
) -> None:
    tg.add_group(GROUP)
    adapter = await start_adapter(
        mode="webhook", webhook_url="https://bot.example.org/telegram", webhook_port=port
    )
    assert tg.webhook is not None
    assert tg.webhook["url"] == "https://bot.example.org/telegram"
    assert tg.webhook["secret_token"] == SECRET
    assert "message_reaction" in tg.webhook["allowed_updates"]
    local = f"http://127.0.0.1:{port}/telegram"
    tg.post(GROUP, ALICE, "via webhook")
    update = tg.pending[0]
    async with aiohttp.ClientSession() as http:
        async with http.post(local, json=update) as resp:
            assert resp.status == 403
        async with http.post(local, json=update, headers={SECRET_HEADER: "wrong"}) as resp:
            assert resp.status == 403
    assert await tg.deliver_webhook(local) == [200]
    (event,) = await sink.wait(1)
    assert isinstance(event, MessagePosted)
    assert event.text == "via webhook"
    assert tg.calls_to("getUpdates") == [], "webhook mode never polls"
    await adapter.aclose()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http:
            await http.post(local, json=update, headers={SECRET_HEADER: SECRET})


async def test_webhook_redelivery_gives_the_same_message_id(
    tg: TelegramFake, sink: EventSink, start_adapter: StartAdapter, port: int
) -> None:
    tg.add_group(GROUP)
    await start_adapter(
        mode="webhook",
        webhook_url="https://bot.example.org/tg",
        webhook_path="tg",
        webhook_port=port,
    )
    tg.post(GROUP, ALICE, "twice")
    update = tg.pending[0]
    local = f"http://127.0.0.1:{port}/tg"
    assert await tg.deliver_webhook(local) == [200]
    tg.redeliver(update)  # Telegram retries a delivery whose answer it missed
    assert await tg.deliver_webhook(local) == [200]
    first, again = await sink.wait(2)
    assert isinstance(first, MessagePosted)
    assert isinstance(again, MessagePosted)
    assert first.dedup_key == again.dedup_key == f"msg:{GROUP}:1"
