"""The app manifest, the config model, token checks and the package exports."""

from __future__ import annotations

import pydantic
import pytest

import adapters.slack
from adapters.slack import SlackAdapter, SlackConfig, build_manifest, check_tokens
from bot.adapter import TokenError
from bot.clock import FakeClock
from tests.adapters.slack.conftest import COMMANDS, RecordingSink
from tests.fakes.slack_fake import SlackFake

GRAMMAR = [*COMMANDS, ("catchup", "What did I miss?"), ("snapshot", "Research on a topic")]
SECRET = "0123456789abcdef0123456789abcdef"


def test_manifest_lists_every_command_and_the_scopes() -> None:
    manifest = build_manifest(GRAMMAR, "Roundtable", socket_mode=True, request_url=None)
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/ask", "/event", "/catchup", "/snapshot"]
    assert commands[0]["description"] == "Ask the panel a question"
    assert all("url" not in c for c in commands)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "files:write", "im:write", "pins:write"} <= scopes
    events = manifest["settings"]["event_subscriptions"]
    assert "message.im" in events["bot_events"]
    assert "request_url" not in events
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_http_manifest_points_everything_at_the_request_url() -> None:
    url = "https://bot.example.org/slack/events"
    manifest = build_manifest(GRAMMAR, "Roundtable", socket_mode=False, request_url=url)
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    with pytest.raises(ValueError, match="request_url"):
        build_manifest(GRAMMAR, "Roundtable", socket_mode=False, request_url=None)
    with pytest.raises(ValueError, match="command name"):
        build_manifest([("two words", "x")], "Roundtable", socket_mode=True, request_url=None)


def test_config_rejects_unknown_keys_and_is_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        SlackConfig(mode="socket", token="xoxb-in-the-file")  # type: ignore[call-arg]
    cfg = SlackConfig(channels={"C0123": "heat-panel"})
    with pytest.raises(pydantic.ValidationError):
        cfg.mode = "http"
    assert cfg.channels == {"C0123": "heat-panel"}


def test_check_tokens_names_missing_and_malformed() -> None:
    socket = SlackConfig()
    assert check_tokens(socket, {}) == [
        "SLACK_BOT_TOKEN is not set (the Slack bot token)",
        "SLACK_APP_TOKEN is not set (the Slack app-level token)",
    ]
    wrong = {"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_APP_TOKEN": "xoxb-bot"}
    assert check_tokens(socket, wrong) == [
        "SLACK_BOT_TOKEN should start with xoxb- (the Slack bot token)",
        "SLACK_APP_TOKEN should start with xapp- (the Slack app-level token)",
    ]
    http = SlackConfig(mode="http")
    assert check_tokens(http, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SECRET}) == []
    problems = check_tokens(http, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "nope"})
    assert len(problems) == 1
    assert "SLACK_SIGNING_SECRET" in problems[0]


async def test_start_refuses_missing_tokens() -> None:
    adapter = SlackAdapter(SlackConfig(), {}, COMMANDS, FakeClock())
    with pytest.raises(TokenError, match="SLACK_BOT_TOKEN is not set"):
        await adapter.start(RecordingSink())


async def test_start_fails_loudly_on_a_revoked_bot_token(fake: SlackFake) -> None:
    environ = {**fake.environ, "SLACK_BOT_TOKEN": "xoxb-revoked"}
    adapter = SlackAdapter(SlackConfig(base_url=fake.base_url), environ, COMMANDS, FakeClock())
    with pytest.raises(TokenError, match=r"SLACK_BOT_TOKEN \(invalid_auth\)"):
        await adapter.start(RecordingSink())
    await adapter.aclose()


def test_exports() -> None:
    assert adapters.slack.__all__ == [
        "SlackAdapter",
        "SlackConfig",
        "build_manifest",
        "check_tokens",
    ]
    assert SlackAdapter.capabilities.message_limit == 4000
