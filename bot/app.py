"""Assembles Roundtable from a config: store, bus, commands, modules, adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path

from threadpoolctl import threadpool_limits

from bot.adapter import Adapter
from bot.bus import Bus
from bot.clock import Clock, FakeClock, SystemClock
from bot.commands import CommandRouter, as_command
from bot.config import Config
from bot.events import CommandIssued, Event, plausible_ts
from bot.exports import Exports
from bot.forget import PersonalData
from bot.module import EmbedderProvider, Module, Services
from bot.offload import Offload
from bot.outbox import Outbox
from bot.people import LinkBook
from bot.plugins import (
    DoctorLine,
    ModuleSpec,
    PlatformContext,
    Registry,
    ServeRequest,
    default_registry,
)
from bot.prompts import Prompts
from bot.roles import RoleBook
from bot.sessions import SessionRegistry
from bot.store import Database
from bot.store.inbox import Inbox
from bot.store.personal import LogPersonalData
from bot.store.pglog import open_event_log
from bot.store.postgres import PostgresDatabase
from bot.workers import Crew, Leadership, Share, WorkerInUse, lock_key

__all__ = ["Roundtable"]

log = logging.getLogger("roundtable")

ModuleFactory = Callable[[Services], Sequence[Module]]
SETUP_LOCK = lock_key("setup")


def _plausible_time(event: Event) -> Event | None:
    """Drop an event whose time no chat could have (adapters refuse these first)."""
    if plausible_ts(event.ts):
        return event
    log.warning(
        "dropped %s from %s: its time %s is implausible", event.kind, event.platform, event.ts
    )
    return None


class Roundtable:
    """The running bot. Use as ``async with Roundtable(config) as bot: ...``.

    Args:
        config: the validated configuration.
        clock: time source (tests pass a :class:`~bot.clock.FakeClock`).
        db_path: overrides the store (a file, ``":memory:"`` for tests, or a
            ``postgresql://`` URL).
        modules: builds the facilitation modules; the default is every module the
            registry holds, in their declared order.
        embedder: a shared embedding provider (tests reuse one loaded model).
        registry: the plugins (default: every installed one, see :mod:`bot.plugins`).
        standing_in_for: makes this a stand-in for a dead worker (its config's
            ``[worker]``), run inside the worker named here (see :mod:`bot.workers`).
    """

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        db_path: str | Path | None = None,
        modules: ModuleFactory | None = None,
        embedder: EmbedderProvider | None = None,
        registry: Registry | None = None,
        standing_in_for: str | None = None,
    ) -> None:
        self.config = config
        self.registry = registry if registry is not None else default_registry()
        self.clock = clock or SystemClock()
        self._db_path = db_path if db_path is not None else config.store_target()
        self._module_factory = modules
        self._embedder = embedder
        self._standing_in_for = standing_in_for
        self._stand_ins: dict[str, Roundtable] = {}
        self._adapters: list[Adapter] = []
        self.inbox = Inbox(None)  # beside the database once it is open
        self.modules: list[Module] = []
        self.offload = Offload()

    async def __aenter__(self) -> Roundtable:
        await self.setup()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def setup(self) -> None:
        cfg = self.config
        self.db = await Database.open(self._db_path)
        self.inbox = Inbox.beside(self.db.path)
        self.share = cfg.worker.share()
        self.leader = Leadership.solo()
        self.crew: Crew | None = None
        if isinstance(self.db, PostgresDatabase):
            conn = self.db.connection
            configured = {
                spec.name
                for spec in self.registry.platforms()
                if spec.runs == "configured" and spec.name in cfg.sections
            }
            # Only a worker running every platform leads: timed posts go everywhere.
            eligible = all(self.share.runs(p) for p in configured)
            if self._standing_in_for is not None:
                eligible = False  # the worker it stands in for leads, or not
            elif not eligible:
                log.info(
                    "this worker runs only %s: it leaves the timed jobs to a worker that runs"
                    " every platform",
                    ", ".join(self.share.platforms),
                )
            self.leader = Leadership(
                self._db_path_text(), interval=cfg.worker.leader_check_seconds, eligible=eligible
            )
            self.crew = Crew(
                self.db,
                conn.raw,
                conn._gate,
                self.share,
                self.leader,
                standing_in_for=self._standing_in_for,
            )
            try:
                await self.crew.join()
                async with self._one_at_a_time():
                    await self.crew.register()
            except BaseException:
                await self.db.close()
                raise
        try:
            await self.leader.start()
            async with self._one_at_a_time():
                await self._build()
            await self.bus.start()
        except BaseException:
            await self._abandon()
            raise
        if self.crew is not None and self._standing_in_for is None:
            self.crew.watch(self._stand_in, self._give_back)

    async def _stand_in(self, share: Share, upto: int) -> int | None:
        """Run a dead worker's share here (see :mod:`bot.workers`); its pending events queued.

        ``upto``: the last event stored before the new events of that share come here.
        """
        worker = self.config.worker.model_copy(
            update={
                "name": share.name,
                "platforms": list(share.platforms),
                "channels": list(share.channels),
                "direct_messages": share.direct_messages,
            }
        )
        stand_in = Roundtable(
            self.config.model_copy(update={"worker": worker}),
            clock=self.clock,
            db_path=self._db_path,
            modules=self._module_factory,
            embedder=self.embedder,
            registry=self.registry,
            standing_in_for=self.share.name,
        )
        try:
            await stand_in.setup()
        except WorkerInUse:
            return None  # it came back first
        except BaseException:
            log.exception("could not stand in for worker %r", share.name)
            raise
        for adapter in self._adapters:
            stand_in.outbox.attach(adapter)  # it posts through this worker's connections
        self._stand_ins[share.name] = stand_in  # new events of its share go there now
        count = 0
        for platform in stand_in.outbox.platforms:
            count += await stand_in.bus.redeliver(platform, share.owns, upto=upto)
        return count

    async def _give_back(self, name: str) -> None:
        """Close the stand-in for ``name``: its events finished, marks written, name let go."""
        stand_in = self._stand_ins.pop(name, None)
        if stand_in is not None:
            await stand_in.aclose()

    async def _publish(self, event: Event) -> bool:
        """An event from an adapter: to the stand-in whose share it is, else to this bus."""
        for stand_in in self._stand_ins.values():
            if stand_in.share.owns(event):
                return await stand_in.bus.publish(event)
        return await self.bus.publish(event)

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self) -> AsyncIterator[None]:
        """Workers starting together on one PostgreSQL store set it up one after another."""
        if not isinstance(self.db, PostgresDatabase):
            yield
            return
        conn = self.db.connection
        async with conn._gate:
            await conn.raw.execute("SELECT pg_advisory_lock($1)", SETUP_LOCK)
        try:
            yield
        finally:
            async with conn._gate:
                await conn.raw.execute("SELECT pg_advisory_unlock($1)", SETUP_LOCK)

    async def _build(self) -> None:
        cfg = self.config
        self.log = open_event_log(self.db, self.share.name)
        await self.log.setup()
        self.sessions = SessionRegistry(self.db, self.clock, cfg.planned_sessions(self.registry))
        await self.sessions.setup()
        self.roles = RoleBook(
            self.db,
            organisers=cfg.roles.organisers,
            moderators=cfg.roles.moderators,
            panellists=cfg.roles.panellists,
            trust_platform_roles=cfg.roles.trust_platform_roles,
        )
        await self.roles.setup()
        self.prompts = Prompts.load(
            cfg.resolve(cfg.bot.prompts_dir) if cfg.bot.prompts_dir else None
        )
        self.outbox = Outbox(self.log, self.clock)
        self.commands = CommandRouter(self.roles, self.sessions, self.prompts, self._respond)
        self.bus = Bus(
            self.log,
            self.clock,
            session_of=self.sessions.session_id_of,
            batch_size=cfg.store.batch_size,
            on_redeliver=self._follow_clock,
        )
        self.bus.add_transform(_plausible_time)
        self.bus.add_transform(as_command(cfg.bot.command_prefixes, self.commands.knows))
        self._scoped = frozenset(
            s.name for s in self.registry.platforms() if s.runs == "configured"
        )
        if not cfg.bot.log_unmapped_channels:
            self.bus.add_transform(self._in_scope)
        if not self.share.everything:
            self.bus.add_transform(self._in_share)
        self.bus.subscribe(CommandIssued, self.commands.handle, name="commands")
        # numpy's small matrices (threading, ranking) run on the loop: more BLAS
        # threads than that only spin against the model's and the loop.
        threadpool_limits(cfg.models.threads, user_api="blas")
        embedder = self._embedder or EmbedderProvider(
            cfg.models.embeddings,
            enabled=cfg.models.enabled,
            max_length=cfg.models.max_length,
            threads=cfg.models.threads,
        )
        self.embedder = embedder
        # each stored batch's messages embedded in one call, before the modules ask
        self.bus.on_stored(embedder.prewarm)
        self.personal = PersonalData(self.db)
        self.people = LinkBook(self.db)
        await self.people.setup()
        for store in (LogPersonalData(self.db), self.sessions, self.roles, self.people):
            self.personal.register(store)
        self.services = Services(
            config=cfg,
            db=self.db,
            log=self.log,
            sessions=self.sessions,
            roles=self.roles,
            prompts=self.prompts,
            outbox=self.outbox,
            clock=self.clock,
            embedder=embedder,
            personal=self.personal,
            exports=Exports(self.db, self.registry.exports()),
            people=self.people,
            leader=self.leader,
            owns_place=self.share.owns_place,
            offload=self.offload,
        )
        self._serving: list[tuple[Module, ModuleSpec]] = []
        factory = self._module_factory or self._registered_modules
        self.modules = list(factory(self.services))
        self.registry.offer_live_exports(self.modules, self.services.exports)
        for module in self.modules:
            await module.setup()
            module.register(self.bus, self.commands)

    def _db_path_text(self) -> str:
        return str(self._db_path)

    def _in_share(self, event: Event) -> Event | None:
        """Leave what another worker owns to that worker (it stores and handles it)."""
        return event if self.share.owns(event) else None

    def _follow_clock(self, event: Event) -> None:
        """A replay's clock follows its transcript, also for events handled after a restart."""
        if isinstance(self.clock, FakeClock) and event.ts > self.clock.now():
            self.clock.set(event.ts)

    def _registered_modules(self, services: Services) -> list[Module]:
        built: list[Module] = []
        for spec in self.registry.modules():
            section = self.config.section(spec.name, spec.config) if spec.config else None
            module = spec.factory(services, section)
            built.append(module)
            if spec.serve is not None:
                self._serving.append((module, spec))
        return built

    async def serve(self, request: ServeRequest | None = None) -> list[DoctorLine]:
        """Start what the modules serve while the bot runs (the dashboard); what to print."""
        lines: list[DoctorLine] = []
        for module, spec in self._serving:
            assert spec.serve is not None
            lines.extend(await spec.serve(module, request or ServeRequest()))
        return lines

    def platform_adapters(self, environ: Mapping[str, str] | None = None) -> list[Adapter]:
        """One adapter per platform section in the config (none: the console room is up to
        the caller)."""
        env = os.environ if environ is None else environ
        context = PlatformContext(env, self.commands.top_level(), self.clock, self.drain)
        return [
            spec.factory(self.config.sections[spec.name], context)
            for spec in self.registry.platforms()
            if spec.runs == "configured"
            and spec.factory is not None
            and spec.name in self.config.sections
            and self.share.runs(spec.name)
        ]

    def fallback_adapters(self) -> list[Adapter]:
        """The adapters to open when no platform is configured (the console room)."""
        context = PlatformContext(os.environ, self.commands.top_level(), self.clock, self.drain)
        return [
            spec.factory(self.config.section(spec.name, spec.config), context)
            for spec in self.registry.platforms()
            if spec.runs == "fallback" and spec.factory is not None
        ]

    def _in_scope(self, event: Event) -> Event | None:
        """Drop chatter from channels no event uses, on real platforms.

        Commands and direct messages always pass (someone is talking to the bot);
        replays and the console room log everything they are given.
        """
        if event.platform not in self._scoped or event.private:
            return event
        if isinstance(event, CommandIssued):
            return event
        if self.sessions.at(event.place) or self.sessions.planned_for(event.place):
            return event
        return None

    async def _respond(self, command: CommandIssued, text: str, private: bool) -> None:
        await self.outbox.respond(command, text, private)

    async def attach(self, adapter: Adapter) -> None:
        """Route actions to ``adapter`` and start it feeding the bus.

        Events of its platform stored before a crash and not handled are
        handled first, so their answers go out through it.
        """
        self.outbox.attach(adapter)
        self._adapters.append(adapter)
        # The adapter must be started to post the answers of events handled
        # again, but what it receives meanwhile waits until they are handled.
        handled_again = asyncio.Event()

        async def sink(event: Event) -> bool:
            if not handled_again.is_set():
                await handled_again.wait()
            return await self._publish(event)

        await adapter.start(sink)
        try:
            if await self.bus.redeliver(adapter.name, self.share.owns):
                await self.bus.drain()
            # what it had received and not stored when the bot last stopped
            kept = await self.inbox.hand_over(adapter.name, self.bus.publish)
            if kept:
                log.info("stored %d %s event(s) kept at the last stop", kept, adapter.name)
                await self.bus.drain()
        finally:
            handled_again.set()

    async def drain(self) -> None:
        await self.bus.drain()
        for stand_in in list(self._stand_ins.values()):
            await stand_in.drain()

    async def settle(self) -> None:
        """Drain, and write every buffered "handled" mark (stand-ins' too)."""
        await self.drain()
        await self.log.flush()
        for stand_in in list(self._stand_ins.values()):
            await stand_in.log.flush()

    async def _abandon(self) -> None:
        """A setup that failed (or was cancelled) midway: close what it opened."""
        await self.leader.aclose()
        log_ = getattr(self, "log", None)
        with contextlib.suppress(Exception):
            if log_ is not None:
                await log_.journal.close()
        with contextlib.suppress(Exception):
            await self.db.close()

    def _keep_leftovers(self, adapter: Adapter) -> None:
        """Keep what a closed adapter received and the bot did not store (it is not sent again)."""
        leftovers = getattr(adapter, "leftovers", None)
        left: list[Event] = leftovers() if callable(leftovers) else []
        if not left:
            return
        try:
            kept = self.inbox.keep(left)
        except OSError:
            log.exception("could not keep %d %s event(s)", len(left), adapter.name)
            kept = 0
        if kept:
            log.warning(
                "kept %d %s event(s) not stored yet in %s; they are stored at the next start",
                kept,
                adapter.name,
                self.inbox.path,
            )
        if kept < len(left):
            log.error(
                "stopping with %d %s event(s) that could not be stored or kept; they are lost",
                len(left) - kept,
                adapter.name,
            )

    async def aclose(self) -> None:
        await self.leader.aclose()  # no more checks, so no new stand-in
        for name in list(self._stand_ins):
            await self._give_back(name)
        for adapter in reversed(self._adapters):
            try:
                await adapter.aclose()
            except Exception:
                log.exception("could not close %s", adapter.name)
            self._keep_leftovers(adapter)
        self._adapters.clear()
        await self.bus.aclose()
        for module in reversed(self.modules):
            try:
                await module.aclose()
            except Exception:
                log.exception("could not close module %s", module.name)
        if self._embedder is None:
            self.embedder.close()
        await self.offload.aclose()
        await self.leader.aclose()
        await self.log.close()
        await self.db.close()
