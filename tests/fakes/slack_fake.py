"""A fake Slack on 127.0.0.1: Web API, Socket Mode WebSocket and an Events API sender.

The real slack-sdk / slack-bolt talk to it over real HTTP and WebSocket, so a
passing test means the adapter really drives the library. It enforces what
Slack enforces where a mistake of ours would otherwise go unnoticed: bearer
tokens per method, required arguments, reactions and pins only on messages that
exist, the three-step external file upload with matching lengths, single-use
Socket Mode URLs, and an ack for every envelope (checked by :meth:`wait_ack`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

__all__ = ["ApiCall", "SlackFake", "callback", "command_form", "message", "reaction"]

MAX_TEXT = 40_000  # chat.postMessage rejects longer texts with msg_too_long


@dataclass
class ApiCall:
    method: str
    auth: str
    params: dict[str, Any]


@dataclass
class _Socket:
    ws: web.WebSocketResponse
    request: web.Request
    envelopes: dict[str, float] = field(default_factory=dict)


class SlackFake:
    """Start with ``async with SlackFake() as fake:``; point the client at ``fake.base_url``."""

    def __init__(
        self,
        *,
        team_id: str = "T0FAKE",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-1-fake-app-token",
        signing_secret: str = "0123456789abcdef0123456789abcdef",
    ) -> None:
        self.team_id, self.bot_user_id, self.bot_id = team_id, bot_user_id, bot_id
        self.bot_token, self.app_token, self.signing_secret = bot_token, app_token, signing_secret
        self.calls: list[ApiCall] = []
        self.posted: list[dict[str, Any]] = []
        self.reactions: list[tuple[str, str, str]] = []
        self.pins: list[tuple[str, str]] = []
        self.uploads: dict[str, bytes] = {}
        self.shared_files: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, dict[str, Any]] = {}
        self.protocol_errors: list[str] = []
        self.connections = 0
        self._known: set[tuple[str, str]] = set()
        self._declared_lengths: dict[str, int] = {}
        self._rate_limits: dict[str, tuple[int, int]] = {}
        self._outages: dict[str, int] = {}
        self._limited: dict[str, int] = {}
        self._tickets: set[str] = set()
        self._sockets: list[_Socket] = []
        self._ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._connected = asyncio.Condition()
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_get("/api/{method}", self._web_api)  # e.g. users.info is a GET
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket_mode)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        for sock in list(self._sockets):
            await sock.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> SlackFake:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def environ(self) -> dict[str, str]:
        """Tokens under the adapter's default variable names."""
        return {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_APP_TOKEN": self.app_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
        }

    # --- test controls ---------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, admin: bool = False, owner: bool = False
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name.lower(),
            "real_name": name,
            "is_admin": admin,
            "is_owner": owner,
            "is_primary_owner": False,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name},
        }

    def inject_outage(self, method: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` with HTTP 503 (Slack is down)."""
        self._outages[method] = times

    def answered_429(self, method: str) -> int:
        """How many calls to ``method`` were answered with an injected 429."""
        return self._limited.get(method, 0)

    def inject_429(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` with 429 ``ratelimited``."""
        self._rate_limits[method] = (times, retry_after)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def know_message(self, channel: str, ts: str) -> None:
        self._known.add((channel, ts))

    async def wait_connections(self, n: int, within: float = 5.0) -> None:
        """Wait until ``n`` Socket Mode connections have been made and one is live."""
        async with asyncio.timeout(within), self._connected:
            await self._connected.wait_for(
                lambda: self.connections >= n and bool(self._live_sockets())
            )

    async def send_envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send one Socket Mode envelope on the live connection; return its id."""
        live = self._live_sockets()
        if not live:
            raise RuntimeError("no Socket Mode connection")
        envelope_id = f"env-{next(self._counter)}"
        self._ack_waiters[envelope_id] = asyncio.get_running_loop().create_future()
        live[-1].envelopes[envelope_id] = time.monotonic()
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        await live[-1].ws.send_json(envelope)
        return envelope_id

    async def push_event(self, body: dict[str, Any], *, retry_attempt: int = 0) -> str:
        self._remember(body)
        reason = "timeout" if retry_attempt else ""
        return await self.send_envelope(
            "events_api", body, retry_attempt=retry_attempt, retry_reason=reason
        )

    async def wait_ack(self, envelope_id: str, within: float = 3.0) -> dict[str, Any]:
        """The ack for ``envelope_id``; fails like Slack would if it takes over 3 s."""
        return await asyncio.wait_for(asyncio.shield(self._ack_waiters[envelope_id]), within)

    async def request_refresh(self) -> None:
        """Ask the client to move to a new connection, as Slack does every few hours."""
        for sock in self._live_sockets():
            await sock.ws.send_json({"type": "disconnect", "reason": "refresh_requested"})

    def drop_socket(self) -> None:
        """Cut the live connection without a close frame, as a network failure does."""
        for sock in self._live_sockets():
            transport = sock.request.transport
            if transport is not None:
                transport.abort()

    async def post_event(
        self, url: str, body: dict[str, Any], *, retry_num: int | None = None, secret: str = ""
    ) -> tuple[int, str]:
        """Deliver an Events API payload over HTTP, signed like Slack signs it."""
        self._remember(body)
        data = json.dumps(body)
        headers = {"Content-Type": "application/json", **self._sign(data, secret)}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await _post(url, data, headers)

    async def post_command(
        self, url: str, form: dict[str, str], *, secret: str = ""
    ) -> tuple[int, str]:
        data = urllib.parse.urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self._sign(data, secret)}
        return await _post(url, data, headers)

    # --- internals -------------------------------------------------------------------

    def _remember(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("type") == "message" and "ts" in event and "subtype" not in event:
            self.know_message(str(event.get("channel")), str(event["ts"]))

    def _sign(self, data: str, secret: str) -> dict[str, str]:
        ts = str(int(time.time()))
        signature = SignatureVerifier(secret or self.signing_secret).generate_signature(
            timestamp=ts, body=data
        )
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}

    def _live_sockets(self) -> list[_Socket]:
        return [s for s in self._sockets if not s.ws.closed]

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)  # slack-sdk puts some args in the query
        if request.content_type == "application/x-www-form-urlencoded":
            params.update(await request.post())
        elif request.content_type == "application/json":
            params.update(await request.json())
        auth = request.headers.get("Authorization", "")
        self.calls.append(ApiCall(method, auth, params))
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if not auth:
            return _ok(False, error="not_authed")
        if auth != f"Bearer {expected}":
            return _ok(False, error="invalid_auth")
        if self._outages.get(method, 0) > 0:
            self._outages[method] -= 1
            return _ok(False, status=503, error="service_unavailable")
        times, retry_after = self._rate_limits.get(method, (0, 0))
        if times > 0:
            self._rate_limits[method] = (times - 1, retry_after)
            self._limited[method] = self._limited.get(method, 0) + 1
            return _ok(
                False, status=429, headers={"Retry-After": str(retry_after)}, error="ratelimited"
            )
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok(False, error="unknown_method")
        result: web.Response = await handler(params)
        return result

    async def _api_auth_test(self, params: dict[str, Any]) -> web.Response:
        return _ok(
            url="https://fake.slack.com/",
            team="Fake",
            user="roundtable",
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id=self.bot_id,
            is_enterprise_install=False,
        )

    async def _api_apps_connections_open(self, params: dict[str, Any]) -> web.Response:
        ticket = f"ticket-{next(self._counter)}"
        self._tickets.add(ticket)
        return _ok(url=f"ws://127.0.0.1:{self.port}/link?ticket={ticket}")

    async def _api_chat_postMessage(self, params: dict[str, Any]) -> web.Response:
        channel, text = str(params.get("channel", "")), params.get("text")
        if not channel:
            return _ok(False, error="channel_not_found")
        if not text and not params.get("blocks"):
            return _ok(False, error="no_text")
        if len(str(text)) > MAX_TEXT:
            return _ok(False, error="msg_too_long")
        thread_ts = params.get("thread_ts")
        if thread_ts and (channel, str(thread_ts)) not in self._known:
            self.protocol_errors.append(f"thread_ts {thread_ts} names no message in {channel}")
        n = next(self._counter)
        ts = f"{1_800_000_000 + n}.{n:06d}"
        self.know_message(channel, ts)
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts}
        message.update({k: v for k, v in params.items() if k in ("text", "thread_ts")})
        self.posted.append({"channel": channel, **params, "ts": ts})
        return _ok(channel=channel, ts=ts, message=message)

    async def _api_reactions_add(self, params: dict[str, Any]) -> web.Response:
        channel, ts, name = (str(params.get(k, "")) for k in ("channel", "timestamp", "name"))
        if not name or ":" in name:
            return _ok(False, error="invalid_name")
        if (channel, ts) not in self._known:
            return _ok(False, error="message_not_found")
        if (channel, ts, name) in self.reactions:
            return _ok(False, error="already_reacted")
        self.reactions.append((channel, ts, name))
        return _ok()

    async def _api_pins_add(self, params: dict[str, Any]) -> web.Response:
        key = (str(params.get("channel", "")), str(params.get("timestamp", "")))
        if key not in self._known:
            return _ok(False, error="message_not_found")
        if key in self.pins:
            return _ok(False, error="already_pinned")
        self.pins.append(key)
        return _ok()

    async def _api_conversations_open(self, params: dict[str, Any]) -> web.Response:
        user = str(params.get("users", ""))
        if user not in self.users:
            return _ok(False, error="user_not_found")
        return _ok(channel={"id": "D" + user.removeprefix("U"), "is_im": True})

    async def _api_users_info(self, params: dict[str, Any]) -> web.Response:
        user = self.users.get(str(params.get("user", "")))
        return _ok(user=user) if user else _ok(False, error="user_not_found")

    async def _api_files_getUploadURLExternal(self, params: dict[str, Any]) -> web.Response:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            return _ok(False, error="invalid_arguments")
        file_id = f"F{next(self._counter):08d}"
        self._declared_lengths[file_id] = int(params["length"])
        return _ok(upload_url=f"http://127.0.0.1:{self.port}/upload/{file_id}", file_id=file_id)

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        if self._declared_lengths.get(file_id) != len(data):
            self.protocol_errors.append(f"upload {file_id}: length does not match")
            return web.Response(status=400, text="length mismatch")
        self.uploads[file_id] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _api_files_completeUploadExternal(self, params: dict[str, Any]) -> web.Response:
        files = json.loads(str(params.get("files", "[]")))
        if not files or any(f.get("id") not in self.uploads for f in files):
            return _ok(False, error="file_not_found")
        for f in files:
            share = {**f, **{k: params.get(k) for k in ("channel_id", "thread_ts")}}
            share["initial_comment"] = params.get("initial_comment")
            self.shared_files.append(share)
        return _ok(files=[{"id": f["id"], "title": f.get("title", "")} for f in files])

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            self.protocol_errors.append(f"socket connect with unknown or reused ticket {ticket!r}")
            raise web.HTTPUnauthorized()
        self._tickets.discard(ticket)  # URLs from apps.connections.open work once
        await ws.prepare(request)
        sock = _Socket(ws, request)
        self._sockets.append(sock)
        self.connections += 1
        async with self._connected:
            self._connected.notify_all()
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self._on_ack(sock, json.loads(msg.data))
        return ws

    def _on_ack(self, sock: _Socket, ack: dict[str, Any]) -> None:
        envelope_id = str(ack.get("envelope_id", ""))
        sent = sock.envelopes.pop(envelope_id, None)
        if sent is None:
            self.protocol_errors.append(f"ack for unknown envelope {envelope_id!r}")
            return
        self.acks[envelope_id] = ack
        waiter = self._ack_waiters.get(envelope_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(ack)


def _ok(
    ok: bool = True, *, status: int = 200, headers: dict[str, str] | None = None, **fields: Any
) -> web.Response:
    return web.json_response({"ok": ok, **fields}, status=status, headers=headers)


async def _post(url: str, data: str, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers) as r,
    ):
        return r.status, await r.text()


