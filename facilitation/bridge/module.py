"""``/link`` and ``/unlink``: one person, several accounts, one vote.

``/link`` on one account sends a one-time code privately; ``/link CODE`` from
the other account (on another platform) links them (:mod:`bot.people`). Linked
accounts count as one person: one vote per question, their own question is
theirs on every platform. Someone who opted out cannot link (nothing about them
is kept); opting out later unlinks the account (the erasure registry).
"""

from __future__ import annotations

import logging

from bot.bus import Bus
from bot.commands import Arg, CommandRouter, CommandSpec, Invocation
from bot.mirror import platform_name
from facilitation.base import Services

__all__ = ["BridgeModule"]

log = logging.getLogger("roundtable.bridge")


class BridgeModule:
    name = "bridge"

    def __init__(self, services: Services) -> None:
        self._s = services

    async def setup(self) -> None:
        return None  # the links live in the core (bot.people), set up before modules

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        commands.add(
            CommandSpec(
                "link",
                "Link your accounts on two platforms, so you count once (one vote each)",
                self._link,
                args=(Arg("code", "word", optional=True),),
                examples=("/link", "/link K7P2QX"),
            )
        )
        commands.add(CommandSpec("unlink", "Undo /link for this account", self._unlink))

    async def _link(self, inv: Invocation) -> None:
        p = self._s.prompts
        ev = inv.event
        if self._s.personal.opted_out(ev.platform, ev.author):
            await inv.tell(p("bridge.opted_out"))
            return
        now = self._s.clock.now()
        code = inv.args.get("code")
        people = self._s.people
        if not code:
            fresh = await people.issue(ev.platform, ev.author, now)
            minutes = int(people.lifetime.total_seconds() // 60)
            await inv.tell(p("bridge.code", code=fresh, minutes=minutes))
            return
        result = await people.redeem(str(code), ev.platform, ev.author, now)
        if result.kind in ("linked", "already"):
            names = sorted({platform_name(a[0]) for a in result.accounts})
            where = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            await inv.tell(p(f"bridge.{result.kind}", platforms=where))
            if result.kind == "linked":
                log.info("linked %d accounts into one person", len(result.accounts))
            return
        other = platform_name(result.other[0]) if result.other else ""
        await inv.tell(p(f"bridge.{result.kind}", platform=other))

    async def _unlink(self, inv: Invocation) -> None:
        changed = await self._s.people.unlink(inv.event.platform, inv.event.author)
        await inv.tell(self._s.prompts("bridge.unlinked" if changed else "bridge.not_linked"))
