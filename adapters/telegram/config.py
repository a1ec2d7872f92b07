"""Telegram settings: which environment variables hold the secrets, and how to connect."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["TelegramConfig", "check_tokens"]

# @BotFather tokens look like "123456789:AAH...": a numeric bot id, a colon, ~35 url-safe chars.
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
# Telegram's own rule for setWebhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramConfig(BaseModel):
    """How Roundtable connects to Telegram.

    Attributes:
        token_env: name of the environment variable holding the bot token.
        mode: ``"polling"`` (getUpdates; works anywhere) or ``"webhook"`` (Telegram
            posts to ``webhook_url``; needs a public HTTPS address).
        webhook_url: the public HTTPS URL Telegram posts updates to (webhook mode).
        webhook_listen: the address the local webhook server binds to (a reverse
            proxy in front terminates TLS).
        webhook_port: the local webhook server's port.
        webhook_path: the URL path the local webhook server answers on.
        webhook_secret_env: name of the environment variable holding the secret
            Telegram sends back in ``X-Telegram-Bot-Api-Secret-Token``.
        channels: chat id -> Roundtable event id.
        poll_timeout: long-polling timeout in seconds.
        admin_cache_seconds: how long a chat's administrator list is trusted.
        base_url: Bot API base (``.../bot``, token appended), only for tests.
        base_file_url: file download base, only for tests.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_env: str = "TELEGRAM_BOT_TOKEN"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)
    webhook_path: str = "telegram"
    webhook_secret_env: str = "TELEGRAM_WEBHOOK_SECRET"
    channels: dict[str, str] = Field(default_factory=dict)
    poll_timeout: float = Field(default=10.0, ge=0)
    admin_cache_seconds: float = Field(default=600.0, ge=0)
    base_url: str | None = None
    base_file_url: str | None = None

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramConfig:
        if self.mode == "webhook" and not self.webhook_url:
            raise ValueError("mode = 'webhook' needs webhook_url (the public https address)")
        return self


def check_tokens(cfg: TelegramConfig, environ: Mapping[str, str]) -> list[str]:
    """Say what is wrong with the Telegram secrets in ``environ`` (empty list: all fine)."""
    problems: list[str] = []
    token = environ.get(cfg.token_env, "").strip()
    if not token:
        problems.append(f"{cfg.token_env} is not set (get a token from @BotFather)")
    elif not _TOKEN_RE.match(token):
        problems.append(
            f"{cfg.token_env} does not look like a bot token "
            "(digits, a colon, then about 35 letters, as @BotFather gives it)"
        )
    if cfg.mode == "webhook":
        secret = environ.get(cfg.webhook_secret_env, "").strip()
        if not secret:
            problems.append(f"{cfg.webhook_secret_env} is not set (webhook mode needs a secret)")
        elif not _SECRET_RE.match(secret):
            problems.append(
                f"{cfg.webhook_secret_env} may only use A-Z, a-z, 0-9, _ and - (1 to 256 chars)"
            )
    return problems
