"""Malformed Slack input gets a clear 4xx or is ignored; never a 500, a traceback or a crash."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from adapters.slack import SlackAdapter
from adapters.slack.translate import event_from_callback
from tests.adapters.slack.conftest import RecordingSink, events_url
from tests.fakes.slack_fake import SlackFake, _post, callback, message

JSON = {"Content-Type": "application/json"}


async def test_a_non_numeric_timestamp_header_gets_400(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    data = json.dumps(callback(message("hi")))
    headers = {**JSON, **fake._sign(data, ""), "X-Slack-Request-Timestamp": "soon"}
    status, _ = await _post(events_url(http_adapter), data, headers)
    await asyncio.sleep(0.05)
    assert 400 <= status < 500 and sink.delivered == []


@pytest.mark.parametrize("data", ["{not json", "[" * 50_000 + "]" * 50_000, '"a string"', "[1, 2]"])
async def test_signed_malformed_json_gets_400(
    data: str, fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    status, _ = await _post(events_url(http_adapter), data, {**JSON, **fake._sign(data, "")})
    await asyncio.sleep(0.05)
    assert status == 400 and sink.delivered == []


async def test_unsigned_malformed_json_still_gets_401(
    fake: SlackFake, http_adapter: SlackAdapter
) -> None:
    data = "{not json"
    status, _ = await _post(events_url(http_adapter), data, {**JSON, **fake._sign(data, "f" * 32)})
    assert status == 401


WRONG_TYPES: list[dict[str, Any]] = [
    {"type": "reaction_added", "user": "U1", "reaction": "+1", "item": "C1", "event_ts": "1.0"},
    {"type": "message", "subtype": "message_changed", "channel": "C1", "message": "x"},
    {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": {"ts": "1.0", "text": "x", "edited": "yes"},
    },
    {"type": "message", "subtype": "message_deleted", "channel": "C1", "previous_message": 3},
    {"type": "message", "channel": ["C1"], "user": {"id": "U1"}, "text": 5, "ts": "1.0"},
    {"type": "message", "channel": "C1", "user": "U1", "text": "hi", "ts": "soon", "event_ts": "1"},
    {"type": "message", "channel": "C1", "user": "U1", "text": "hi", "ts": "99999999999.0"},
    {"type": "message", "channel": "C1", "user": "U1", "text": "hi", "thread_ts": {"a": 1}},
    {"type": "message", "channel": "C1", "subtype": [], "ts": "1.0"},  # found by fuzzing
]


@pytest.mark.parametrize("event", WRONG_TYPES)
def test_fields_of_the_wrong_type_are_ignored_not_raised(event: dict[str, Any]) -> None:
    assert event_from_callback(callback(event)) is None


def test_an_event_that_is_not_an_object_is_ignored() -> None:
    assert event_from_callback({"type": "event_callback", "event": "message"}) is None
    assert event_from_callback({"type": "event_callback", "event": ["x"]}) is None


async def test_wrong_types_over_http_are_acknowledged_and_dropped(
    fake: SlackFake, http_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    statuses = set()
    for event in WRONG_TYPES:
        status, _ = await fake.post_event(events_url(http_adapter), callback(event))
        statuses.add(status)
    # 400 where Bolt itself could not read the body; otherwise acknowledged and dropped
    assert statuses == {200, 400}
    status, _ = await fake.post_event(events_url(http_adapter), callback(message("still fine")))
    assert status == 200
    assert (await sink.next()).text == "still fine"  # type: ignore[attr-defined]
    assert len(sink.delivered) == 1
