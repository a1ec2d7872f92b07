"""Config model, token checks for `roundtable doctor`, intents and exports."""

from __future__ import annotations

import pydantic
import pytest

import adapters.discord
from adapters.discord import CAPABILITIES, DiscordConfig, check_tokens, intents_for
from tests.fakes.discord_fake import DiscordFake

GOOD = DiscordFake().token


def test_exports() -> None:
    assert sorted(adapters.discord.__all__) == [
        "CAPABILITIES",
        "DiscordAdapter",
        "DiscordConfig",
        "check_tokens",
        "intents_for",
    ]


def test_config_rejects_unknown_keys_and_bad_ids() -> None:
    with pytest.raises(pydantic.ValidationError):
        DiscordConfig(token="secret")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        DiscordConfig(channels={"general": "heat-panel"})
    cfg = DiscordConfig(channels={"1100000000000000200": "heat-panel"})
    assert cfg.channels == {"1100000000000000200": "heat-panel"}
    assert cfg.token_env == "DISCORD_BOT_TOKEN"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "DISCORD_BOT_TOKEN is not set"),
        ("  ", "DISCORD_BOT_TOKEN is not set"),
        (f"Bot {GOOD}", "without the 'Bot ' prefix"),
        (f"{GOOD}\n", "spaces"),
        ("abc.def", "does not look like a Discord bot token"),
        ("bm90LWFuLWlk.GfAkE1." + "x" * 38, "encoded application id"),
    ],
)
def test_check_tokens_problems(value: str | None, problem: str) -> None:
    environ = {} if value is None else {"DISCORD_BOT_TOKEN": value}
    [message] = check_tokens(DiscordConfig(), environ)
    assert problem in message
    assert GOOD not in message  # never echo a secret


def test_check_tokens_accepts_a_well_formed_token_under_its_configured_name() -> None:
    cfg = DiscordConfig(token_env="RT_DISCORD")
    assert check_tokens(cfg, {"RT_DISCORD": GOOD}) == []
    assert check_tokens(cfg, {"DISCORD_BOT_TOKEN": GOOD}) == ["RT_DISCORD is not set"]


def test_intents_and_capabilities() -> None:
    intents = intents_for(DiscordConfig())
    assert intents.message_content
    assert intents.guild_messages
    assert intents.dm_messages
    assert intents.guild_reactions
    assert not intents.members
    assert not intents.presences
    assert not intents_for(DiscordConfig(message_content=False)).message_content
    assert CAPABILITIES.message_limit == 2000
    assert CAPABILITIES.native_threads
    assert CAPABILITIES.slash_commands
