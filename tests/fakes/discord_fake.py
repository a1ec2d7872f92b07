"""A fake Discord (gateway v10 with zlib-stream + REST) on 127.0.0.1 for the real discord.py.

It enforces what Discord enforces where a bot could get it wrong: the bot token on
REST calls, privileged intents (close 4014) and the blanking of message content
without the message-content intent, intent-gated events, message length, replies
to existing messages, one acknowledgement per interaction within 3 seconds,
command-name rules, attachment size, and ``Content-Type: application/json``
exactly. It records what it received, and can inject gateway events, redeliver
one, drop the connection (the client must RESUME), and answer one REST call
with a 429.

Usage::

    async with DiscordFake() as fake:   # patches discord.py to point here
        ...
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import discord.gateway
import discord.http
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

__all__ = [
    "ADMIN",
    "BOT",
    "CHANNEL_ID",
    "GUILD_ID",
    "MANAGER",
    "MEMBER",
    "MODERATOR",
    "OTHER_BOT",
    "OWNER",
    "THREAD_ID",
    "DiscordFake",
    "Intent",
    "Perm",
    "RestCall",
    "eventually",
]

Json = dict[str, Any]


async def eventually(predicate: Callable[[], object], within: float = 5.0) -> None:
    """Wait until ``predicate()`` is truthy (polling), or fail the test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.01)


# --- canned world: one guild, its roles, people and channels ------------------------------

DISCORD_EPOCH_MS = 1420070400000
_BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


class Perm:
    ADMINISTRATOR = 1 << 3
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    READ_MESSAGE_HISTORY = 1 << 16
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    EVERYONE = (
        ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
    )


def _user(uid: str, name: str, *, bot: bool = False) -> Json:
    user: Json = {
        "id": uid,
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
    }
    if bot:
        user["bot"] = True
    return user


GUILD_ID = "1100000000000000100"
CHANNEL_ID = "1100000000000000200"
THREAD_ID = "1100000000000000300"
ROLE_ADMINS, ROLE_MANAGERS, ROLE_MODS = (
    "1100000000000000401",
    "1100000000000000402",
    "1100000000000000403",
)
BOT = _user("1100000000000000001", "roundtable", bot=True)
OWNER = _user("1100000000000000011", "olive")
ADMIN = _user("1100000000000000012", "ada")
MANAGER = _user("1100000000000000013", "manu")
MODERATOR = _user("1100000000000000014", "mo")
MEMBER = _user("1100000000000000015", "mel")
OTHER_BOT = _user("1100000000000000016", "bridgebot", bot=True)
USERS = {u["id"]: u for u in (BOT, OWNER, ADMIN, MANAGER, MODERATOR, MEMBER, OTHER_BOT)}
MEMBER_ROLES = {
    ADMIN["id"]: [ROLE_ADMINS],
    MANAGER["id"]: [ROLE_MANAGERS],
    MODERATOR["id"]: [ROLE_MODS],
}


def now_iso(offset_ms: int = 0) -> str:
    return (_BASE_TIME + timedelta(milliseconds=offset_ms)).isoformat()


