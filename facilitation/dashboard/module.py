"""The dashboard module: ``/dashboard`` in chat, and the web server that shows the event live.

Registering is like every module's: a command, and one subscription that tells
open pages something happened (after the other modules have handled it, since
the dashboard comes last). The web server is started only when asked
(:meth:`DashboardModule.serve`, by ``roundtable run`` and ``roundtable demo
--serve``), so building the bot in tests never opens a port.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web

from bot.actions import DirectMessage, React, Target
from bot.bus import Bus
from bot.clock import Clock, SystemClock
from bot.commands import CommandRouter, CommandSpec, Invocation
from bot.events import Event
from bot.module import Services
from facilitation.dashboard.actions import Commander
from facilitation.dashboard.auth import Auth, Viewer
from facilitation.dashboard.config import DashboardConfig
from facilitation.dashboard.hub import Hub
from facilitation.dashboard.parts import Dashboard
from facilitation.dashboard.server import (
    build_app,  # lazy: templates load only when serving
)
from facilitation.dashboard.sources import Sources

__all__ = ["DashboardModule"]

log = logging.getLogger("roundtable.dashboard")


class DashboardModule:
    """The live dashboard.

    Args:
        services: the shared parts. The dashboard reads the queue, the conversations,
            the snapshots awaiting approval, the ledger's figures and the report
            through ``services.exports`` (:mod:`bot.exports`), never the modules.
        wall_clock: real time for login links and sessions (the bot's clock may
            be a replay's).
    """

    name = "dashboard"

    def __init__(
        self,
        services: Services,
        *,
        wall_clock: Clock | None = None,
    ) -> None:
        self._s = services
        self.cfg = services.config.section("dashboard", DashboardConfig)
        self.auth = Auth(
            wall_clock or SystemClock(),
            link_minutes=self.cfg.link_minutes,
            session_hours=self.cfg.session_hours,
        )
        self.hub = Hub()
        self.sources = Sources(services.exports, figures_seconds=self.cfg.figures_seconds)
        self.commander: Commander | None = None
        self.base_url: str | None = None
        self._runner: web.AppRunner | None = None

    async def setup(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        self.commander = Commander(
            commands, self._s.roles, self._s.outbox, self._s.prompts, self._s.clock
        )
        bus.subscribe(Event, self._on_event, name="dashboard.live")
        commands.add(
            CommandSpec(
                "dashboard",
                "Get a private link to the live dashboard in your browser",
                self._dashboard,
            )
        )

    async def _on_event(self, event: Event) -> None:
        self.hub.touch()

    # -- the web server ------------------------------------------------------

    def app(self) -> web.Application:
        """The aiohttp application (tests serve it with aiohttp's test server)."""

        return build_app(self._dashboard_parts())

    def _dashboard_parts(self) -> Dashboard:
        assert self.commander is not None, "register() first"
        return Dashboard(
            services=self._s,
            auth=self.auth,
            hub=self.hub,
            sources=self.sources,
            commander=self.commander,
            url=lambda: self.base_url or "",
        )

    async def serve(self, host: str | None = None, port: int | None = None) -> str:
        """Start serving; return the base URL. Raises ``OSError`` if the port is taken."""
        host = host or self.cfg.host
        port = self.cfg.port if port is None else port
        runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=2)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = port
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            bound = int(server.sockets[0].getsockname()[1])
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.base_url = self.cfg.public_url or f"http://{shown}:{bound}"
        log.info("dashboard at %s", self.base_url)
        return self.base_url

    def login_link(
        self, viewer: Viewer, *, slug: str | None = None, lifetime: timedelta | None = None
    ) -> str:
        """A personal sign-in link (the server must be running)."""
        token = self.auth.issue(viewer, lifetime)
        link = f"{self.base_url}/login?token={token}"
        return f"{link}&next=/e/{slug}" if slug else link

    async def aclose(self) -> None:
        self.hub.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- /dashboard -------------------------------------------------------------

    async def _dashboard(self, inv: Invocation) -> None:
        p = self._s.prompts
        ev = inv.event
        if self.base_url is None:
            await inv.tell(p("dashboard.off"))
            return
        outbox = self._s.outbox
        caps = outbox.capabilities(ev.platform)
        if not ev.private and not caps.direct_messages:
            await inv.reply(p("dashboard.dm_only"))
            return
        viewer = Viewer(ev.platform, ev.author, ev.display_name, ev.author_roles)
        slug = inv.session.slug if inv.session is not None else None
        text = p(
            "dashboard.link", url=self.login_link(viewer, slug=slug), minutes=self.auth.link_minutes
        )
        sid = inv.session.id if inv.session else None
        await outbox.send(
            DirectMessage(platform=ev.platform, user=ev.author, text=text, community=ev.community),
            sid,
            record=False,  # a working sign-in link never lands in the log
        )
        if not ev.private and ev.message_id and caps.reactions:
            await outbox.send(
                React(target=Target.of(ev), message_id=ev.message_id, emoji="✅"), sid
            )
