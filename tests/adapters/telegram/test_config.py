"""Config model and the token checks `roundtable doctor` reports."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import adapters.telegram
from adapters.telegram import TelegramAdapter, TelegramConfig, check_tokens
from bot.adapter import TokenError
from tests.fakes.telegram_fake import TOKEN


def test_exports() -> None:
    assert set(adapters.telegram.__all__) == {
        "ALLOWED_UPDATES",
        "TelegramAdapter",
        "TelegramConfig",
        "check_tokens",
    }


def test_good_tokens_have_no_problems() -> None:
    cfg = TelegramConfig(mode="webhook", webhook_url="https://bot.example.org/telegram")
    environ = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "abc_DEF-123"}
    assert check_tokens(cfg, environ) == []


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"TELEGRAM_WEBHOOK_SECRET": "s"}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "xoxb-1", "TELEGRAM_WEBHOOK_SECRET": "s"}, "not look like a bot"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "has space"}, "may only use"),
    ],
)
def test_token_problems(environ: dict[str, str], problem: str) -> None:
    cfg = TelegramConfig(mode="webhook", webhook_url="https://bot.example.org/telegram")
    problems = check_tokens(cfg, environ)
    assert len(problems) == 1
    assert problem in problems[0]


def test_polling_needs_no_secret_and_names_are_configurable() -> None:
    cfg = TelegramConfig(token_env="MY_TG")
    assert check_tokens(cfg, {"MY_TG": TOKEN}) == []
    assert "MY_TG is not set" in check_tokens(cfg, {"TELEGRAM_BOT_TOKEN": TOKEN})[0]


def test_config_is_strict() -> None:
    with pytest.raises(ValidationError, match="webhook_url"):
        TelegramConfig(mode="webhook")
    with pytest.raises(ValidationError):
        TelegramConfig(tokn_env="X")  # type: ignore[call-arg]
    cfg = TelegramConfig(channels={"-1001": "sleep-panel"})
    assert cfg.channels == {"-1001": "sleep-panel"}


async def test_adapter_refuses_a_missing_token_at_start() -> None:
    adapter = TelegramAdapter(TelegramConfig(), {}, [])
    with pytest.raises(TokenError, match="TELEGRAM_BOT_TOKEN is not set"):
        await adapter.start(_never)
    assert not adapter.started


async def _never(_event: object) -> None:
    raise AssertionError("nothing is delivered before start-up")