def _snowflake_iso(sid: str) -> str:
    ms = (int(sid) >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def member_payload(user: Json) -> Json:
    return {
        "user": user,
        "roles": MEMBER_ROLES.get(user["id"], []),
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


def _role(rid: str, name: str, perms: int, position: int) -> Json:
    return {
        "id": rid,
        "name": name,
        "permissions": str(perms),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def thread_payload(tid: str, parent_id: str, name: str, owner_id: str) -> Json:
    return {
        "id": tid,
        "type": 11,
        "name": name,
        "parent_id": parent_id,
        "guild_id": GUILD_ID,
        "owner_id": owner_id,
        "message_count": 0,
        "member_count": 1,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now_iso(),
            "locked": False,
        },
    }


def guild_create(threads: Any) -> Json:
    return {
        "id": GUILD_ID,
        "name": "Research Panel",
        "owner_id": OWNER["id"],
        "unavailable": False,
        "member_count": len(USERS),
        "large": False,
        "roles": [
            _role(GUILD_ID, "@everyone", Perm.EVERYONE, 0),
            _role(ROLE_ADMINS, "Admins", Perm.EVERYONE | Perm.ADMINISTRATOR, 3),
            _role(ROLE_MANAGERS, "Managers", Perm.EVERYONE | Perm.MANAGE_GUILD, 2),
            _role(ROLE_MODS, "Moderators", Perm.EVERYONE | Perm.MANAGE_MESSAGES, 1),
        ],
        "channels": [
            {
                "id": CHANNEL_ID,
                "type": 0,
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "guild_id": GUILD_ID,
            }
        ],
        "threads": [
            thread_payload(THREAD_ID, CHANNEL_ID, "earlier thread", MEMBER["id"]),
            *threads,
        ],
        "members": [member_payload(BOT)],
        "emojis": [],
        "stickers": [],
        "features": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "joined_at": now_iso(),
        "premium_tier": 0,
        "mfa_level": 0,
        "verification_level": 0,
        "explicit_content_filter": 0,
        "default_message_notifications": 0,
        "system_channel_flags": 0,
        "nsfw_level": 0,
    }


def message_payload(
    mid: str,
    channel_id: str,
    content: str,
    *,
    author: Json,
    guild_id: str | None,
    mentions: list[Json] | None = None,
) -> Json:
    msg: Json = {
        "id": mid,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": _snowflake_iso(mid),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    if guild_id is not None:
        msg["guild_id"] = guild_id
        if not author.get("bot") or author["id"] != BOT["id"]:
            msg["member"] = {k: v for k, v in member_payload(author).items() if k != "user"}
    return msg


def needed_intent(t: str, d: Json) -> int:
    """The intent without which the gateway does not send event ``t``."""
    dm = "guild_id" not in d
    if t.startswith("MESSAGE_REACTION"):
        return Intent.DIRECT_MESSAGE_REACTIONS if dm else Intent.GUILD_MESSAGE_REACTIONS
    if t.startswith("MESSAGE_"):
        return Intent.DIRECT_MESSAGES if dm else Intent.GUILD_MESSAGES
    if t.startswith("GUILD_MEMBER"):
        return Intent.GUILD_MEMBERS
    if t.startswith(("GUILD_", "THREAD_", "CHANNEL_")):
        return Intent.GUILDS
    return 0


_NAME = re.compile(r"^[-_\w]{1,32}$")


def command_error(cmd: Json) -> str | None:
    """What Discord would refuse in one application command, or ``None``."""
    name, desc = cmd.get("name", ""), cmd.get("description", "")
    if not _NAME.match(name) or name != name.lower():
        return f"name {name!r} must be 1-32 lower-case letters, digits, - or _"
    if not 1 <= len(desc) <= 100:
        return f"/{name}: description must be 1-100 characters"
    options = cmd.get("options", [])
    if len(options) > 25:
        return f"/{name}: at most 25 options"
    for opt in options:
        if not _NAME.match(opt.get("name", "")) or not 1 <= len(opt.get("description", "")) <= 100:
            return f"/{name}: bad option {opt!r}"
        if opt.get("type") not in range(1, 12):
            return f"/{name}: bad option type {opt.get('type')!r}"
    return None


@dataclass
class RestCall:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    authorization: str | None = None
    status: int = 0


@dataclass
class _Session:
    id: str
    intents: int
    seq: int = 0
    log: list[Json] = field(default_factory=list)


@dataclass
class _Interaction:
    token: str
    channel_id: str
    dispatched_at: float
    acked: int | None = None
    loading_message_id: str | None = None
    followups: int = 0


class DiscordFake:
    """The fake server. Start it with ``async with`` (or ``start``/``stop``)."""

    def __init__(
        self,
        *,
        privileged_intents: frozenset[str] = frozenset({"message_content"}),
        heartbeat_interval_ms: int = 41250,
        attachment_limit: int = 10 * 1024 * 1024,
    ) -> None:
        # Shaped like a real token (base64 bot id . timestamp . hmac) so doctor accepts it.
        self.token = (
            base64.urlsafe_b64encode(BOT["id"].encode()).decode().rstrip("=")
            + ".GfAkE1."
            + "x" * 38
        )
        self.privileged_allowed = privileged_intents
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.attachment_limit = attachment_limit
        self.calls: list[RestCall] = []
        self.gateway_ops: list[int] = []
        self.connections: list[dict[str, str]] = []
        self.resumes: list[Json] = []
        self.identifies: list[Json] = []
        self.heartbeats = 0
        self.commands: dict[str, list[Json]] = {}
        self.messages: dict[str, Json] = {}
        self.sent: list[Json] = []
        self.pins: list[tuple[str, str]] = []
        self.reactions: list[tuple[str, str, str]] = []
        self.threads: dict[str, Json] = {}
        self.dm_channels: dict[str, str] = {}
        self.interactions: dict[str, _Interaction] = {}
        self.rate_limited: list[RestCall] = []
        self._fail_next: list[tuple[str, re.Pattern[str], float, bool]] = []
        self._down_next: list[tuple[str, re.Pattern[str], int]] = []
        self._session: _Session | None = None
        self._ws: tuple[web.WebSocketResponse, Any] | None = None
        self._snow = 0
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> DiscordFake:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gw/", self._gateway)
        app.router.add_get("/gw-resume/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        # discord.py has no per-client base URL: the fixture redirects the library.
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = f"http://127.0.0.1:{self.port}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            f"ws://127.0.0.1:{self.port}/gw/"
        )

    async def stop(self) -> None:
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
        if self._runner is not None:
            await self._runner.cleanup()

    # --- ids and state ---------------------------------------------------------------------

    def snowflake(self) -> str:
        # Deterministic ids that still encode a plausible 2026 timestamp.
        self._snow += 1
        ms = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000) + self._snow
        return str(((ms - DISCORD_EPOCH_MS) << 22) | self._snow)

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def session_intents(self) -> int:
        return self._session.intents if self._session else 0

    def dm_channel(self, user_id: str) -> str:
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = self.snowflake()
        return self.dm_channels[user_id]

    def _channel_exists(self, cid: str) -> bool:
        return (
            cid in (CHANNEL_ID, THREAD_ID)
            or cid in self.threads
            or cid in self.dm_channels.values()
        )

    def down_next(self, method: str, path_regex: str, *, status: int = 503) -> None:
        """Answer the next matching REST call with a server error (Discord is down)."""
        self._down_next.append((method, re.compile(path_regex), status))

    def fail_next(
        self, method: str, path_regex: str, *, retry_after: float = 0.2, via: bool = True
    ) -> None:
        """Answer the next matching REST call with a 429 (``via=False``: a Cloudflare ban)."""
        self._fail_next.append((method, re.compile(path_regex), retry_after, via))

    # --- gateway: injecting events ---------------------------------------------------------

    async def dispatch(self, t: str, d: Json) -> Json | None:
        """Send a dispatch to the connected client (or buffer it for a RESUME).

        Returns the payload as delivered (content may be blanked), or ``None`` when the
        session's intents filter the event out, as the real gateway does.
        """
        session = self._session
        assert session is not None, "no gateway session: start the client first"
        need = needed_intent(t, d)
        if need and not session.intents & need:
            return None
        d = self._blank_content(t, d, session.intents)
        session.seq += 1
        frame = {"op": 0, "t": t, "s": session.seq, "d": d}
        session.log.append(frame)
        if self._ws is not None:
            await self._send(frame)
        return d

    def _blank_content(self, t: str, d: Json, intents: int) -> Json:
        if t not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or intents & Intent.MESSAGE_CONTENT:
            return d
        if "guild_id" not in d or d["author"]["id"] == BOT["id"]:
            return d
        if any(m["id"] == BOT["id"] for m in d.get("mentions", [])):
            return d
        return {**d, "content": "", "embeds": [], "attachments": [], "components": []}

    async def post_message(
        self,
        content: str,
        *,
        author: Json = MEMBER,
        channel_id: str = CHANNEL_ID,
        dm: bool = False,
        reply_to: str | None = None,
        mentions: tuple[Json, ...] = (),
    ) -> Json:
        """A user posts a message; returns the full (unblanked) payload."""
        if dm:
            channel_id = self.dm_channel(author["id"])
        msg = message_payload(
            self.snowflake(),
            channel_id,
            content,
            author=author,
            guild_id=None if dm else GUILD_ID,
            mentions=list(mentions),
        )
        if reply_to is not None:
            msg["type"] = 19
            msg["message_reference"] = {"message_id": reply_to, "channel_id": channel_id}
            if not dm:
                msg["message_reference"]["guild_id"] = GUILD_ID
        self.messages[msg["id"]] = msg
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    async def edit_message(self, msg: Json, content: str) -> Json:
        edited = {**msg, "content": content, "edited_timestamp": now_iso(self._snow)}
        self.messages[msg["id"]] = edited
        await self.dispatch("MESSAGE_UPDATE", edited)
        return edited

    async def delete_message(self, msg: Json) -> None:
        self.messages.pop(msg["id"], None)
        d = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if "guild_id" in msg:
            d["guild_id"] = msg["guild_id"]
        await self.dispatch("MESSAGE_DELETE", d)

    async def react(self, msg: Json, emoji: Json, *, user: Json = MEMBER, add: bool = True) -> None:
        d: Json = {
            "user_id": user["id"],
            "channel_id": msg["channel_id"],
            "message_id": msg["id"],
            "emoji": emoji,
            "type": 0,
            "burst": False,
        }
        if "guild_id" in msg:
            d["guild_id"] = msg["guild_id"]
            if add:
                d["member"] = member_payload(user)
                d["message_author_id"] = msg["author"]["id"]
        await self.dispatch("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", d)

    async def member_join(self, user: Json) -> None:
        await self.dispatch("GUILD_MEMBER_ADD", {**member_payload(user), "guild_id": GUILD_ID})

    async def invoke_command(
        self,
        name: str,
        text: str | None = None,
        *,
        user: Json = MEMBER,
        channel_id: str = CHANNEL_ID,
    ) -> str:
        """A user runs a registered slash command; returns the interaction id."""
        registered = [c for cmds in self.commands.values() for c in cmds if c["name"] == name]
        assert registered, f"/{name} was never registered, Discord would not offer it"
        iid, token = self.snowflake(), f"itoken-{self._snow}"
        options = [{"name": "text", "type": 3, "value": text}] if text is not None else []
        self.interactions[iid] = _Interaction(token, channel_id, asyncio.get_running_loop().time())
        await self.dispatch(
            "INTERACTION_CREATE",
            {
                "id": iid,
                "application_id": BOT["id"],
                "type": 2,
                "token": token,
                "version": 1,
                "guild_id": GUILD_ID,
                "channel_id": channel_id,
                "channel": {
                    "id": channel_id,
                    "type": 0,
                    "guild_id": GUILD_ID,
                    "name": "general",
                    "position": 0,
                    "permission_overwrites": [],
                },
                "member": {**member_payload(user), "permissions": "2248473465835073"},
                "app_permissions": "2248473465835073",
                "attachment_size_limit": self.attachment_limit,
                "locale": "en-US",
                "guild_locale": "en-US",
                "entitlements": [],
                "authorizing_integration_owners": {"0": GUILD_ID},
                "context": 0,
                "data": {"id": registered[0]["id"], "name": name, "type": 1, "options": options},
            },
        )
        return iid

    def forget_session(self) -> None:
        """Make the current session unresumable (the next RESUME gets INVALID_SESSION)."""
        assert self._session is not None
        self._session.id = "expired"

    async def redeliver(self, t: str, d: Json) -> None:
        """Send the same event again, as Discord may after a resume."""
        await self.dispatch(t, d)

    async def drop(self, code: int = 1001) -> None:
        """Close the gateway connection as a Discord node restart would."""
        assert self._ws is not None, "not connected"
        ws, _ = self._ws
        self._ws = None
        await ws.close(code=code, message=b"going away")

    # --- gateway: protocol -----------------------------------------------------------------

    async def _send(self, payload: Json) -> None:
        assert self._ws is not None
        ws, zctx = self._ws
        data = json.dumps(payload).encode()
        if zctx is not None:
            # zlib-stream: one compressor per connection, Z_SYNC_FLUSH ends each message.
            await ws.send_bytes(zctx.compress(data) + zctx.flush(zlib.Z_SYNC_FLUSH))
        else:
            await ws.send_str(data.decode())

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        q = request.query
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections.append({"path": request.path, **q})
        if q.get("v") != "10" or q.get("encoding") != "json":
            await ws.close(code=4012, message=b"Invalid API version.")
            return ws
        if q.get("compress") not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"Unsupported compression.")
            return ws
        zctx = zlib.compressobj() if q.get("compress") == "zlib-stream" else None
        self._ws = (ws, zctx)
        await self._send(
            {
                "op": 10,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
            }
        )
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            self.gateway_ops.append(payload["op"])
            if not await self._on_op(ws, request, payload):
                break
        if self._ws is not None and self._ws[0] is ws:
            self._ws = None
        return ws

    async def _on_op(self, ws: web.WebSocketResponse, request: web.Request, p: Json) -> bool:
        op, d = p["op"], p.get("d") or {}
        if op == 1:
            self.heartbeats += 1
            await self._send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            return await self._identify(ws, request, d)
        elif op == 6:
            self.resumes.append(d)
            session = self._session
            if d.get("token") != self.token or session is None or d.get("session_id") != session.id:
                await self._send({"op": 9, "s": None, "t": None, "d": False})
                return True
            for frame in session.log:
                if frame["s"] > (d.get("seq") or 0):
                    await self._send(frame)
            await self.dispatch("RESUMED", {})
        return True

    async def _identify(self, ws: web.WebSocketResponse, request: web.Request, d: Json) -> bool:
        self.identifies.append(d)
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return False
        intents = int(d.get("intents", 0))
        wanted = {
            "message_content": Intent.MESSAGE_CONTENT,
            "members": Intent.GUILD_MEMBERS,
            "presences": Intent.GUILD_PRESENCES,
        }
        if any(
            intents & bit and name not in self.privileged_allowed for name, bit in wanted.items()
        ):
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return False
        self._session = _Session(id=f"session-{len(self.identifies)}", intents=intents)
        # Discord routes a server to shard (server id >> 22) % shard count
        shard = d.get("shard") or [0, 1]
        here = (int(GUILD_ID) >> 22) % int(shard[1]) == int(shard[0])
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": BOT,
                "guilds": [{"id": GUILD_ID, "unavailable": True}] if here else [],
                "session_id": self._session.id,
                "resume_gateway_url": f"ws://{request.host}/gw-resume/",
                "application": {"id": BOT["id"], "flags": 0},
                "private_channels": [],
                **({"shard": [int(shard[0]), int(shard[1])]} if d.get("shard") else {}),
            },
        )
        if here:
            await self.dispatch("GUILD_CREATE", guild_create(self.threads.values()))
        return True

    # --- REST ------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        return await _Rest(self, request).handle()