# --- payload builders (what Slack sends) ------------------------------------------------


def callback(
    event: dict[str, Any], *, team_id: str = "T0FAKE", event_id: str = ""
) -> dict[str, Any]:
    """Wrap ``event`` in the ``event_callback`` body both transports deliver."""
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{zlib.crc32(json.dumps(event, sort_keys=True).encode()):010d}",
        "event_time": int(float(event.get("event_ts", event.get("ts", "0")))),
        "authorizations": [
            {"team_id": team_id, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }


def message(
    text: str,
    *,
    channel: str = "C1",
    user: str = "U1",
    ts: str = "1700000000.000100",
    thread_ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def reaction(
    name: str,
    *,
    channel: str = "C1",
    ts: str = "1700000000.000100",
    user: str = "U2",
    added: bool = True,
    event_ts: str = "1700000050.000200",
) -> dict[str, Any]:
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": name,
        "item_user": "U1",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": event_ts,
    }


def command_form(
    command: str,
    text: str,
    *,
    channel: str = "C1",
    user: str = "U1",
    trigger_id: str = "13345.7384.abc",
) -> dict[str, str]:
    """The fields of a slash command, as Slack form-encodes them."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T0FAKE",
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": "ann",
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "response_url": "http://127.0.0.1:9/commands/1",
        "trigger_id": trigger_id,
    }
