"""The failure contract every platform adapter keeps (bot/adapter.py), on its real library.

Each platform's adapter runs its real client library (discord.py, slack-sdk and Bolt,
python-telegram-bot) against the local fake of that platform (tests/fakes/), and
must fail the same way:

- a missing token: ``TokenError`` from ``start``, naming the variable, before
  anything connects;
- a token the platform refuses: ``TokenError`` from ``start``, naming the variable;
- ``send`` before ``start``: ``NotStarted``;
- the platform down while sending: ``send`` raises; through the bot's outbox the
  action is recorded as failed, nothing is raised into the module, and the next
  send goes out once the platform is back;
- a rate limit: the library waits and retries; the action goes out once.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

import pytest

from adapters.slack import SlackAdapter, SlackConfig
from adapters.telegram import TelegramAdapter, TelegramConfig
from bot.actions import Say, Target
from bot.adapter import NotStarted, PlatformAdapter, TokenError
from bot.clock import FakeClock
from bot.events import Event
from bot.outbox import Outbox
from bot.store import Database, SQLiteEventLog
from tests.fakes.slack_fake import SlackFake
from tests.fakes.telegram_fake import TelegramFake

with warnings.catch_warnings():  # discord.py imports the deprecated stdlib audioop
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    from adapters.discord import DiscordAdapter, DiscordConfig
    from tests.fakes.discord_fake import CHANNEL_ID, GUILD_ID, DiscordFake

COMMANDS = [("ask", "Ask the panel a question"), ("event", "Start, pause or end the event")]
GROUP = -1001


@dataclass
class Rig:
    """One platform's adapter and fake, and how to make that platform misbehave."""

    variable: str
    environ: dict[str, str]
    rejected: dict[str, str]
    make: Callable[[Mapping[str, str]], PlatformAdapter]
    target: Target
    outage: Callable[[], None]
    rate_limit: Callable[[], None]
    rate_limited: Callable[[], int]
    posts: Callable[[], int]


async def _sink(_event: Event) -> None:
    return None


async def _discord() -> AsyncIterator[Rig]:
    async with DiscordFake() as fake:
        config = DiscordConfig(guild_ready_timeout=0.05, connect_timeout=5.0)
        posts = r"channels/\d+/messages"
        yield Rig(
            variable="DISCORD_BOT_TOKEN",
            environ={"DISCORD_BOT_TOKEN": fake.token},
            rejected={"DISCORD_BOT_TOKEN": "bad.token.here"},
            make=lambda env: DiscordAdapter(config, env, COMMANDS, FakeClock()),
            target=Target("discord", GUILD_ID, CHANNEL_ID),
            outage=lambda: fake.down_next("POST", posts),
            rate_limit=lambda: fake.fail_next("POST", posts, retry_after=0.2),
            rate_limited=lambda: len(fake.rate_limited),
            posts=lambda: len(fake.sent),
        )


async def _slack() -> AsyncIterator[Rig]:
    async with SlackFake() as fake:
        config = SlackConfig(mode="http", base_url=fake.base_url, http_port=0)
        yield Rig(
            variable="SLACK_BOT_TOKEN",
            environ=dict(fake.environ),
            rejected={**fake.environ, "SLACK_BOT_TOKEN": "xoxb-revoked"},
            make=lambda env: SlackAdapter(config, env, COMMANDS, FakeClock()),
            target=Target("slack", "T0FAKE", "C1"),
            outage=lambda: fake.inject_outage("chat.postMessage"),
            rate_limit=lambda: fake.inject_429("chat.postMessage", retry_after=0),
            rate_limited=lambda: fake.answered_429("chat.postMessage"),
            posts=lambda: len(fake.posted),
        )


async def _telegram() -> AsyncIterator[Rig]:
    async with TelegramFake() as fake:
        fake.add_group(GROUP)
        config = TelegramConfig(
            base_url=fake.base_url, base_file_url=fake.base_file_url, poll_timeout=1
        )
        yield Rig(
            variable="TELEGRAM_BOT_TOKEN",
            environ={"TELEGRAM_BOT_TOKEN": fake.token},
            rejected={"TELEGRAM_BOT_TOKEN": "987654321:" + "B" * 35},
            make=lambda env: TelegramAdapter(config, env, COMMANDS, FakeClock()),
            target=Target("telegram", str(GROUP), str(GROUP)),
            outage=lambda: fake.fail_next("sendMessage", 503, "Service Unavailable"),
            rate_limit=lambda: fake.inject_429("sendMessage", retry_after=1),
            rate_limited=lambda: fake.failed_calls("sendMessage"),
            posts=lambda: len(fake.sent),
        )


RIGS: dict[str, Callable[[], AsyncIterator[Rig]]] = {
    "discord": _discord,
    "slack": _slack,
    "telegram": _telegram,
}


@pytest.fixture(params=list(RIGS))
async def rig(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Rig]:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB warns about its own retry_after otherwise
    async for found in RIGS[request.param]():
        yield found


@pytest.fixture
async def started(rig: Rig) -> AsyncIterator[PlatformAdapter]:
    adapter = rig.make(rig.environ)
    await adapter.start(_sink)
    yield adapter
    await adapter.aclose()


async def test_a_missing_token_is_a_token_error_before_connecting(rig: Rig) -> None:
    adapter = rig.make({k: v for k, v in rig.environ.items() if k != rig.variable})
    with pytest.raises(TokenError, match=f"{rig.variable} is not set") as raised:
        await adapter.start(_sink)
    assert raised.value.platform == adapter.name
    assert not adapter.started
    with pytest.raises(NotStarted):
        await adapter.send(Say(target=rig.target, text="hello?"))
    assert rig.posts() == 0


async def test_a_refused_token_is_a_token_error_naming_the_variable(rig: Rig) -> None:
    adapter = rig.make(rig.rejected)
    with pytest.raises(TokenError, match=f"refused the token in {rig.variable}"):
        await adapter.start(_sink)
    assert not adapter.started
    await adapter.aclose()  # closing after a failed start is harmless


async def test_sending_before_start_is_refused(rig: Rig) -> None:
    adapter = rig.make(rig.environ)
    with pytest.raises(NotStarted):
        await adapter.send(Say(target=rig.target, text="too early"))


async def test_an_outage_while_sending_is_recorded_and_the_next_send_goes_out(
    rig: Rig, started: PlatformAdapter
) -> None:
    db = await Database.open(":memory:")
    try:
        log = SQLiteEventLog(db)
        await log.setup()
        outbox = Outbox(log, FakeClock())
        outbox.attach(started)
        rig.outage()
        assert await outbox.send(Say(target=rig.target, text="during the outage")) == []
        assert outbox.failed == 1
        refs = await outbox.send(Say(target=rig.target, text="back again"))
        assert len(refs) == 1 and outbox.sent == 1
        rows = await db.fetchall("SELECT text, status, error FROM actions ORDER BY seq")
        assert [(r["text"], r["status"]) for r in rows] == [
            ("during the outage", "failed"),
            ("back again", "sent"),
        ]
        assert rows[0]["error"]  # what went wrong is kept for the organiser
        assert rig.posts() == 1
    finally:
        await db.close()


async def test_a_rate_limit_is_waited_out_and_the_action_goes_out_once(
    rig: Rig, started: PlatformAdapter
) -> None:
    rig.rate_limit()
    refs = await started.send(Say(target=rig.target, text="after the wait"))
    assert len(refs) == 1
    assert rig.rate_limited() == 1
    assert rig.posts() == 1
