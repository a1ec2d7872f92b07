"""Property-based fuzzing of the edges: the command parser and the platform translators.

Whatever arrives, each edge gives an event, ignores the input (``None``), or
raises its one declared refusal (:class:`UsageError`, :class:`TranscriptError`,
:class:`Malformed`); never any other exception. Examples are capped so the
whole file runs in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Message, MessageReactionUpdated

from adapters.discord import translate as discord_translate
from adapters.replay import TranscriptError, parse_transcript
from adapters.slack.guard import check_body
from adapters.slack.translate import Malformed, command_event, event_from_callback
from adapters.telegram.translate import message_event, reaction_events
from bot.app import Roundtable
from bot.commands import UsageError, as_command, parse_args
from bot.events import Event, MessagePosted
from bot.store.codec import UnstorableEvent, encode_extra
from tests.factories import config
from tests.fakes.discord_fake import CHANNEL_ID, GUILD_ID, MEMBER, guild_create, message_payload
from tests.fakes.telegram_fake import BOT_USERNAME, group, user

# In CI the examples are the same on every run (a red CI is a change, not luck);
# locally they vary, so each run explores further. No example database is written.
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
    database=None,
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# text that tends to break parsers: quotes of every kind, prefixes, markup, odd unicode
TRICKY = st.text(
    alphabet=st.sampled_from(
        [*"ab1 #@/!\"'“”‘’<>|&*_-:\n\t", "\u200b", "\ufeff", "\uff1d", "é", "👍", "\x00"]
    ),
    max_size=40,
)
ANY_TEXT = st.one_of(TRICKY, st.text(max_size=60))
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


# -- the command parser -------------------------------------------------------------


@pytest.fixture(scope="module")
def router() -> Any:

    async def grammar() -> Any:
        async with Roundtable(config({"models": {"enabled": False}}), db_path=":memory:") as bot:
            return bot.commands

    return asyncio.run(grammar())


@FUZZ
@given(
    name=st.sampled_from(["ask", "event", "upvote", "now", "role", "optout", "export", "idea"])
    | TRICKY,
    raw=ANY_TEXT,
    mentions=st.lists(TRICKY, max_size=2),
)
def test_every_command_parses_or_refuses_with_usage(
    router: Any, name: str, raw: str, mentions: list[str]
) -> None:
    spec, rest = router.find(name, raw)
    if spec is None:
        return  # an unknown command: the router answers with the list
    problem = None
    try:
        values = parse_args(spec, rest, mentions)
    except UsageError as exc:
        problem = str(exc)
    if problem is None:
        assert set(values) <= {a.name for a in spec.args}
    else:
        assert problem  # a reason to show the person


@FUZZ
@given(text=ANY_TEXT)
def test_any_message_text_is_a_message_or_a_command(text: str) -> None:
    event = MessagePosted(
        platform="replay",
        community="c",
        channel="main",
        ts=NOW,
        author="u",
        message_id="m",
        text=text,
    )
    result = as_command(["/", "!"], lambda name: name == "ask")(event)
    assert isinstance(result, Event)


# -- transcripts ------------------------------------------------------------------------


@FUZZ
@given(
    obj=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "id",
                "ts",
                "author",
                "name",
                "text",
                "private",
                "message_id",
                "reply_to",
                "roles",
                "emoji",
                "channel",
                "thread",
            ]
        ),
        JSON | st.sampled_from(["2026-01-01T10:00:00Z", "9999-12-31T00:00:00", "message", "edit"]),
    )
)
def test_any_transcript_line_is_an_event_or_a_named_refusal(obj: dict[str, Any]) -> None:
    problem, events = "", []
    try:
        events = list(parse_transcript([json.dumps(obj)], fmt="jsonl"))
    except TranscriptError as exc:
        problem = str(exc)
    assert problem.startswith("line 1:") if problem else len(events) == 1


# -- Slack ------------------------------------------------------------------------------

SLACK_EVENT = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["message", "reaction_added", "reaction_removed", "member_joined_channel"]
        )
        | JSON
    },
    optional={
        "subtype": st.sampled_from(["message_changed", "message_deleted", "bot_message"]) | JSON,
        "channel": JSON,
        "user": JSON,
        "text": JSON,
        "ts": JSON | st.just("1700000000.000100"),
        "event_ts": JSON,
        "thread_ts": JSON,
        "item": JSON,
        "message": JSON,
        "previous_message": JSON,
        "edited": JSON,
        "reaction": JSON,
        "channel_type": JSON,
        "bot_id": JSON,
        "deleted_ts": JSON,
    },
)


@FUZZ
@given(event=SLACK_EVENT | JSON, team=JSON)
def test_any_slack_callback_is_an_event_or_ignored(event: Any, team: Any) -> None:
    result = event_from_callback({"type": "event_callback", "team_id": team, "event": event})
    assert result is None or isinstance(result, Event)


@FUZZ
@given(
    payload=st.dictionaries(
        st.sampled_from(
            [
                "command",
                "text",
                "user_id",
                "user_name",
                "channel_id",
                "team_id",
                "trigger_id",
                "channel_name",
            ]
        ),
        JSON,
    )
)
def test_any_slash_command_is_an_event_or_malformed(payload: dict[str, Any]) -> None:
    with contextlib.suppress(Malformed):
        assert isinstance(command_event(payload, now=NOW), Event)


@FUZZ
@given(
    body=ANY_TEXT | JSON.map(json.dumps),
    kind=st.sampled_from(["application/json", "application/x-www-form-urlencoded"]),
)
def test_the_slack_request_guard_never_raises(body: str, kind: str) -> None:
    assert check_body(body, kind) is None or isinstance(check_body(body, kind), str)


# -- Telegram ---------------------------------------------------------------------------

ENTITY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["mention", "text_mention", "text_link", "url", "bot_command"]),
        "offset": st.integers(-2, 50),
        "length": st.integers(0, 50),
    },
    optional={"url": ANY_TEXT, "user": st.just(user(9, "Cy", "cy"))},
)
TG_MESSAGE = st.fixed_dictionaries(
    {
        "message_id": st.integers(1, 2**31),
        "date": st.integers(0, 2**33),
        "chat": st.sampled_from(
            [
                group(-1001, "Panel"),
                group(-1002, "Forum", forum=True),
                {"id": 7, "type": "private", "first_name": "Al"},
            ]
        ),
    },
    optional={
        "from": st.sampled_from([user(7, "Alice", "alice"), user(8, "B\u0000b")]),
        "text": ANY_TEXT,
        "caption": ANY_TEXT,
        "entities": st.lists(ENTITY, max_size=3),
        "message_thread_id": st.integers(1, 99),
        "is_topic_message": st.booleans(),
        "sender_chat": st.just(group(-1001, "Panel")),
        "edit_date": st.integers(0, 2**33),
    },
)


@FUZZ
@given(data=TG_MESSAGE, edited=st.booleans())
def test_any_telegram_message_is_an_event_or_ignored(data: dict[str, Any], edited: bool) -> None:
    try:
        msg = Message.de_json(data, None)
    except (ValueError, TypeError, KeyError, OverflowError):
        return  # the library refused it before us
    result = message_event(msg, edited=edited, bot_username=BOT_USERNAME)
    assert result is None or isinstance(result, Event)


@FUZZ
@given(
    old=st.lists(st.sampled_from(["👍", "🔥", "❤"]), max_size=3),
    new=st.lists(st.sampled_from(["👍", "🔥", "❤"]), max_size=3),
    date=st.integers(0, 2**33),
)
def test_any_telegram_reaction_update_is_events(old: list[str], new: list[str], date: int) -> None:
    data = {
        "chat": group(-1001, "Panel"),
        "message_id": 3,
        "date": date,
        "user": user(7, "Alice", "alice"),
        "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
        "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
    }
    update = MessageReactionUpdated.de_json(data, None)
    assert all(isinstance(e, Event) for e in reaction_events(update))


# -- Discord ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guild() -> discord.Guild:
    client = discord.Client(intents=discord.Intents.default())
    return discord.Guild(data=guild_create([]), state=client._connection)  # type: ignore[arg-type]


@FUZZ
@given(
    content=ANY_TEXT,
    mid=st.integers(1, 2**63 - 1),
    kind=st.sampled_from([0, 7, 19, 20, 46]),
    mentions=st.lists(st.just(MEMBER), max_size=2),
    reply=st.none() | st.integers(1, 2**63 - 1),
)
def test_any_discord_message_is_an_event_or_ignored(
    guild: discord.Guild, content: str, mid: int, kind: int, mentions: list[Any], reply: int | None
) -> None:
    data = message_payload(
        str(mid), CHANNEL_ID, content, author=MEMBER, guild_id=GUILD_ID, mentions=mentions
    )
    data["type"] = kind
    if reply is not None:
        data["message_reference"] = {"message_id": str(reply), "channel_id": CHANNEL_ID}
    channel = guild.get_channel_or_thread(int(CHANNEL_ID))
    msg = discord.Message(state=guild._state, channel=channel, data=data)  # type: ignore[arg-type]
    result = discord_translate.message_posted(msg, bot_user_id=1)
    assert result is None or isinstance(result, Event)


def _storable_or_refused(event: Event) -> None:
    """The store takes it, or refuses it with its one reason (quarantine), nothing else."""
    with contextlib.suppress(UnstorableEvent):
        encode_extra(event)


EMOJI = st.one_of(
    st.builds(lambda name: discord.PartialEmoji(name=name), ANY_TEXT),
    st.builds(
        lambda name, eid, animated: discord.PartialEmoji(name=name, id=eid, animated=animated),
        st.none() | ANY_TEXT,
        st.integers(1, 2**63 - 1),
        st.booleans(),
    ),
)


@FUZZ
@given(
    emoji=EMOJI,
    user=st.integers(1, 2**63 - 1),
    mid=st.integers(1, 2**63 - 1),
    in_guild=st.booleans(),
    kind=st.sampled_from(["REACTION_ADD", "REACTION_REMOVE"]),
    burst=st.booleans(),
)
def test_any_discord_reaction_is_an_event(
    guild: discord.Guild,
    emoji: discord.PartialEmoji,
    user: int,
    mid: int,
    in_guild: bool,
    kind: str,
    burst: bool,
) -> None:
    data: dict[str, Any] = {
        "user_id": str(user),
        "channel_id": CHANNEL_ID,
        "message_id": str(mid),
        "burst": burst,
        "type": 1 if burst else 0,
    }
    if in_guild:
        data["guild_id"] = GUILD_ID
    payload = discord.RawReactionActionEvent(data, emoji, kind)  # type: ignore[arg-type]
    channel = guild.get_channel_or_thread(int(CHANNEL_ID)) if in_guild else None
    event = discord_translate.reaction_event(payload, channel=channel, now=NOW)
    assert event.message_id == str(mid) and event.author == str(user)
    _storable_or_refused(event)


@FUZZ
@given(mid=st.integers(1, 2**63 - 1), in_guild=st.booleans(), known_channel=st.booleans())
def test_any_discord_delete_is_an_event(
    guild: discord.Guild, mid: int, in_guild: bool, known_channel: bool
) -> None:
    data: dict[str, Any] = {"id": str(mid), "channel_id": CHANNEL_ID}
    if in_guild:
        data["guild_id"] = GUILD_ID
    payload = discord.RawMessageDeleteEvent(data)  # type: ignore[arg-type]
    channel = guild.get_channel_or_thread(int(CHANNEL_ID)) if known_channel else None
    event = discord_translate.message_deleted(payload, channel=channel, now=NOW)
    assert event.message_id == str(mid)
    _storable_or_refused(event)


@FUZZ
@given(
    content=ANY_TEXT, mid=st.integers(1, 2**63 - 1), mentions=st.lists(st.just(MEMBER), max_size=2)
)
def test_any_discord_edit_is_an_event_or_ignored(
    guild: discord.Guild, content: str, mid: int, mentions: list[Any]
) -> None:
    data = message_payload(
        str(mid), CHANNEL_ID, content, author=MEMBER, guild_id=GUILD_ID, mentions=mentions
    )
    data["edited_timestamp"] = "2026-01-01T10:00:00+00:00"
    channel = guild.get_channel_or_thread(int(CHANNEL_ID))
    msg = discord.Message(state=guild._state, channel=channel, data=data)  # type: ignore[arg-type]
    update: dict[str, Any] = {**data, "guild_id": GUILD_ID}
    payload = discord.RawMessageUpdateEvent(update, msg)  # type: ignore[arg-type]
    event = discord_translate.message_edited(payload, bot_user_id=1, now=NOW)
    assert event is None or event.message_id == str(mid)
    if event is not None:
        _storable_or_refused(event)
