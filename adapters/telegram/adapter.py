"""The live Telegram connection: python-telegram-bot inside Roundtable's own event loop."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any

from telegram import BotCommand, Chat, Message, Update
from telegram.error import InvalidToken
from telegram.ext import AIORateLimiter, Application

from adapters.base import NotStarted, PlatformAdapter, TokenError
from adapters.telegram.admins import AdminDirectory
from adapters.telegram.config import TelegramConfig, check_tokens
from adapters.telegram.receive import NotStored, Poller, WebhookServer
from adapters.telegram.sender import MESSAGE_LIMIT, TelegramSender
from adapters.telegram.translate import PLATFORM, member_event, message_event, reaction_events
from bot.actions import Action, MessageRef
from bot.clock import Clock, SystemClock
from bot.events import Capabilities

__all__ = ["ALLOWED_UPDATES", "TelegramAdapter"]

log = logging.getLogger("roundtable.adapters.telegram")

# Telegram leaves out message_reaction and chat_member unless they are asked for by name.
ALLOWED_UPDATES = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.MESSAGE_REACTION,
    Update.CHAT_MEMBER,
    Update.MY_CHAT_MEMBER,
)
_RETRIES_ON_429 = 3
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")  # what setMyCommands accepts

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramAdapter(PlatformAdapter):
    """Roundtable on Telegram, by long polling or by webhook.

    Args:
        config: the ``[telegram]`` settings.
        environ: where the token (and webhook secret) named in ``config`` are read.
        commands: ``(name, description)`` pairs shown in Telegram's command menu.
        clock: decides when cached admin lists go stale.

    ``start`` raises :class:`~bot.adapter.TokenError` when the token (or webhook
    secret) is missing or malformed, or when Telegram refuses it.
    """

    name = PLATFORM
    capabilities = Capabilities(
        native_threads=True,  # forum topics; elsewhere OpenThread falls back to a reply
        reactions=True,
        direct_messages=True,
        file_upload=True,
        slash_commands=False,  # a /command is an ordinary message the bot parses
        pins=True,
        edits=True,
        message_limit=MESSAGE_LIMIT,
    )

    def __init__(
        self,
        config: TelegramConfig,
        environ: Mapping[str, str],
        commands: Sequence[tuple[str, str]],
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self._problems = check_tokens(config, environ)
        self._config = config
        self._token = environ.get(config.token_env, "").strip()
        self._secret = environ.get(config.webhook_secret_env, "").strip() or None
        self._commands = list(commands)
        self._clock = clock or SystemClock()
        self._app: TelegramApp | None = None
        self._stack = AsyncExitStack()
        self._admins: AdminDirectory | None = None
        self._sender: TelegramSender | None = None
        self._forums: dict[int, bool] = {}
        self._usernames: dict[str, int] = {}
        self._username = ""  # the bot's own, known once connected
        self._receiver: Poller | WebhookServer | None = None

    # -- lifecycle -----------------------------------------------------------

    def token_problems(self) -> list[str]:
        return list(self._problems)

    async def connect(self) -> None:
        """Connect, register the command menu, and start receiving updates."""
        # AIORateLimiter throttles to Telegram's limits; by default it retries a 429 zero times.
        limiter = AIORateLimiter(max_retries=_RETRIES_ON_429)
        builder = Application.builder().token(self._token).rate_limiter(limiter)
        if self._config.base_url:
            builder = builder.base_url(self._config.base_url)
        if self._config.base_file_url:
            builder = builder.base_file_url(self._config.base_file_url)
        # Updates are received by adapters.telegram.receive (confirmed only once
        # stored), not by the Application's updater and handlers.
        app: TelegramApp = builder.updater(None).build()
        self._app = app
        try:
            await self._stack.enter_async_context(app)  # `async with app`: getMe ... shutdown
        except InvalidToken as exc:
            raise TokenError(
                PLATFORM,
                f"Telegram refused the token in {self._config.token_env} ({exc}); "
                "ask @BotFather for the bot's token and set it again",
            ) from exc
        bot = app.bot
        self._username = bot.username
        self._admins = AdminDirectory(
            bot.get_chat_administrators, self._clock, self._config.admin_cache_seconds, bot.id
        )
        self._sender = TelegramSender(bot, self._forums)
        await bot.set_my_commands(self._menu())
        await self._listen(bot)
        log.info("connected to Telegram as @%s (%s)", app.bot.username, self._config.mode)

    async def _listen(self, bot: Any) -> None:
        cfg = self._config
        if cfg.mode == "polling":
            poller = Poller(bot, self._dispatch, timeout=cfg.poll_timeout, allowed=ALLOWED_UPDATES)
            await poller.start()
            self._receiver = poller
        else:
            assert cfg.webhook_url is not None  # the config requires it in webhook mode
            server = WebhookServer(
                bot,
                self._dispatch,
                secret=self._secret,
                listen=cfg.webhook_listen,
                port=cfg.webhook_port,
                path=cfg.webhook_path,
            )
            self._receiver = server
            await server.start(cfg.webhook_url, ALLOWED_UPDATES)

    async def disconnect(self) -> None:
        """Stop receiving, let in-flight handlers finish, and close the HTTP clients."""
        app = self._app
        if app is None:
            return
        receiver, self._receiver = self._receiver, None
        if receiver is not None:
            await receiver.stop()  # the update in hand finishes (and reaches the bot) first
        self._app = self._sender = None
        await self._stack.aclose()
        # When getMe fails, PTB's Application.shutdown skips the bot, whose HTTP clients are
        # already open; closing the bot again is a no-op otherwise.
        await app.bot.shutdown()

    def _menu(self) -> list[BotCommand]:
        menu = []
        for name, description in self._commands:
            if not _COMMAND_NAME.match(name):
                log.warning("Telegram command names are a-z, 0-9 and _: skipping /%s", name)
                continue
            menu.append(BotCommand(name, (description.strip() or name)[:256]))
        return menu

    # -- receiving -----------------------------------------------------------

    async def _dispatch(self, update: Update) -> None:
        """Hand one update's events to the bot; :class:`NotStored` if it could not store them."""
        try:
            if update.message is not None or update.edited_message is not None:
                await self._on_message(update, None)
            elif update.message_reaction is not None:
                await self._on_reaction(update, None)
            elif update.chat_member is not None or update.my_chat_member is not None:
                await self._on_member(update, None)
        except NotStored:
            raise
        except Exception:
            # Our own code could not read it: skipped (not retried forever), with the reason.
            log.exception("could not read Telegram update %d; skipped", update.update_id)

    async def _store(self, event: Any) -> None:
        try:
            await self.deliver(event)
        except Exception as exc:
            raise NotStored(f"{type(exc).__name__}: {exc}") from exc

    async def _on_message(self, update: Update, _context: object) -> None:
        msg = update.message or update.edited_message
        if msg is None or not self.started:
            return
        self._remember(msg)
        event = message_event(
            msg,
            edited=update.edited_message is not None,
            bot_username=self._username,
            roles=await self._roles(msg.chat, msg),
            usernames=self._usernames,
        )
        if event is not None:
            await self._store(event)

    async def _on_reaction(self, update: Update, _context: object) -> None:
        change = update.message_reaction
        if change is None or not self.started:
            return
        roles = frozenset[str]()
        if change.user is not None and change.chat.type != Chat.PRIVATE:
            assert self._admins is not None
            roles = await self._admins.roles(change.chat.id, change.user.id)
        for event in reaction_events(change, roles):
            await self._store(event)

    async def _on_member(self, update: Update, _context: object) -> None:
        change = update.chat_member or update.my_chat_member
        if change is None or self._admins is None or not self.started:
            return
        self._admins.note(change.chat.id, change.new_chat_member)
        if update.chat_member is not None:  # my_chat_member is about the bot itself
            event = member_event(change)
            if event is not None:
                await self._store(event)

    def _remember(self, msg: Message) -> None:
        chat = msg.chat
        first_seen = chat.id not in self._forums
        if first_seen and chat.type != Chat.PRIVATE and str(chat.id) not in self._config.channels:
            # Organisers need this id for the config's channels table.
            log.info("Telegram chat %s (%s) is not mapped to an event", chat.id, chat.title)
        self._forums[chat.id] = bool(chat.is_forum)
        user = msg.from_user
        if user is not None and user.username:
            self._usernames[user.username.lower()] = user.id

    async def _roles(self, chat: Chat, msg: Message) -> frozenset[str]:
        if chat.type == Chat.PRIVATE:
            return frozenset()
        if msg.sender_chat is not None:
            # Posting "as the group" is only open to its (anonymous) administrators.
            return frozenset({"admin"}) if msg.sender_chat.id == chat.id else frozenset()
        if msg.from_user is None or self._admins is None:
            return frozenset()
        return await self._admins.roles(chat.id, msg.from_user.id)

    async def perform(self, action: Action) -> list[MessageRef]:
        """Perform ``action``; return the messages it produced (none for React and Pin)."""
        if self._sender is None:
            raise NotStarted(PLATFORM, "Telegram is not connected")
        return await self._sender.send(action)