def j(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with Discord's exact Content-Type (discord.py compares it verbatim)."""
    return web.Response(
        body=json.dumps(obj).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


# --- REST ----------------------------------------------------------------------------------

_RATE_HEADERS = {
    "X-RateLimit-Limit": "5",
    "X-RateLimit-Remaining": "4",
    "X-RateLimit-Reset-After": "1",
    "X-RateLimit-Bucket": "fakebucket",
}
_MASS = re.compile(r"@(everyone|here)")


def _err(status: int, code: int, message: str, errors: Json | None = None) -> web.Response:
    body: Json = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return j(body, status=status)


class _Rest:
    """One REST request: authenticate, maybe inject a 429, route, validate, record."""

    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", r"users/@me", "me"),
        ("GET", r"oauth2/applications/@me", "application"),
        ("GET", r"gateway/bot", "gateway_bot"),
        ("PUT", r"applications/(?P<app>\d+)/commands", "put_commands"),
        ("PUT", r"applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", "put_commands"),
        ("POST", r"channels/(?P<cid>\d+)/messages", "post_message"),
        (
            "PUT",
            r"channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/reactions/(?P<emoji>[^/]+)/@me",
            "put_reaction",
        ),
        ("POST", r"channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/threads", "post_thread"),
        ("PUT", r"channels/(?P<cid>\d+)/messages/pins/(?P<mid>\d+)", "put_pin"),
        ("PUT", r"channels/(?P<cid>\d+)/pins/(?P<mid>\d+)", "put_pin"),
        ("POST", r"users/@me/channels", "post_dm"),
        ("POST", r"interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", "callback"),
        ("POST", r"webhooks/(?P<app>\d+)/(?P<token>[^/]+)", "followup"),
    )

    def __init__(self, fake: DiscordFake, request: web.Request) -> None:
        self.fake, self.request = fake, request

    async def handle(self) -> web.Response:
        req, fake = self.request, self.fake
        path = req.match_info["tail"]
        body, files = await self._read_body()
        call = RestCall(
            req.method, path, dict(req.query), body, files, req.headers.get("Authorization")
        )
        fake.calls.append(call)
        response = await self._route(call)
        call.status = response.status
        return response

    async def _route(self, call: RestCall) -> web.Response:
        fake = self.fake
        token_in_url = call.path.startswith(("interactions/", "webhooks/"))
        if not token_in_url and call.authorization != f"Bot {fake.token}":
            return _err(401, 0, "401: Unauthorized")
        for i, (method, pattern, status) in enumerate(fake._down_next):
            if method == call.method and pattern.fullmatch(call.path):
                del fake._down_next[i]
                return _err(status, 0, f"{status}: Service Unavailable")
        for i, (method, pattern, retry_after, via) in enumerate(fake._fail_next):
            if method == call.method and pattern.fullmatch(call.path):
                del fake._fail_next[i]
                fake.rate_limited.append(call)
                headers = {
                    **_RATE_HEADERS,
                    "X-RateLimit-Remaining": "0",
                    "Retry-After": str(max(1, round(retry_after))),
                    "X-RateLimit-Scope": "user",
                }
                if via:
                    headers["Via"] = "1.1 google"
                return j(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry_after,
                        "global": False,
                    },
                    status=429,
                    headers=headers,
                )
        for method, route, name in self.ROUTES:
            match = re.fullmatch(route, call.path)
            if method == call.method and match:
                handler = getattr(self, name)
                response: web.Response = await handler(call, **match.groupdict())
                return response
        return _err(404, 0, "404: Not Found")

    async def _read_body(self) -> tuple[Any, list[tuple[str, bytes]]]:
        req = self.request
        if not req.can_read_body:
            return None, []
        if req.content_type == "application/json":
            return await req.json(), []
        if req.content_type.startswith("multipart/"):
            payload: Any = None
            files: list[tuple[str, bytes]] = []
            reader = await req.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    payload = json.loads(data)
                elif part.name and part.name.startswith("files["):
                    files.append((part.filename or "", bytes(data)))
            return payload, files
        return await req.read(), []

    # routes

    async def me(self, call: RestCall) -> web.Response:
        return j(BOT, headers=_RATE_HEADERS)

    async def application(self, call: RestCall) -> web.Response:
        return j(
            {
                "id": BOT["id"],
                "name": "Roundtable",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": OWNER,
                "team": None,
            }
        )

    async def gateway_bot(self, call: RestCall) -> web.Response:
        return j(
            {
                "url": f"ws://127.0.0.1:{self.fake.port}/gw/",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def put_commands(
        self, call: RestCall, app: str, guild: str | None = None
    ) -> web.Response:
        if app != BOT["id"]:
            return _err(403, 50001, "Missing Access")
        if guild is not None and guild != GUILD_ID:
            return _err(403, 50001, "Missing Access")
        if not isinstance(call.body, list) or len(call.body) > 100:
            return _err(400, 50035, "Invalid Form Body")
        for cmd in call.body:
            problem = command_error(cmd)
            if problem is not None:
                return _err(400, 50035, "Invalid Form Body", {"_errors": [{"message": problem}]})
        stored = [
            {
                **cmd,
                "id": self.fake.snowflake(),
                "application_id": BOT["id"],
                "version": "1",
                "type": cmd.get("type", 1),
                "default_member_permissions": None,
                **({"guild_id": guild} if guild else {}),
            }
            for cmd in call.body
        ]
        self.fake.commands[guild or "global"] = stored
        return j(stored, headers=_RATE_HEADERS)

    def _check_content(self, payload: Any, files: list[tuple[str, bytes]]) -> web.Response | None:
        content = (payload or {}).get("content") or ""
        if not content and not files and not (payload or {}).get("embeds"):
            return _err(400, 50006, "Cannot send an empty message")
        if len(content) > 2000:
            return _err(
                400,
                50035,
                "Invalid Form Body",
                {
                    "content": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_MAX_LENGTH",
                                "message": "Must be 2000 or fewer in length.",
                            }
                        ]
                    }
                },
            )
        if any(len(data) > self.fake.attachment_limit for _, data in files):
            return _err(413, 40005, "Request entity too large")
        return None

    def _new_message(
        self, cid: str, payload: Json, files: list[tuple[str, bytes]], mid: str | None = None
    ) -> Json:
        fake = self.fake
        dm = cid in fake.dm_channels.values()
        msg = message_payload(
            mid or fake.snowflake(),
            cid,
            payload.get("content") or "",
            author=BOT,
            guild_id=None if dm else GUILD_ID,
        )
        msg["attachments"] = [
            {
                "id": fake.snowflake(),
                "filename": name,
                "size": len(data),
                "url": f"http://127.0.0.1:{fake.port}/files/{name}",
                "proxy_url": f"http://127.0.0.1:{fake.port}/files/{name}",
            }
            for name, data in files
        ]
        allowed = payload.get("allowed_mentions")
        content = msg["content"]
        fake.messages[msg["id"]] = msg
        fake.sent.append(
            {
                **msg,
                "allowed_mentions": allowed,
                "files": [(name, data) for name, data in files],
                "pings_everyone": bool(_MASS.search(content))
                and (allowed is None or "everyone" in allowed.get("parse", [])),
                "pings_users": _pinged_users(content, allowed),
            }
        )
        return msg

    async def post_message(self, call: RestCall, cid: str) -> web.Response:
        fake = self.fake
        if not fake._channel_exists(cid):
            return _err(404, 10003, "Unknown Channel")
        payload: Json = call.body or {}
        problem = self._check_content(payload, call.files)
        if problem is not None:
            return problem
        ref = payload.get("message_reference")
        # Discord takes snowflakes as strings or integers (discord.py sends integers here).
        target = fake.messages.get(str(ref.get("message_id"))) if ref else None
        if ref and (target is None or target["channel_id"] != cid):
            if ref.get("fail_if_not_exists", True):
                return _err(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "message_reference": {
                            "_errors": [
                                {
                                    "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                    "message": "Unknown message",
                                }
                            ]
                        }
                    },
                )
            ref = None
        msg = self._new_message(cid, payload, call.files)
        if ref and target is not None:
            msg["type"] = 19
            msg["message_reference"] = {"message_id": target["id"], "channel_id": cid}
            msg["referenced_message"] = target
            fake.sent[-1].update(type=19, message_reference=msg["message_reference"])
        if fake._session is not None:
            await fake.dispatch("MESSAGE_CREATE", msg)  # Discord echoes the bot's own messages
        return j(msg, headers=_RATE_HEADERS)

    def _known_message(self, cid: str, mid: str) -> bool:
        msg = self.fake.messages.get(mid)
        return msg is not None and msg["channel_id"] == cid

    async def put_reaction(self, call: RestCall, cid: str, mid: str, emoji: str) -> web.Response:
        if not self._known_message(cid, mid):
            return _err(404, 10008, "Unknown Message")
        self.fake.reactions.append((cid, mid, emoji))
        return web.Response(status=204, headers=_RATE_HEADERS)

    async def put_pin(self, call: RestCall, cid: str, mid: str) -> web.Response:
        if not self._known_message(cid, mid):
            return _err(404, 10008, "Unknown Message")
        self.fake.pins.append((cid, mid))
        return web.Response(status=204, headers=_RATE_HEADERS)

    async def post_thread(self, call: RestCall, cid: str, mid: str) -> web.Response:
        fake = self.fake
        if cid != CHANNEL_ID:
            return _err(400, 50024, "Cannot execute action on this channel type")
        if not self._known_message(cid, mid):
            return _err(404, 10008, "Unknown Message")
        if mid in fake.threads:
            return _err(400, 160004, "A thread has already been created for this message")
        name = (call.body or {}).get("name", "")
        if not 1 <= len(name) <= 100:
            return _err(400, 50035, "Invalid Form Body")
        # A thread started from a message takes the message's id.
        thread = thread_payload(mid, cid, name, BOT["id"])
        fake.threads[mid] = thread
        await fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return j(thread, status=201, headers=_RATE_HEADERS)

    async def post_dm(self, call: RestCall) -> web.Response:
        user = USERS.get(str((call.body or {}).get("recipient_id")))
        if user is None:
            return _err(400, 50007, "Cannot send messages to this user")
        cid = self.fake.dm_channel(user["id"])
        return j(
            {"id": cid, "type": 1, "recipients": [user], "last_message_id": None},
            headers=_RATE_HEADERS,
        )

    async def callback(self, call: RestCall, iid: str, token: str) -> web.Response:
        inter = self.fake.interactions.get(iid)
        late = inter is not None and asyncio.get_running_loop().time() - inter.dispatched_at > 3.0
        if inter is None or inter.token != token or late:
            return _err(404, 10062, "Unknown interaction")
        if inter.acked is not None:
            return _err(400, 40060, "Interaction has already been acknowledged.")
        body: Json = call.body or {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind not in (4, 5):
            return _err(400, 50035, "Invalid Form Body")
        if kind == 4:
            problem = self._check_content(data, call.files)
            if problem is not None:
                return problem
        inter.acked = kind
        msg = self._new_message(inter.channel_id, data, call.files)
        if kind == 5:
            msg["flags"] = 128  # LOADING: the "Bot is thinking..." placeholder
            inter.loading_message_id = msg["id"]
        if call.query.get("with_response") not in ("1", "true"):
            return web.Response(status=204)
        return j(
            {
                "interaction": {
                    "id": iid,
                    "type": 2,
                    "response_message_id": msg["id"],
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & 64),
                },
                "resource": {"type": kind, "message": msg},
            }
        )

    async def followup(self, call: RestCall, app: str, token: str) -> web.Response:
        inter = next((i for i in self.fake.interactions.values() if i.token == token), None)
        if app != BOT["id"] or inter is None or inter.acked is None:
            return _err(404, 10015, "Unknown Webhook")
        payload: Json = call.body or {}
        problem = self._check_content(payload, call.files)
        if problem is not None:
            return problem
        # The first followup after a deferral replaces the placeholder message.
        reuse = inter.loading_message_id if inter.followups == 0 else None
        inter.followups += 1
        msg = self._new_message(inter.channel_id, payload, call.files, mid=reuse)
        msg["webhook_id"] = BOT["id"]
        if call.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return j(msg)


_USER_MENTION = re.compile(r"<@!?(\d+)>")


def _pinged_users(content: str, allowed: Json | None) -> list[str]:
    """Who Discord would notify: mentioned users the allowed_mentions let through."""
    mentioned = _USER_MENTION.findall(content)
    if allowed is None:
        return mentioned
    if "users" in allowed.get("parse", []):
        return mentioned
    listed = {str(u) for u in allowed.get("users", [])}
    return [u for u in mentioned if u in listed]
