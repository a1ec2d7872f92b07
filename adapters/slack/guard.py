"""Checks every HTTP request before Bolt sees it: malformed input gets a 4xx, never a 500.

Bolt answers a non-numeric ``X-Slack-Request-Timestamp`` or a signed body that
is not a JSON object with an exception (HTTP 500, and Slack retries). This
aiohttp middleware refuses those first, in Slack's order: a bad header is 400,
a bad signature 401, a signed body Bolt could not read 400. The body's shape is
a pydantic model of exactly the fields Bolt reads before routing (each id is a
string or an object with an ``id``); everything else is the translator's job.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.typedefs import Middleware
from pydantic import BaseModel, ConfigDict, ValidationError
from slack_sdk.signature import SignatureVerifier

__all__ = ["SlackEnvelope", "check_body", "request_guard"]

log = logging.getLogger("roundtable.slack")

_Id = str | dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    user: _Id | None = None
    channel: _Id | None = None
    team: _Id | None = None
    enterprise: _Id | None = None


class _Inner(_Part):
    message: dict[str, Any] | str | None = None
    item: dict[str, Any] | str | None = None


class SlackEnvelope(_Part):
    """What Bolt reads of a request body before it routes it."""

    type: str | None = None
    event: _Inner | None = None
    authorizations: list[_Part] | None = None


def check_body(body: str, content_type: str) -> str | None:
    """Why Bolt could not read ``body`` (``None`` when it can)."""
    if content_type == "application/x-www-form-urlencoded":
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in form:
            return None  # a slash command: every field is text
        body = form["payload"]
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return "the body is not JSON"
    if not isinstance(parsed, dict):
        return "the body is not a JSON object"
    try:
        SlackEnvelope.model_validate(parsed)
    except (ValidationError, RecursionError) as exc:
        return f"unexpected field types: {str(exc).splitlines()[0]}"
    return None


def request_guard(signing_secret: str) -> Middleware:
    """The middleware for Bolt's aiohttp app (``signing_secret`` "" skips the signature)."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST":
            return await handler(request)
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not stamp.strip().isdigit() or len(stamp.strip()) > 12:
            return _refuse(400, "X-Slack-Request-Timestamp must be a Unix time")
        try:
            body = await request.text()
        except UnicodeDecodeError:
            return _refuse(400, "the body is not UTF-8")
        signature = request.headers.get("X-Slack-Signature", "")
        if verifier is not None and not verifier.is_valid(body, stamp.strip(), signature):
            return _refuse(401, "invalid request")
        problem = check_body(body, request.content_type)
        if problem:
            return _refuse(400, problem)
        return await handler(request)

    return guard


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("refused a Slack request (%d): %s", status, reason)
    return web.Response(status=status, text=reason)
