"""Slack adapter settings and the token checks behind ``roundtable doctor``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SlackConfig", "check_tokens"]

_SIGNING_SECRET_RE = re.compile(r"[0-9a-f]{32}")


class SlackConfig(BaseModel):
    """How Roundtable connects to one Slack workspace.

    Tokens never live in the file: the ``*_env`` fields name the environment
    variables that hold them.

    Attributes:
        mode: ``"socket"`` (Socket Mode, no public URL needed) or ``"http"``
            (Events API: Slack posts to ``http_path`` on ``http_host:http_port``).
        bot_token_env: variable holding the bot token (``xoxb-...``).
        app_token_env: variable holding the app-level token (``xapp-...``), Socket Mode.
        signing_secret_env: variable holding the signing secret, HTTP mode.
        channels: Slack channel id -> Roundtable event id.
        http_host: interface the HTTP mode server binds (put a TLS proxy in front).
        http_port: port for HTTP mode; 0 picks a free one (tests).
        http_path: path Slack posts events and slash commands to.
        request_url: the public https URL of ``http_path``, for the app manifest.
        base_url: Web API base URL override (tests point it at a local fake).
        ping_interval: Socket Mode ping interval in seconds; a dead connection is
            noticed and replaced within about two of these.
        connect_timeout: seconds ``start`` waits for the first connection.
        rate_limit_retries: how many times a rate-limited (429) call is retried.
        user_cache_seconds: how long a user's name and admin flag are cached.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["socket", "http"] = "socket"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    channels: dict[str, str] = Field(default_factory=dict)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=3000, ge=0, le=65535)
    http_path: str = "/slack/events"
    request_url: str | None = None
    base_url: str | None = None
    ping_interval: float = Field(default=10.0, gt=0)
    connect_timeout: float = Field(default=30.0, gt=0)
    rate_limit_retries: int = Field(default=3, ge=1)
    user_cache_seconds: float = Field(default=600.0, ge=0)


def check_tokens(cfg: SlackConfig, environ: Mapping[str, str]) -> list[str]:
    """Return human-readable problems with the Slack tokens (empty when all is well).

    Args:
        cfg: the Slack settings (which variables to read, which mode).
        environ: the environment to read them from (``os.environ`` in production).
    """
    problems: list[str] = []
    _check_prefixed(environ, cfg.bot_token_env, "xoxb-", "bot token", problems)
    if cfg.mode == "socket":
        _check_prefixed(environ, cfg.app_token_env, "xapp-", "app-level token", problems)
    else:
        secret = environ.get(cfg.signing_secret_env, "").strip()
        if not secret:
            problems.append(f"{cfg.signing_secret_env} is not set (needed for HTTP mode)")
        elif not _SIGNING_SECRET_RE.fullmatch(secret):
            problems.append(
                f"{cfg.signing_secret_env} does not look like a Slack signing secret "
                "(32 hexadecimal characters, from Basic Information > App Credentials)"
            )
        if cfg.request_url is not None and not cfg.request_url.startswith("https://"):
            problems.append("slack.request_url should be a public https:// address")
    return problems


def _check_prefixed(
    environ: Mapping[str, str], var: str, prefix: str, what: str, problems: list[str]
) -> None:
    value = environ.get(var, "").strip()
    if not value:
        problems.append(f"{var} is not set (the Slack {what})")
    elif not value.startswith(prefix):
        problems.append(f"{var} should start with {prefix} (the Slack {what})")
