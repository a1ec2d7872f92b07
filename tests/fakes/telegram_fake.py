"""A fake Telegram Bot API on 127.0.0.1, driven by the real python-telegram-bot.

It answers ``POST /bot<token>/<method>`` as Telegram does (``{"ok": true, "result": ...}``
or ``{"ok": false, "error_code": ..., "description": ...}``) and enforces the rules the
adapter depends on: getUpdates confirms by offset and filters by ``allowed_updates``
(``message_reaction`` and ``chat_member`` only when asked for), reactions in groups
only reach an admin bot, DMs only reach users who started the bot, text and caption
limits, forum-only topics, the fixed reaction emoji list, ``setMyCommands`` names.
Tests drive it: add chats, post messages, react, drop connections, inject a 429,
redeliver an update.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "ApiCall",
    "TelegramFake",
    "bot_command",
    "chat_member",
    "group",
    "user",
]

TOKEN = "123456789:AAHfakeTokenForRoundtableTests_0123456"
BOT_ID = 123456789
BOT_USERNAME = "RoundtableBot"

# Updates Telegram leaves out unless allowed_updates names them.
_OPT_IN = {"chat_member", "message_reaction", "message_reaction_count"}
# Telegram's fixed list of reactions a bot may set (no variation selectors).
_REACTION_LIST = """
👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭
💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡
🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡
"""
REACTIONS = frozenset(_REACTION_LIST.split())
Files = dict[str, tuple[str, bytes]]
_JSON_PARAMS = {"reply_parameters", "reaction", "commands", "allowed_updates", "scope"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class ApiCall:
    """One Bot API request as the fake received it (nested JSON decoded)."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class TelegramFake:
    """A Telegram Bot API server for one bot. Use ``async with TelegramFake() as tg``."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.admins: dict[int, dict[int, dict[str, Any]]] = {}
        self.started: set[int] = set()  # users who pressed Start: the bot may DM them
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.topics: dict[int, set[int]] = {}
        self.pinned: dict[int, int] = {}
        self.commands: list[dict[str, str]] = []
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] = []
        self.now = 1_767_268_800  # 2026-01-01T12:00:00Z; every new message ticks a second
        self._queue: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._failures: dict[str, list[ApiError]] = {}
        self._failed: dict[str, int] = {}
        self.sent: list[dict[str, Any]] = []
        """Messages the bot sent (sendMessage), in order."""
        self._drops = 0
        self._redelivery: list[dict[str, Any]] = []
        self.delivered: list[dict[str, Any]] = []  # every update getUpdates handed out
        self._closing = False
        self._wake = asyncio.Event()
        self._called = asyncio.Event()
        self.bot_user = user(BOT_ID, "Roundtable", BOT_USERNAME, bot=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server --------------------------------------------------------------

    async def __aenter__(self) -> TelegramFake:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self._wake.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[ApiCall]:
        """Wait until ``method`` has been called ``count`` times."""
        async with asyncio.timeout(within):
            while len(self.calls_to(method)) < count:
                self._called.clear()
                await self._called.wait()
        return self.calls_to(method)

    # -- the world -----------------------------------------------------------

    def add_group(
        self,
        chat_id: int,
        title: str = "Panel",
        *,
        forum: bool = False,
        bot_admin: bool = True,
        admins: tuple[dict[str, Any], ...] = (),
    ) -> dict[str, Any]:
        """A (super)group; ``admins`` are users made administrators (the owner comes first)."""
        chat = group(chat_id, title, forum=forum)
        self.chats[chat_id] = chat
        table: dict[int, dict[str, Any]] = {}
        for i, person in enumerate(admins):
            table[person["id"]] = chat_member(person, "creator" if i == 0 else "administrator")
        if bot_admin:
            table[BOT_ID] = chat_member(self.bot_user, "administrator")
        self.admins[chat_id] = table
        self.topics[chat_id] = set()
        return chat

    def add_private(self, person: dict[str, Any], *, started: bool = True) -> dict[str, Any]:
        chat = {"id": person["id"], "type": "private", "first_name": person["first_name"]}
        self.chats[person["id"]] = chat
        if started:
            self.started.add(person["id"])
        return chat

    def add_topic(self, chat_id: int, name: str, creator: dict[str, Any]) -> int:
        """Open a forum topic; its opening service message id is the thread id."""
        msg = self._message(chat_id, creator, forum_topic_created=forum_topic_created(name))
        thread: int = msg["message_id"]
        msg["message_thread_id"], msg["is_topic_message"] = thread, True
        self.topics[chat_id].add(thread)
        return thread

    # -- injecting updates ---------------------------------------------------

    def post(
        self,
        chat_id: int,
        author: dict[str, Any],
        text: str,
        *,
        thread: int | None = None,
        reply_to: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Someone posts ``text``; the update is queued. Returns the message."""
        extra: dict[str, Any] = {"text": text}
        if entities:
            extra["entities"] = entities
        if sender_chat:
            extra["sender_chat"] = sender_chat
        if thread is not None:
            extra["message_thread_id"], extra["is_topic_message"] = thread, True
            if reply_to is None:  # Telegram: a topic message replies to the topic opener
                reply_to = thread
        if reply_to is not None:
            extra["reply_to_message"] = self.messages[(chat_id, reply_to)]
        msg = self._message(chat_id, author, **extra)
        self.push("message", msg)
        return msg

    def edit(self, msg: dict[str, Any], text: str) -> dict[str, Any]:
        self.now += 1
        edited = {**msg, "text": text, "edit_date": self.now}
        self.messages[(msg["chat"]["id"], msg["message_id"])] = edited
        return self.push("edited_message", edited)

    def react(
        self, chat_id: int, message_id: int, who: dict[str, Any], old: list[str], new: list[str]
    ) -> dict[str, Any] | None:
        """A user changes their reactions (nothing reaches a non-admin bot in a group)."""
        chat = self.chats[chat_id]
        if chat["type"] != "private" and BOT_ID not in self.admins.get(chat_id, {}):
            return None
        self.now += 1
        emoji = [{"type": "emoji", "emoji": e} for e in new]
        return self.push(
            "message_reaction",
            {
                "chat": chat,
                "message_id": message_id,
                "user": who,
                "date": self.now,
                "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
                "new_reaction": emoji,
            },
        )

    def member_change(
        self, chat_id: int, who: dict[str, Any], old: str, new: str
    ) -> dict[str, Any] | None:
        """A chat_member update (sent to admin bots only); also applies it to the admin list."""
        table = self.admins.setdefault(chat_id, {})
        member = chat_member(who, new)
        if new in ("creator", "administrator"):
            table[who["id"]] = member
        else:
            table.pop(who["id"], None)
        if BOT_ID not in table and who["id"] != BOT_ID:
            return None
        self.now += 1
        kind = "my_chat_member" if who["id"] == BOT_ID else "chat_member"
        return self.push(
            kind,
            {
                "chat": self.chats[chat_id],
                "from": who,
                "date": self.now,
                "old_chat_member": chat_member(who, old),
                "new_chat_member": member,
            },
        )

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._queue.append(update)
        self._wake.set()
        return update

    def redeliver(self, update: dict[str, Any]) -> None:
        """Serve an already confirmed update again (Telegram lost the acknowledgement)."""
        self._redelivery.append(update)
        self._wake.set()

    @property
    def pending(self) -> list[dict[str, Any]]:
        return list(self._queue)

    async def deliver_webhook(self, url: str) -> list[int]:
        """Post queued updates to the bot's webhook server as Telegram does; return statuses."""
        assert self.webhook is not None, "setWebhook was never called"
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        statuses = []
        redelivery, self._redelivery = self._redelivery, []
        async with aiohttp.ClientSession() as session:
            for update in redelivery + list(self._queue):
                async with session.post(url, json=update, headers=headers) as resp:
                    statuses.append(resp.status)
                if resp.status == 200 and update in self._queue:  # Telegram retries the rest
                    self._queue.remove(update)
                    self.delivered.append(update)
        return statuses

    # -- faults --------------------------------------------------------------

    def failed_calls(self, method: str) -> int:
        """How many calls to ``method`` were answered with an injected failure."""
        return self._failed.get(method, 0)

    def fail_next(
        self, method: str, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        self._failures.setdefault(method, []).append(ApiError(code, description, parameters))

    def inject_429(self, method: str, retry_after: int = 1) -> None:
        self.fail_next(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    def drop_connections(self, count: int) -> None:
        """Close the next ``count`` getUpdates connections (the one waiting now included)."""
        self._drops += count
        self._wake.set()

    # -- the API -------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        try:
            params, files = await _read_params(request)
        except ConnectionResetError:
            return web.Response()  # the client went away mid-request (a bot stopping)
        self.calls.append(ApiCall(method, params, files))
        self._called.set()
        failures = self._failures.get(method)
        if failures:
            self._failed[method] = self._failed.get(method, 0) + 1
            return _error(failures.pop(0))
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        try:
            if method == "getUpdates":
                result = await self._api_getUpdates(params, request)
            else:
                result = handler(params, files)
        except ApiError as exc:
            return _error(exc)
        if result is _DROPPED:
            return web.Response()  # never written: the transport is gone
        return web.json_response({"ok": True, "result": result})

    # -- API methods (named as Telegram names them) --------------------------

    def _message(self, chat_id: int, author: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.now += 1
        ids = self._message_ids.setdefault(chat_id, itertools.count(1))
        msg = {
            "message_id": next(ids),
            "date": self.now,
            "chat": self.chats[chat_id],
            "from": author,
            **extra,
        }
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(int(params["chat_id"]))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _writable(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        if chat["type"] == "private" and chat["id"] not in self.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _placement(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        thread = params.get("message_thread_id")
        if thread is not None:
            if not chat.get("is_forum") or int(thread) not in self.topics.get(chat["id"], ()):
                raise ApiError(400, "Bad Request: message thread not found")
            extra["message_thread_id"], extra["is_topic_message"] = int(thread), True
        reply = params.get("reply_parameters")
        if reply:
            target = self.messages.get((chat["id"], int(reply["message_id"])))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if target is not None:
                extra["reply_to_message"] = target
        return extra

    def _api_getMe(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        return {
            **user(BOT_ID, "Roundtable", BOT_USERNAME, bot=True),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deleteWebhook(self, params: dict[str, Any], files: Files) -> bool:
        self.webhook = None
        if str(params.get("drop_pending_updates")).lower() == "true":
            self._queue.clear()
        return True

    def _api_setWebhook(self, params: dict[str, Any], files: Files) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = params
        self.allowed_updates = list(params.get("allowed_updates", self.allowed_updates))
        return True

    async def _api_getUpdates(
        self, params: dict[str, Any], request: web.Request
    ) -> list[dict[str, Any]] | object:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"])
        offset = int(params.get("offset") or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while True:
            if self._drops:
                self._drops -= 1
                assert request.transport is not None
                request.transport.abort()
                return _DROPPED
            allowed = set(self.allowed_updates) or (_ALL_KINDS - _OPT_IN)
            # Confirmed updates (below offset) are forgotten; disallowed kinds are never sent.
            self._queue = [
                u for u in self._queue if u["update_id"] >= offset and _kind(u) in allowed
            ]
            if request.transport is None or request.transport.is_closing():
                # The client gave up on this long poll (a bot stopping): like Telegram,
                # hand nothing out on a connection that is gone.
                return _DROPPED
            batch = self._redelivery + self._queue[: int(params.get("limit") or 100)]
            if batch or self._closing or loop.time() >= deadline:
                self._redelivery = []
                self.delivered += batch
                return batch
            self._wake.clear()
            with contextlib.suppress(TimeoutError):  # looking at the connection now and then
                await asyncio.wait_for(self._wake.wait(), min(0.1, deadline - loop.time()))

    def _api_setMyCommands(self, params: dict[str, Any], files: Files) -> bool:
        for command in params["commands"]:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        self.commands = list(params["commands"])
        return True

    def _api_sendMessage(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        chat = self._writable(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        sent = self._message(chat["id"], self.bot_user, text=text, **self._placement(chat, params))
        self.sent.append(sent)
        return sent

    def _api_sendDocument(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        chat = self._writable(params)
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, data = files["document"]
        caption = params.get("caption")
        if caption is not None and _utf16_len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        doc = {
            "file_id": f"doc{len(self.calls)}",
            "file_unique_id": f"u{len(self.calls)}",
            "file_name": name,
            "file_size": len(data),
        }
        extra = {"document": doc, **({"caption": caption} if caption else {})}
        return self._message(chat["id"], self.bot_user, **extra, **self._placement(chat, params))

    def _api_setMessageReaction(self, params: dict[str, Any], files: Files) -> bool:
        chat = self._chat(params)
        if (chat["id"], int(params["message_id"])) not in self.messages:
            raise ApiError(400, "Bad Request: message to react not found")
        for reaction in params.get("reaction", []):
            if reaction.get("type") != "emoji" or reaction.get("emoji") not in REACTIONS:
                raise ApiError(400, "Bad Request: REACTION_INVALID")
        return True

    def _api_pinChatMessage(self, params: dict[str, Any], files: Files) -> bool:
        chat = self._chat(params)
        if chat["type"] != "private" and BOT_ID not in self.admins.get(chat["id"], {}):
            raise ApiError(400, "Bad Request: not enough rights to manage pinned messages")
        if (chat["id"], int(params["message_id"])) not in self.messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        self.pinned[chat["id"]] = int(params["message_id"])
        return True

    def _api_createForumTopic(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        chat = self._chat(params)
        if not chat.get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if BOT_ID not in self.admins.get(chat["id"], {}):
            raise ApiError(400, "Bad Request: not enough rights to create a topic")
        name = str(params["name"])
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        thread = self.add_topic(chat["id"], name, self.bot_user)
        return {"message_thread_id": thread, "name": name, "icon_color": 7322096}

    def _api_getChat(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self._chat(params),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _api_getChatAdministrators(
        self, params: dict[str, Any], files: Files
    ) -> list[dict[str, Any]]:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return list(self.admins.get(chat["id"], {}).values())


_DROPPED = object()
_ALL_KINDS = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "message_reaction",
    "message_reaction_count",
    "chat_member",
    "my_chat_member",
    "callback_query",
    "inline_query",
    "poll",
    "poll_answer",
    "chat_join_request",
}


def _kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- payload factories (also used to build updates in unit tests) ---------------


def user(
    user_id: int, first_name: str, username: str | None = None, *, bot: bool = False
) -> dict[str, Any]:
    person: dict[str, Any] = {"id": user_id, "is_bot": bot, "first_name": first_name}
    if username:
        person["username"] = username
    return person


def group(
    chat_id: int, title: str, *, forum: bool = False, kind: str = "supergroup"
) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
    if forum:
        chat["is_forum"] = True
    return chat


def chat_member(person: dict[str, Any], status: str) -> dict[str, Any]:
    if status == "creator":
        return {"status": status, "user": person, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(
            (
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_pin_messages",
                "can_manage_topics",
            ),
            True,
        )
        return {
            "status": status,
            "user": person,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_promote_members": False,
            **rights,
        }
    if status == "kicked":
        return {"status": status, "user": person, "until_date": 0}
    return {"status": status, "user": person}  # member, left


def forum_topic_created(name: str) -> dict[str, Any]:
    return {"name": name, "icon_color": 7322096}


def bot_command(command: str) -> list[dict[str, Any]]:
    """The entities Telegram attaches to a message starting with ``command``."""
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.code)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key in _JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params, files
