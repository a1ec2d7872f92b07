"""Socket Mode against the fake: hello, envelopes, acks, commands, a dropped socket."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack import SlackAdapter, SlackConfig
from bot.adapter import TokenError
from bot.clock import FakeClock
from bot.events import CommandIssued, MessagePosted, ReactionAdded
from tests.adapters.slack.conftest import RecordingSink, make_adapter
from tests.fakes.slack_fake import SlackFake, callback, command_form, message, reaction


async def test_connects_through_apps_connections_open(
    fake: SlackFake, socket_adapter: SlackAdapter
) -> None:
    opened = fake.calls_to("apps.connections.open")
    assert len(opened) == 1
    assert opened[0].auth == f"Bearer {fake.app_token}"
    assert socket_adapter.team_id == "T0FAKE"


async def test_message_envelope_is_acked_and_delivered(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    body = callback(message("what about <@U2>? see <https://x.org/a|the report>", user="U1"))
    envelope = await fake.push_event(body)
    ack = await fake.wait_ack(envelope)
    event = await sink.next()
    assert ack == {"envelope_id": envelope}
    assert isinstance(event, MessagePosted)
    assert event.message_id == "C1:1700000000.000100"
    assert event.community == "T0FAKE"
    assert event.text == "what about @U2? see the report (https://x.org/a)"
    assert event.mentions == ("U2",)
    assert event.links == ("https://x.org/a",)
    assert event.author_name == "Ann"
    assert event.author_roles == frozenset()


async def test_admin_author_gets_admin_hint_and_lookup_is_cached(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    await fake.push_event(callback(message("one", user="U2", ts="1700000001.000001")))
    await fake.push_event(callback(reaction("+1", user="U2")))
    first, second = await sink.next(), await sink.next()
    assert first.author_roles == frozenset({"admin"})
    assert isinstance(second, ReactionAdded)
    assert second.emoji == "👍"
    assert second.author_name == "Bo"
    assert len(fake.calls_to("users.info")) == 1


async def test_redelivered_envelope_is_stored_once(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    body = callback(message("hello again"), event_id="Ev42")
    await fake.wait_ack(await fake.push_event(body))
    await fake.wait_ack(await fake.push_event(body, retry_attempt=1))
    first, again = await sink.next(), await sink.next()
    assert first.dedup_key == again.dedup_key
    assert {first.delivery_id, again.delivery_id} == {"Ev42", "Ev42:retry1"}
    assert len(sink.delivered) == 2
    assert len(sink.stored) == 1


async def test_slash_command_is_acked_before_the_bot_works(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    finish = asyncio.Event()
    started = asyncio.Event()

    async def slow_sink(event: object) -> None:
        started.set()
        await finish.wait()  # the bot is still busy when the ack must go out
        await sink(event)  # type: ignore[arg-type]

    socket_adapter._sink = slow_sink
    payload = command_form("/Event", 'start "Sleep &amp; health"', trigger_id="tr.1")
    envelope = await fake.send_envelope("slash_commands", payload)
    ack = await fake.wait_ack(envelope, within=3.0)
    await asyncio.wait_for(started.wait(), 3)
    finish.set()
    event = await sink.next()
    assert ack["envelope_id"] == envelope
    assert isinstance(event, CommandIssued)
    assert (event.name, event.args) == ("event", 'start "Sleep & health"')
    assert event.interaction_id == "tr.1"
    assert event.author_name == "Ann"


async def test_dropped_socket_reconnects_and_keeps_delivering(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    fake.drop_socket()
    await fake.wait_connections(2, within=8)
    envelope = await fake.push_event(callback(message("after the drop", ts="1700000009.000001")))
    await fake.wait_ack(envelope)
    event = await sink.next()
    assert isinstance(event, MessagePosted)
    assert event.text == "after the drop"
    assert len(fake.calls_to("apps.connections.open")) == 2


async def test_close_stops_the_socket(fake: SlackFake, sink: RecordingSink) -> None:
    adapter = make_adapter(fake, "socket")
    await adapter.start(sink)
    await fake.wait_connections(1)
    await adapter.aclose()
    await adapter.aclose()  # twice is harmless
    await asyncio.sleep(0.1)
    assert fake._live_sockets() == []


async def test_refresh_request_moves_to_a_new_connection(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    await fake.request_refresh()
    await fake.wait_connections(2)
    envelope = await fake.push_event(callback(message("fresh", ts="1700000010.000001")))
    await fake.wait_ack(envelope)
    assert (await sink.next()).raw["text"] == "fresh"


async def test_own_messages_are_not_delivered(
    fake: SlackFake, socket_adapter: SlackAdapter, sink: RecordingSink
) -> None:
    own = message("I said this", user=fake.bot_user_id, bot_id=fake.bot_id, ts="1700000011.1")
    await fake.wait_ack(await fake.push_event(callback(own)))
    await fake.push_event(callback(message("a person", ts="1700000012.1")))
    event = await sink.next()
    assert isinstance(event, MessagePosted)
    assert event.text == "a person"
    assert len(sink.delivered) == 1


async def test_bad_app_token_fails_start_at_once(fake: SlackFake, sink: RecordingSink) -> None:
    environ = {**fake.environ, "SLACK_APP_TOKEN": "xapp-revoked"}
    adapter = SlackAdapter(SlackConfig(base_url=fake.base_url), environ, [], FakeClock())
    with pytest.raises(TokenError, match=r"SLACK_APP_TOKEN \(invalid_auth\)"):
        await adapter.start(sink)
    await adapter.aclose()
    assert fake.connections == 0
