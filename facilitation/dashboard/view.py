"""What one viewer's page holds: the sections they may see, filled from the sources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.exports import QueueCard
from bot.roles import Role
from bot.sessions import Session
from facilitation.dashboard.auth import BrowserSession

if TYPE_CHECKING:
    from facilitation.dashboard.parts import Dashboard

__all__ = ["SECTIONS", "page_context"]

SECTIONS = ("queue", "waiting", "answered", "figures", "conversations", "snapshots", "downloads")
# every command a button may run, to show only the buttons a viewer may use
COMMANDS = (
    "upvote",
    "approve",
    "reject",
    "edit",
    "merge",
    "pin",
    "now",
    "answered",
    "split",
    "reopen",
    "snapapprove",
    "snapskip",
    "export",
)
QUADRANTS = {
    "large and deep": "Large and deep: many people, talking with each other",
    "large and shallow": "Large and shallow: many people, little back and forth",
    "small and deep": "Small and deep: a few people, talking a lot",
    "small and shallow": "Small and shallow: a few people, little back and forth",
}


def _role(roles: frozenset[Role]) -> str:
    for role in (Role.ORGANISER, Role.MODERATOR, Role.PANELLIST):
        if role in roles:
            return role.value
    return Role.PARTICIPANT.value


def _group(cards: list[QueueCard], *states: str) -> list[QueueCard]:
    return [c for c in cards if c.state in states]


async def page_context(d: Dashboard, bs: BrowserSession, session: Session) -> dict[str, Any]:
    viewer = bs.viewer
    roles = d.commander.roles_of(viewer)
    can = {c: d.commander.may(viewer, c) for c in COMMANDS}
    src = d.sources
    cards = await src.cards(session, viewer)
    moderator = can["approve"]
    shown = ["queue", "answered", "downloads"]
    if moderator and session.open:
        shown.insert(1, "waiting")
    if src.has_conversations:
        shown.append("conversations")
    if src.has_snapshots and can["snapapprove"]:
        shown.append("snapshots")
    if src.has_figures and can["export"]:
        shown.append("figures")
    # after the event, the report and the downloads are what people come for
    order = ("downloads", *SECTIONS) if not session.open else SECTIONS
    shown.sort(key=order.index)
    cfg = d.services.config
    folder = cfg.resolve(cfg.bot.out_dir) / session.slug
    series = src.series_name(session)
    closed = ("rejected", "withdrawn") if can["reopen"] else ()
    live_roots = [c for c in cards if c.state in ("open", "now", "pending")]
    return {
        "viewer": viewer,
        "role": _role(roles),
        "csrf": bs.csrf,
        "session": session,
        "can": can,
        "shown": shown,
        "now": _group(cards, "now"),
        "queue": _group(cards, "open"),
        "waiting": _group(cards, "pending") if moderator else [],
        "answered": _group(cards, "answered"),
        "merged": _group(cards, "merged"),
        "closed": _group(cards, *closed),
        "merge_targets": [(c.number, c.text) for c in live_roots],
        "conversations": src.conversations(session) if "conversations" in shown else [],
        "snapshots": await src.pending_snapshots(session) if "snapshots" in shown else [],
        "figures": await src.figures(session) if "figures" in shown else None,
        "quadrants": QUADRANTS,
        "report": {ext: (folder / f"report.{ext}").is_file() for ext in ("html", "md")},
        "series": series,
        "ended": not session.open,
    }
