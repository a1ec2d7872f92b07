"""Receiving Telegram updates so that one is confirmed only once its events are stored.

python-telegram-bot's own receivers acknowledge an update before any handler
runs: its ``Updater`` moves the ``getUpdates`` offset past every update it
fetched, and its webhook server answers 200 as soon as the update is queued.
If storing the event then fails, Telegram never sends it again: it is lost.
So Roundtable receives with the library's own calls, in the order its
documentation gives for custom receivers, and tells Telegram the truth:

* **Long polling** (:class:`Poller`): ``Bot.get_updates`` with an offset that
  moves past an update only after it was handled. An update whose event could
  not be stored (:class:`NotStored`) is tried again with a growing pause, and
  stays unconfirmed meanwhile: if the process stops, Telegram sends it again.
* **Webhook** (:class:`WebhookServer`): an aiohttp server that answers 200
  once the update's events are stored, 503 when they could not be (Telegram
  then retries the delivery), 403 without the right secret, 400 for a body
  that is not an update. ``Bot.set_webhook`` registers it.

An update redelivered after a restart is stored once (the bus drops known
events). An update our own code cannot read is logged with the reason and
skipped, so it cannot block the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.error import BadRequest, NetworkError, TelegramError

__all__ = ["NotStored", "Poller", "WebhookServer"]

log = logging.getLogger("roundtable.adapters.telegram")

Handle = Callable[[Update], Awaitable[None]]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_MAX_PAUSE = 60.0


class NotStored(Exception):
    """The bot could not store an update's event: Telegram must not consider it delivered."""


class Poller:
    """Long polling that confirms each update only after it was handled."""

    def __init__(self, bot: Bot, handle: Handle, *, timeout: float, allowed: Sequence[str]) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self._allowed = list(allowed)
        self._offset: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._busy = False
        self._stopping = False
        self._stop = asyncio.Event()

    async def start(self) -> None:
        await self._bot.delete_webhook()  # getUpdates is refused while a webhook is set
        self._task = asyncio.create_task(self._run(), name="telegram-poll")

    async def stop(self) -> None:
        """Finish the update in hand, stop, and confirm what was handled."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._stop.set()
        if not self._busy:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self._offset is not None:
            try:  # confirm without waiting (as the library's Updater does on stop)
                await self._bot.get_updates(offset=self._offset, timeout=0)
            except TelegramError as exc:
                log.warning("could not confirm the last Telegram updates: %s", exc)

    async def _run(self) -> None:
        pause = 1.0
        while not self._stopping:
            try:
                updates = await self._bot.get_updates(
                    offset=self._offset,
                    timeout=timedelta(seconds=self._timeout),
                    allowed_updates=self._allowed,
                )
            except TelegramError as exc:
                _polling_error(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 1.0
            for update in updates:
                self._busy = True
                try:
                    if not await self._until_stored(update):
                        return  # stopping: left unconfirmed, Telegram sends it again
                finally:
                    self._busy = False
                self._offset = update.update_id + 1
                if self._stopping:
                    return

    async def _until_stored(self, update: Update) -> bool:
        pause = 1.0
        while True:
            try:
                await self._handle(update)
                return True
            except NotStored as exc:
                log.warning(
                    "Telegram update %d could not be stored (%s); it stays unconfirmed"
                    " and is tried again in %.0f s",
                    update.update_id,
                    exc,
                    pause,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), pause)  # a pause, cut short by stop()
            if self._stopping:
                return False
            pause = min(pause * 2, _MAX_PAUSE)


def _polling_error(exc: TelegramError) -> None:
    # A dropped connection is routine: retry with back-off. Only a real problem
    # (e.g. Conflict: another instance polls with this token) deserves an ERROR.
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        log.warning("Telegram connection interrupted (%s); reconnecting", exc)
    else:
        log.error("Telegram polling failed: %s", exc)


class WebhookServer:
    """The local end of a Telegram webhook: 200 only once the update is stored."""

    def __init__(
        self,
        bot: Bot,
        handle: Handle,
        *,
        secret: str | None,
        listen: str,
        port: int,
        path: str,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._secret = secret
        self._listen = listen
        self._port = port
        self._path = "/" + path.strip("/")
        self._runner: web.AppRunner | None = None

    async def start(self, url: str, allowed: Sequence[str]) -> None:
        app = web.Application()
        app.router.add_post(self._path, self._post)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        self._runner = runner
        await web.TCPSite(runner, self._listen, self._port).start()
        await self._bot.set_webhook(
            url=url, allowed_updates=list(allowed), secret_token=self._secret
        )

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()  # requests in hand finish first

    async def _post(self, request: web.Request) -> web.Response:
        if self._secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self._secret.encode()):
                return web.Response(status=403, text="wrong or missing secret token")
        if request.content_type != "application/json":
            return web.Response(status=403, text="expected application/json")
        try:
            data: Any = await request.json()
            update = Update.de_json(data, self._bot) if isinstance(data, dict) else None
        except Exception as exc:  # the library's parser names what it could not read
            log.warning("refused a webhook body that is not a Telegram update: %s", exc)
            return web.Response(status=400, text="not a Telegram update")
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        try:
            await self._handle(update)
        except NotStored as exc:
            log.warning(
                "Telegram update %d could not be stored (%s); answered 503 so Telegram"
                " delivers it again",
                update.update_id,
                exc,
            )
            return web.Response(status=503, text="could not store the update; try again")
        return web.Response(status=200)
