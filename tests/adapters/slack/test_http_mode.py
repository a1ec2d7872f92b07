"""The HTTP Events API, served by Bolt's aiohttp app inside our loop, signed by the fake."""

from __future__ import annotations

import asyncio
import json
import time

from adapters.slack import SlackAdapter
from bot.events import CommandIssued, MessagePosted
from tests.adapters.slack.conftest import ErrorCatcher, RecordingSink, events_url
from tests.fakes.slack_fake import SlackFake, callback, command_form, message


async def test_bad_signature_gets_401_and_nothing_is_delivered(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    status, _ = await fake.post_event(
        events_url(http_adapter), callback(message("forged")), secret="f" * 32
    )
    await asyncio.sleep(0.1)
    assert status == 401
    assert sink.delivered == []


async def test_url_verification_echoes_the_challenge(
    fake: SlackFake, http_adapter: SlackAdapter
) -> None:
    body = {"token": "x", "type": "url_verification", "challenge": "3eZbrw1aB"}
    status, text = await fake.post_event(events_url(http_adapter), body)
    assert status == 200
    assert json.loads(text) == {"challenge": "3eZbrw1aB"}


async def test_signed_thread_reply_is_delivered(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    reply = message("me too", ts="1700000005.000200", thread_ts="1700000000.000100")
    status, _ = await fake.post_event(events_url(http_adapter), callback(reply))
    event = await sink.next()
    assert status == 200
    assert isinstance(event, MessagePosted)
    assert event.thread == "1700000000.000100"
    assert event.reply_to == "C1:1700000000.000100"
    assert event.message_id == "C1:1700000005.000200"


async def test_retry_header_marks_a_redelivery_stored_once(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    body = callback(message("is this on?"), event_id="Ev77")
    url = events_url(http_adapter)
    first_status, _ = await fake.post_event(url, body)
    retry_status, _ = await fake.post_event(url, body, retry_num=1)
    first, again = await sink.next(), await sink.next()
    assert (first_status, retry_status) == (200, 200)
    assert isinstance(first, MessagePosted)
    assert isinstance(again, MessagePosted)
    assert first.message_id == again.message_id
    # Bolt runs listeners concurrently, so either delivery may reach the sink first.
    assert {first.delivery_id, again.delivery_id} == {"Ev77", "Ev77:retry1"}
    assert len(sink.stored) == 1


async def test_dm_arrives_private(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    dm = message("anonymous: why sleep?", channel="D1", channel_type="im")
    await fake.post_event(events_url(http_adapter), callback(dm))
    event = await sink.next()
    assert event.private is True
    assert event.channel == "D1"


async def test_slash_command_acked_in_under_3s_while_the_bot_is_busy(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    release = asyncio.Event()

    async def busy_sink(event: object) -> None:
        await release.wait()
        await sink(event)  # type: ignore[arg-type]

    http_adapter._sink = busy_sink
    started = time.monotonic()
    status, text = await fake.post_command(
        events_url(http_adapter), command_form("/ask", "is <https://a.b|this> safe?")
    )
    elapsed = time.monotonic() - started
    release.set()
    event = await sink.next()
    assert status == 200
    assert text == ""
    assert elapsed < 3.0
    assert isinstance(event, CommandIssued)
    assert (event.name, event.args) == ("ask", "is this (https://a.b) safe?")


async def test_signed_command_with_wrong_secret_is_refused(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    status, _ = await fake.post_command(
        events_url(http_adapter), command_form("/ask", "x"), secret="0" * 32
    )
    assert status == 401
    assert sink.delivered == []


async def test_an_event_that_could_not_be_stored_is_not_acknowledged(
    fake: SlackFake, http_adapter: SlackAdapter, library_errors: ErrorCatcher
) -> None:
    """Slack retries only what was not answered 200: a failed store must say so."""
    tries = 0

    async def broken_sink(event: object) -> None:
        nonlocal tries
        tries += 1
        raise RuntimeError("the store is unavailable")

    http_adapter._sink = broken_sink
    status, _ = await fake.post_event(events_url(http_adapter), callback(message("boom")))
    assert status == 503
    assert tries == 1
    assert library_errors.records == []  # answered, not swallowed into a library log
