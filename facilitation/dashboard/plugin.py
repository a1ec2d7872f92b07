"""Registers the dashboard (``[dashboard]``): it reads the other modules' exports."""

from __future__ import annotations

from datetime import timedelta

from bot.module import Module, Services
from bot.plugins import DoctorLine, ModuleSpec, ServeRequest
from facilitation.dashboard.auth import Viewer
from facilitation.dashboard.config import DashboardConfig
from facilitation.dashboard.module import DashboardModule

__all__ = ["SPEC"]


def _build(services: Services, _section: DashboardConfig) -> Module:
    return DashboardModule(services)


async def _serve(dash: DashboardModule, request: ServeRequest) -> list[DoctorLine]:
    """Serve the dashboard if the config (or the command) wants it; a taken port is reported."""
    if not (dash.cfg.enabled or request.always):
        return []
    try:
        url = await dash.serve(port=request.port)
    except OSError as exc:
        if request.port is not None:
            return [
                (
                    False,
                    f"The dashboard could not start on port {request.port}: {exc.strerror}. "
                    "Try another one with --port (0 picks a free one).",
                )
            ]
        return [
            (
                False,
                f"The dashboard could not start on {dash.cfg.host}:{dash.cfg.port} "
                f"({exc.strerror}). Set another port in [dashboard]; the bot runs on without it.",
            )
        ]
    if request.guest is not None:
        platform, user, name = request.guest
        viewer = Viewer(platform, user, name)
        link = dash.login_link(viewer, slug=request.slug, lifetime=timedelta(hours=12))
        return [(True, f"Dashboard: {link}")]
    return [(True, f"Dashboard: {url} (type /dashboard in the chat for your sign-in link)")]


SPEC = ModuleSpec(name="dashboard", config=DashboardConfig, factory=_build, serve=_serve, order=100)
