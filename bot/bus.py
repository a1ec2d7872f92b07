"""The event loop: store first, then deliver in order per channel, exactly once in effect.

Events from every adapter enter through :meth:`Bus.publish`. A writer task
stores them in batches (the participation log); only events that were new are
then queued on their channel's lane. Each lane delivers its events one at a
time, in arrival order, to the subscribed handlers; lanes run concurrently. A
handler's exception goes to the error hook and never stops the other handlers
or the lane.

What happens when things go wrong
---------------------------------
*Crash (kill -9, power cut) at any moment.* Storing an event also records it
as **pending** (with its full payload) in the same transaction. Handling an
event is one **unit of work** (:meth:`bot.store.Database.unit`): every write
any module makes while handling it, and the deletion of its pending row (its
"handled" mark), commit together, or not at all. On start-up, as each
platform's adapter is attached (:meth:`Bus.redeliver`), the still-pending
events of that platform go to their lanes again, in the order they were
stored, before anything new. So an event is handled completely once:
a question keeps its number, a vote counts once, an ``/event start`` that was
stored but not handled starts the event after the restart. A redelivered event
(the platform sends it again) is still stored once and never handled again.

*The bot's own posts* cannot be rolled back. Each post made while handling an
event has a key (event, subscriber, n-th post, kind) written to the **send
journal** (:mod:`bot.store.journal`) before and after sending, outside the
transaction; handling the event again returns the recorded message ids instead
of posting. A restart posts nothing twice. Work a timer starts (a scheduled
starter, a reminder) runs inside :func:`job`: one unit of work, its posts
journaled under the job's name, so it is neither lost nor doubled either.

The unit's write transaction begins at the first write, so a handler that only
reads (or waits on a model) holds nothing; from the first write until its
event is handled, other writers wait. Events published *by a handler* (e.g.
``SessionChanged``) are stored inside that handler's unit, so they exist
exactly when the change that caused them does.

*An event that cannot be stored* (a lone surrogate in its text, an object where
an id should be) is refused into the store's quarantine with the reason, and
logged; the rest of its batch is stored. ``publish`` returns ``False`` for it
(the platform must not redeliver it forever); a batch that could not be stored
at all raises to the publisher, so an adapter can tell its platform to retry
(Slack: HTTP 503; Telegram: the update is not confirmed, or the webhook answers
503; Discord, which never resends: the adapter keeps the event and retries, and
what is still not stored when the bot stops is kept in a private file beside the
database and stored first at the next start, :mod:`bot.store.inbox`).

*A second process* on the same database is refused when it opens it
(:mod:`bot.store.lock`).

Once a batch is stored, and before its events go to their lanes, the hooks
given to :meth:`Bus.on_stored` see the batch's new events (the embedder starts
on the batch's messages in its own thread, so the modules' later requests find
their vectors ready). A hook must not block and may not change anything the
handlers see: it is only a head start, and one that fails is logged and skipped.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.clock import Clock
from bot.events import Annotation, Event
from bot.store import EventLog

__all__ = [
    "Bus",
    "Delivery",
    "ErrorHook",
    "Handler",
    "Middleware",
    "StoredHook",
    "current_delivery",
    "job",
]

log = logging.getLogger("roundtable.bus")

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None]]
Middleware = Callable[[Handler, Event], Awaitable[None]]
ErrorHook = Callable[[str, Event, BaseException], Awaitable[None]]
StoredHook = Callable[[Sequence[Event]], None]
Transform = Callable[[Event], Event | None]
SessionOf = Callable[[Event], int | None]


@dataclass(frozen=True, slots=True)
class _Subscription:
    event_type: type[Event]
    handler: Handler
    where: Callable[[Any], bool] | None
    name: str


@dataclass(slots=True)
class Delivery:
    """The event a task is handling now (or the timer job it runs), for keys of its posts.

    ``seq`` is the event's position in the log; a job (:func:`job`) has none and
    is known by its ``mark``.
    """

    bus: Bus | None
    seq: int | None
    task: asyncio.Task[Any] | None
    subscriber: str = ""
    posts: dict[str, int] = field(default_factory=dict)
    mark: str = ""

    def post_key(self, kind: str) -> str:
        """A key for the next post, the same each time this event (or job) is handled."""
        n = self.posts.get(self.subscriber, 0) + 1
        self.posts[self.subscriber] = n
        return f"{self.mark or self.seq}/{self.subscriber}/{n}/{kind}"


_delivery: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar(
    "roundtable_delivery", default=None
)


def current_delivery() -> Delivery | None:
    """The delivery the running task is inside, if any (tasks it spawns are not)."""
    delivery = _delivery.get()
    if delivery is not None and delivery.task is asyncio.current_task():
        return delivery
    return None


@asynccontextmanager
async def job(log: EventLog, name: str) -> AsyncIterator[None]:
    """Run work that a timer starts (a scheduled post, a reminder) like an event's handling.

    Everything written inside commits together, or not at all; each post made
    inside goes through the send journal under a key made from ``name``. So if
    the process dies after posting and before the job's own bookkeeping is
    committed, running the job again (same ``name``) after the restart does the
    bookkeeping and returns the post's ids instead of posting again. ``name``
    must say which firing it is (e.g. the session and the starter's number).
    Inside an event's handling this adds nothing: that unit and its keys apply.
    """
    if current_delivery() is not None:
        yield
        return
    mark = "job:" + name.replace("/", "|")
    delivery = Delivery(None, None, asyncio.current_task(), subscriber="job", mark=mark)
    token = _delivery.set(delivery)
    try:
        async with log.job(mark):
            yield
    finally:
        _delivery.reset(token)


_STOP = object()
_Chunk = tuple[list[Event], "asyncio.Future[list[bool]]"]
_Item = tuple[int, Event, bool]  # seq, event, redelivered after a restart


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
        on_redeliver: called just before a pending event is handled again after
            a restart (a replay sets its clock to the event's time).
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
        on_redeliver: Callable[[Event], None] | None = None,
    ) -> None:
        self._log = log
        self._clock = clock
        self._session_of = session_of or (lambda _e: None)
        self._transforms = list(transforms or [])
        self._subs: list[_Subscription] = []
        self._middleware: list[Middleware] = []
        self._error_hooks: list[ErrorHook] = []
        self._stored_hooks: list[StoredHook] = []
        self._batch_size = batch_size
        self._ingest: asyncio.Queue[tuple[Event, asyncio.Future[bool]] | object] = asyncio.Queue(
            maxsize=max_pending
        )
        self._lanes: dict[str, asyncio.Queue[_Item | object]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._writer: asyncio.Task[None] | None = None
        self._on_redeliver = on_redeliver
        self.errors = 0
        self.delivered = 0
        self.duplicates = 0
        self.quarantined = 0
        self.redelivered = 0

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

    def on_stored(self, hook: StoredHook) -> None:
        """Call ``hook(events)`` with each stored batch's new events, before delivery.

        It runs on the loop, so it must return at once (hand work to a thread).
        """
        self._stored_hooks.append(hook)

    def add_transform(self, transform: Transform) -> None:
        self._transforms.append(transform)

    # -- running -------------------------------------------------------------

    async def start(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="bus-writer")

    async def redeliver(
        self,
        platform: str | None = None,
        owns: Callable[[Event], bool] | None = None,
        upto: int | None = None,
    ) -> int:
        """Queue the events stored before a crash but not handled (of ``platform``).

        Call it once the adapter that will carry the answers is attached and
        before it feeds anything new; ``drain`` waits for them. ``upto`` leaves
        out events stored after it (a worker taking over a dead one's share
        already queued those itself).
        """
        pending = [
            (seq, event)
            for seq, event in await self._log.pending()
            if (platform is None or event.platform == platform)
            and (owns is None or owns(event))
            and (upto is None or seq <= upto)
        ]
        if pending:
            log.warning("handling %d events stored before a restart", len(pending))
        for seq, event in pending:
            self._lane(event.place).put_nowait((seq, event, True))
        return len(pending)

    async def publish(self, event: Event) -> bool:
        """Accept an event; return once it is stored (True) or known already (False).

        This is the sink adapters push into. Delivery to handlers happens after,
        on the event's channel lane. ``False`` also answers an event refused
        into quarantine; an event that could not be stored raises.

        An :class:`~bot.events.Annotation` is written onto the row of the message
        it is about, then handed to its subscribers at once (inside the unit of
        work of the handler publishing it, if any); it returns True.
        """
        if isinstance(event, Annotation):
            await self._annotate(event)
            return True
        if current_delivery() is not None:
            # From a handler: store it in the handler's unit of work.
            loop = asyncio.get_running_loop()
            fut: asyncio.Future[list[bool]] = loop.create_future()
            await self._store_and_route([([event], fut)])
            return fut.result()[0]
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
        await self._log.flush()

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
            stored = await self._log.append(events, [self._session_of(e) for e in events])
        except Exception as exc:
            log.exception("could not store %d events", len(events))
            for fut, _ in owners:
                if not fut.done():
                    fut.set_exception(exc)
            return
        for fut, slots in owners:
            if not fut.done():
                fut.set_result([stored[i].fresh if i is not None else False for i in slots])
        if self._stored_hooks:
            fresh = [e for e, r in zip(events, stored, strict=True) if r.seq is not None]
            for hook in self._stored_hooks if fresh else ():
                try:
                    hook(fresh)
                except Exception:  # a head start only: never stops storing or delivery
                    log.exception("a stored-batch hook failed")
        for event, result in zip(events, stored, strict=True):
            if result.seq is not None:
                self._lane(event.place).put_nowait((result.seq, event, False))
            elif result.refused is not None:
                self.quarantined += 1
            else:
                self.duplicates += 1

    def _lane(self, place: str) -> asyncio.Queue[_Item | object]:
        lane = self._lanes.get(place)
        if lane is None:
            lane = asyncio.Queue()
            self._lanes[place] = lane
            self._lane_tasks[place] = asyncio.create_task(
                self._run_lane(lane), name=f"lane:{place}"
            )
        return lane

    async def _run_lane(self, lane: asyncio.Queue[_Item | object]) -> None:
        while True:
            item = await lane.get()
            try:
                if item is _STOP:
                    return
                seq, event, again = item  # type: ignore[misc]
                if again:
                    self.redelivered += 1
                    if self._on_redeliver is not None:
                        self._on_redeliver(event)
                await self._deliver(seq, event)
            except Exception:
                # The unit of work could not commit: the event stays pending and
                # is handled again after a restart.
                log.exception("could not finish handling an event")
            finally:
                lane.task_done()

    async def _deliver(self, seq: int, event: Event) -> None:
        delivery = Delivery(self, seq, asyncio.current_task())
        token = _delivery.set(delivery)
        try:
            async with self._log.handling(seq):
                for sub in self._subs:
                    if not isinstance(event, sub.event_type):
                        continue
                    delivery.subscriber = sub.name
                    try:
                        if sub.where is not None and not sub.where(event):
                            continue
                        await self._call(sub.handler, event, 0)
                        self.delivered += 1
                    except Exception as exc:
                        await self._report(sub.name, event, exc)
        finally:
            _delivery.reset(token)

    async def _annotate(self, note: Annotation) -> None:
        await self._log.annotate(note)
        delivery = current_delivery()
        outer = delivery.subscriber if delivery is not None else ""
        try:
            for sub in self._subs:
                if not isinstance(note, sub.event_type):
                    continue
                if delivery is not None:
                    delivery.subscriber = sub.name
                try:
                    if sub.where is None or sub.where(note):
                        await self._call(sub.handler, note, 0)
                        self.delivered += 1
                except Exception as exc:
                    await self._report(sub.name, note, exc)
        finally:
            if delivery is not None:
                delivery.subscriber = outer

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
