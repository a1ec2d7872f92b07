"""The event loop: store first, then deliver in order per channel.

Events from every adapter enter through :meth:`Bus.publish`. A writer task
stores them in batches (the participation log); only events that were new are
then queued on their channel's lane. Each lane delivers its events one at a
time, in arrival order, to the subscribed handlers; lanes run concurrently. A
handler's exception goes to the error hook and never stops the other handlers
or the lane.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.clock import Clock
from bot.events import Event
from bot.store import EventLog

__all__ = ["Bus", "ErrorHook", "Handler", "Middleware"]

log = logging.getLogger("roundtable.bus")

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None]]
Middleware = Callable[[Handler, Event], Awaitable[None]]
ErrorHook = Callable[[str, Event, BaseException], Awaitable[None]]
Transform = Callable[[Event], Event | None]
SessionOf = Callable[[Event], int | None]


@dataclass(frozen=True, slots=True)
class _Subscription:
    event_type: type[Event]
    handler: Handler
    where: Callable[[Any], bool] | None
    name: str


_STOP = object()
_Chunk = tuple[list[Event], "asyncio.Future[list[bool]]"]


class Bus:
    """Stores every event, then delivers it to subscribers, ordered per channel.

    Args:
        log: the participation log events are written to before delivery.
        clock: for timestamps of errors.
        session_of: which event (session) an incoming event belongs to, stamped
            on its log row.
        transforms: run on each event before it is stored (e.g. turning a typed
            ``/ask`` message into a command); returning ``None`` drops it.
        batch_size: most events written in one transaction.
        max_pending: batches accepted but not yet stored before ``publish`` waits.
    """

    def __init__(
        self,
        log: EventLog,
        clock: Clock,
        *,
        session_of: SessionOf | None = None,
        transforms: list[Transform] | None = None,
        batch_size: int = 1000,
        max_pending: int = 1000,
    ) -> None:
        self._log = log
        self._clock = clock
        self._session_of = session_of or (lambda _e: None)
        self._transforms = list(transforms or [])
        self._subs: list[_Subscription] = []
        self._middleware: list[Middleware] = []
        self._error_hooks: list[ErrorHook] = []
        self._batch_size = batch_size
        self._ingest: asyncio.Queue[tuple[Event, asyncio.Future[bool]] | object] = asyncio.Queue(
            maxsize=max_pending
        )
        self._lanes: dict[str, asyncio.Queue[Event | object]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._writer: asyncio.Task[None] | None = None
        self.errors = 0
        self.delivered = 0
        self.duplicates = 0

    # -- wiring --------------------------------------------------------------

    def subscribe(
        self,
        event_type: type[E],
        handler: Callable[[E], Awaitable[None]],
        *,
        where: Callable[[E], bool] | None = None,
        name: str | None = None,
    ) -> None:
        """Call ``handler`` for every stored event of ``event_type`` (or a subclass)."""
        label = name or str(getattr(handler, "__qualname__", repr(handler)))
        self._subs.append(_Subscription(event_type, handler, where, label))

    def use(self, middleware: Middleware) -> None:
        """Wrap every handler call: ``await middleware(handler, event)``."""
        self._middleware.append(middleware)

    def on_error(self, hook: ErrorHook) -> None:
        self._error_hooks.append(hook)

    def add_transform(self, transform: Transform) -> None:
        self._transforms.append(transform)

    # -- running -------------------------------------------------------------

    async def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="bus-writer")

    async def publish(self, event: Event) -> bool:
        """Accept an event; return once it is stored (True) or known already (False).

        This is the sink adapters push into. Delivery to handlers happens after,
        on the event's channel lane.
        """
        fresh = await self._submit([event])
        return fresh[0]

    async def publish_many(self, events: Sequence[Event]) -> list[bool]:
        """Feed events in order, letting the writer batch them; wait until stored."""
        futures = [
            self._submit(list(events[i : i + self._batch_size]))
            for i in range(0, len(events), self._batch_size)
        ]
        results: list[bool] = []
        for chunk in await asyncio.gather(*futures):
            results.extend(chunk)
        return results

    def _submit(self, events: list[Event]) -> Awaitable[list[bool]]:
        if self._writer is None:
            raise RuntimeError("Bus.start() has not been called")
        fut: asyncio.Future[list[bool]] = asyncio.get_running_loop().create_future()

        async def enqueue() -> list[bool]:
            await self._ingest.put((events, fut))
            return await fut

        return enqueue()

    async def drain(self) -> None:
        """Wait until every accepted event has been stored and delivered."""
        while True:
            await self._ingest.join()
            for lane in list(self._lanes.values()):
                await lane.join()
            if self._ingest.empty() and all(q.empty() for q in self._lanes.values()):
                return

    async def aclose(self) -> None:
        """Finish what was accepted, then stop the writer and the lanes."""
        if self._writer is None:
            return
        await self.drain()
        await self._ingest.put(_STOP)
        await self._writer
        self._writer = None
        for lane in self._lanes.values():
            lane.put_nowait(_STOP)
        await asyncio.gather(*self._lane_tasks.values(), return_exceptions=True)
        self._lanes.clear()
        self._lane_tasks.clear()

    # -- internals -----------------------------------------------------------

    def _transform(self, event: Event) -> Event | None:
        current: Event | None = event
        for transform in self._transforms:
            if current is None:
                return None
            current = transform(current)
        return current

    async def _write_loop(self) -> None:
        stopping = False
        while not stopping:
            chunks: list[_Chunk] = []
            count = 0
            taken = 0
            item = await self._ingest.get()
            while True:
                taken += 1
                if item is _STOP:
                    stopping = True
                    break
                chunk: _Chunk = item  # type: ignore[assignment]
                chunks.append(chunk)
                count += len(chunk[0])
                if count >= self._batch_size or self._ingest.empty():
                    break
                item = self._ingest.get_nowait()
            try:
                await self._store_and_route(chunks)
            finally:
                for _ in range(taken):
                    self._ingest.task_done()

    async def _store_and_route(self, chunks: list[_Chunk]) -> None:
        if not chunks:
            return
        events: list[Event] = []
        owners: list[tuple[asyncio.Future[list[bool]], list[int | None]]] = []
        for raw_events, fut in chunks:
            slots: list[int | None] = []
            for raw in raw_events:
                try:
                    event = self._transform(raw)
                except Exception as exc:  # a broken transform must not lose the event
                    log.exception("transform failed for %s", raw.dedup_key)
                    await self._report("transform", raw, exc)
                    event = raw
                if event is None:
                    slots.append(None)
                else:
                    slots.append(len(events))
                    events.append(event)
            owners.append((fut, slots))
        try:
            fresh = await self._log.append(events, [self._session_of(e) for e in events])
        except Exception as exc:
            log.exception("could not store %d events", len(events))
            for fut, _ in owners:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for fut, slots in owners:
            if not fut.done():
                fut.set_result([fresh[i] if i is not None else False for i in slots])
        for event, is_new in zip(events, fresh, strict=True):
            if is_new:
                self._lane(event.place).put_nowait(event)
            else:
                self.duplicates += 1

    def _lane(self, place: str) -> asyncio.Queue[Event | object]:
        lane = self._lanes.get(place)
        if lane is None:
            lane = asyncio.Queue()
            self._lanes[place] = lane
            self._lane_tasks[place] = asyncio.create_task(
                self._run_lane(lane), name=f"lane:{place}"
            )
        return lane

    async def _run_lane(self, lane: asyncio.Queue[Event | object]) -> None:
        while True:
            item = await lane.get()
            try:
                if item is _STOP:
                    return
                assert isinstance(item, Event)
                await self._deliver(item)
            finally:
                lane.task_done()

    async def _deliver(self, event: Event) -> None:
        for sub in self._subs:
            if not isinstance(event, sub.event_type):
                continue
            try:
                if sub.where is not None and not sub.where(event):
                    continue
                await self._call(sub.handler, event, 0)
                self.delivered += 1
            except Exception as exc:
                await self._report(sub.name, event, exc)

    async def _call(self, handler: Handler, event: Event, depth: int) -> None:
        if depth == len(self._middleware):
            await handler(event)
            return

        async def inner(e: Event) -> None:
            await self._call(handler, e, depth + 1)

        await self._middleware[depth](inner, event)

    async def _report(self, subscriber: str, event: Event, exc: BaseException) -> None:
        self.errors += 1
        log.error(
            "%s failed on %s: %s",
            subscriber,
            event.dedup_key,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        try:
            await self._log.record_error(
                subscriber,
                event.dedup_key,
                "".join(traceback.format_exception_only(type(exc), exc)).strip(),
                self._clock.now(),
            )
        except Exception:
            log.exception("could not record an error")
        for hook in self._error_hooks:
            try:
                await hook(subscriber, event, exc)
            except Exception:
                log.exception("error hook failed")
