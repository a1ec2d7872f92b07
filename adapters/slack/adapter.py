"""The live Slack connection: slack-bolt (async) in Socket Mode or over HTTP.

Everything runs in Roundtable's own event loop: Socket Mode through
``AsyncSocketModeHandler.connect_async`` (the library reconnects a dropped
socket), HTTP through Bolt's aiohttp app served by our own ``AppRunner``.
Rate limits are slack-sdk's job: the Web API client gets an
``AsyncRateLimitErrorRetryHandler``, which waits out ``Retry-After`` on a 429.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import NotStarted, PlatformAdapter, TokenError, split_text
from adapters.slack.config import SlackConfig, check_tokens
from adapters.slack.emoji import emoji_to_name
from adapters.slack.guard import request_guard
from adapters.slack.translate import (
    PLATFORM,
    Delivery,
    Malformed,
    command_event,
    escape_text,
    event_from_callback,
    is_slack_ts,
    message_id,
    split_message_id,
)
from adapters.slack.users import UserDirectory
from bot.actions import (
    Action,
    DirectMessage,
    MessageRef,
    OpenThread,
    Pin,
    React,
    Reply,
    Say,
    UploadFile,
)
from bot.clock import Clock, SystemClock
from bot.events import Capabilities, Event, MessagePosted

__all__ = ["SlackAdapter"]

log = logging.getLogger(__name__)
T = TypeVar("T")

MESSAGE_LIMIT = 4000  # Slack's advice; the hard limit is 40,000 characters
_DEFAULT_BASE_URL = "https://slack.com/api/"
_EVENTS = (
    "message",
    "reaction_added",
    "reaction_removed",
    "member_joined_channel",
    "member_left_channel",
)
# Bolt names its loggers after the app; this keeps them all under "slack_bolt".
_BOLT_LOGGER = "slack_bolt.roundtable"


class SlackAdapter(PlatformAdapter):
    """Roundtable on one Slack workspace.

    Args:
        config: the Slack settings.
        environ: where the tokens named in ``config`` are read (``os.environ``).
        commands: the bot's command grammar as (name, description) pairs; Slack
            registers slash commands through the app manifest
            (:func:`adapters.slack.manifest.build_manifest`), and every slash
            command that reaches the app is passed on, acknowledged at once.
        clock: for the user cache and slash-command timestamps.
    """

    name = PLATFORM
    capabilities = Capabilities(
        native_threads=True,
        reactions=True,
        direct_messages=True,
        file_upload=True,
        slash_commands=True,
        pins=True,
        edits=True,
        message_limit=MESSAGE_LIMIT,
    )

    def __init__(
        self,
        config: SlackConfig,
        environ: Mapping[str, str],
        commands: Sequence[tuple[str, str]] = (),
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.commands = tuple(commands)
        self._problems = check_tokens(config, environ)
        self._bot_token = environ.get(config.bot_token_env, "").strip()
        self._app_token = environ.get(config.app_token_env, "").strip()
        self._signing_secret = environ.get(config.signing_secret_env, "").strip()
        self._clock: Clock = clock or SystemClock()
        self._client: AsyncWebClient | None = None
        self._users: UserDirectory | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._dm_channels: dict[str, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.team_id: str = ""
        self.http_port: int | None = None
        """The port the HTTP mode server listens on, once started."""

    def token_problems(self) -> list[str]:
        return list(self._problems)

    async def connect(self) -> None:
        """Connect (Socket Mode) or start serving (HTTP); return once ready.

        Raises:
            TokenError: Slack refused the bot or app token.
            ConnectionError: Socket Mode did not connect within ``connect_timeout``.
        """
        client = AsyncWebClient(token=self._bot_token, base_url=self._base_url())
        client.retry_handlers.append(
            AsyncRateLimitErrorRetryHandler(max_retry_count=self.config.rate_limit_retries)
        )
        self._client = client
        self._users = UserDirectory(client, self._clock, self.config.user_cache_seconds)
        # Fail now, not at the first event, if the bot token is wrong.
        auth = await _refused_token(client.auth_test(), self.config.bot_token_env)
        self.team_id = str(auth.get("team_id", ""))
        app = self._build_app(client)
        if self.config.mode == "socket":
            await self._connect_socket(app)
        else:
            await self._serve_http(app)

    async def disconnect(self) -> None:
        """Disconnect and stop serving; safe to call twice."""
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def perform(self, action: Action) -> list[MessageRef]:
        """Perform one action; return the messages it posted (several if split)."""
        client = self._require_client()
        match action:
            case Say(target=t, text=text):
                return await self._post(t.channel, text, t.thread)
            case Reply(target=t, message_id=mid, text=text):
                channel, ts = split_message_id(mid, t.channel)
                # A reply to a slash command has its trigger id, not a ts: post plainly.
                thread = t.thread or (ts if is_slack_ts(ts) else None)
                return await self._post(channel, text, thread)
            case React(target=t, message_id=mid, emoji=emoji):
                channel, ts = split_message_id(mid, t.channel)
                await _tolerate(
                    "already_reacted",
                    client.reactions_add(channel=channel, timestamp=ts, name=emoji_to_name(emoji)),
                )
                return []
            case OpenThread(target=t, message_id=mid, name=name, text=text):
                channel, ts = split_message_id(mid, t.channel)
                # Slack threads have no names: the name leads the first reply.
                return await self._post(channel, f"{name}\n{text}" if text else name, ts)
            case Pin(target=t, message_id=mid):
                channel, ts = split_message_id(mid, t.channel)
                await _tolerate("already_pinned", client.pins_add(channel=channel, timestamp=ts))
                return []
            case DirectMessage(user=user, text=text):
                return await self._post(await self._dm_channel(user), text, None)
            case UploadFile(target=t, path=path, comment=comment, private_to=private_to):
                channel = await self._dm_channel(private_to) if private_to else t.channel
                thread = None if private_to else t.thread
                data = await asyncio.to_thread(path.read_bytes)
                response = await client.files_upload_v2(
                    channel=channel,
                    file=data,
                    filename=path.name,
                    title=path.name,
                    initial_comment=escape_text(comment) if comment else None,
                    thread_ts=thread,
                )
                file: dict[str, Any] = response.get("file") or {}
                return [MessageRef(PLATFORM, channel, f"file:{file.get('id', '')}", thread)]
        raise TypeError(f"not an action: {action!r}")

    # --- connecting -------------------------------------------------------------

    def _base_url(self) -> str:
        base = self.config.base_url or _DEFAULT_BASE_URL
        return base if base.endswith("/") else base + "/"  # slack-sdk joins by concatenation

    def _build_app(self, client: AsyncWebClient) -> AsyncApp:
        http = self.config.mode == "http"
        app = AsyncApp(
            client=client,
            name=_BOLT_LOGGER,
            logger=logging.getLogger(_BOLT_LOGGER),
            # Socket Mode needs no signing secret; "" stops Bolt reading the environment.
            signing_secret=self._signing_secret if http else "",
            request_verification_enabled=http,
            # Answer Slack only once the event is stored: if storing fails, the
            # request gets a 503 (HTTP) or no ack (Socket Mode) and Slack retries.
            process_before_response=True,
        )
        app.error(self._on_listener_error)
        for event_type in _EVENTS:
            app.event(event_type)(self._on_event)
        # Any slash command the app is given reaches the bot; it judges the name.
        app.command(re.compile(r"^/.+"))(self._on_command)
        return app

    async def _connect_socket(self, app: AsyncApp) -> None:
        # Ask for the socket URL ourselves: a bad app token then fails start() at
        # once, where the library would log and retry forever.
        opened = await _refused_token(
            self._require_client().apps_connections_open(app_token=self._app_token),
            self.config.app_token_env,
        )
        handler = AsyncSocketModeHandler(
            app, app_token=self._app_token, ping_interval=self.config.ping_interval
        )
        handler.client.wss_uri = str(opened["url"])
        self._socket = handler
        try:
            async with asyncio.timeout(self.config.connect_timeout):
                await handler.connect_async()  # type: ignore[no-untyped-call]
        except TimeoutError:
            raise ConnectionError("Slack Socket Mode did not connect in time") from None

    async def _serve_http(self, app: AsyncApp) -> None:
        web_app = app.web_app(path=self.config.http_path)
        web_app.middlewares.append(request_guard(self._signing_secret))
        runner = web.AppRunner(web_app)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.config.http_host, self.config.http_port)
        await site.start()
        address = runner.addresses[0]
        self.http_port = int(address[1])
        log.info("Slack events served on %s:%s%s", address[0], address[1], self.config.http_path)

    # --- receiving ---------------------------------------------------------------

    async def _on_event(self, body: dict[str, Any], request: AsyncBoltRequest) -> None:
        # Bolt answers Slack once this returns; if storing fails, with a 503.
        delivery = Delivery(str(body.get("event_id", "")), _retry_num(request.headers))
        event = event_from_callback(body, delivery=delivery)
        if event is not None:
            await self._emit(event)

    async def _on_listener_error(self, error: Exception) -> BoltResponse:
        log.error("could not take a Slack event in (Slack will send it again): %s", error)
        return BoltResponse(status=503, body="")

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        # Acknowledge first and store after: Slack shows the user an error after
        # 3 s and never resends a slash command, and storing may have to wait.
        await ack()
        try:
            event = command_event(command, now=self._clock.now())
        except Malformed as exc:
            log.warning("ignored a malformed Slack command: %s", exc)
            return
        task = asyncio.create_task(self._emit_command(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _emit_command(self, event: Event) -> None:
        try:
            await self._emit(event)
        except Exception as exc:
            log.error("could not take in a Slack command from %s: %s", event.author, exc)

    async def _emit(self, event: Event) -> None:
        if not self.started:  # closed while the event was in flight
            return
        bot_post = isinstance(event, MessagePosted) and event.from_bot
        if self._users is not None and event.author and not bot_post:
            who = await self._users.lookup(event.author)
            event = dataclasses.replace(
                event, author_name=who.name or event.author_name, author_roles=who.roles
            )
        await self.deliver(event)

    # --- sending -------------------------------------------------------------------

    def _require_client(self) -> AsyncWebClient:
        if self._client is None:
            raise NotStarted(PLATFORM, "Slack is not connected")
        return self._client

    async def _post(self, channel: str, text: str, thread: str | None) -> list[MessageRef]:
        client = self._require_client()
        refs: list[MessageRef] = []
        for chunk in split_text(text, MESSAGE_LIMIT):
            response = await client.chat_postMessage(
                channel=channel,
                text=escape_text(chunk),
                thread_ts=thread,
                link_names=False,  # never turn a typed "@channel" into a mention
            )
            posted_in = str(response.get("channel") or channel)
            refs.append(
                MessageRef(PLATFORM, posted_in, message_id(posted_in, str(response["ts"])), thread)
            )
        return refs

    async def _dm_channel(self, user: str) -> str:
        channel = self._dm_channels.get(user)
        if channel is None:
            response = await self._require_client().conversations_open(users=user)
            opened: dict[str, Any] = response.get("channel") or {}
            channel = str(opened["id"])
            self._dm_channels[user] = channel
        return channel


def _retry_num(headers: Mapping[str, Sequence[str]]) -> int:
    values = headers.get("x-slack-retry-num") or ()
    try:
        return int(values[0]) if values else 0
    except ValueError:
        return 0


_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})


async def _refused_token(call: Awaitable[T], variable: str) -> T:
    """Await a Web API call made with a token; Slack refusing the token is a TokenError."""
    try:
        return await call
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if error in _REFUSED:
            raise TokenError(
                PLATFORM,
                f"Slack refused the token in {variable} ({error}); copy it again from the "
                "app's settings (OAuth & Permissions, or Basic Information for the app token)",
            ) from exc
        raise


async def _tolerate(error: str, call: Any) -> None:
    """Await a Web API call, ignoring one harmless error (the thing is already done)."""
    try:
        await call
    except SlackApiError as exc:
        if exc.response.get("error") != error:
            raise
