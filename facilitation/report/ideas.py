"""``/ideas``, ``/champion N`` and ``/update N text``: ideas keep moving after the event.

They work during the event and after it has ended (in its channels, or in a
direct message: the last event on that platform). A champion's news is posted in
every channel of the event, so whoever was there hears of it; the report is
rewritten with it (the report module sees the command).
"""

from __future__ import annotations

import logging

from bot.actions import React, Target
from bot.commands import Arg, CommandSpec, Invocation
from bot.mirror import post_everywhere
from bot.module import Services
from bot.roles import Role
from bot.sessions import Session
from facilitation.report.champions import ChampionStore, NumberedIdea, ideas_of

__all__ = ["IdeaCommands"]

log = logging.getLogger("roundtable.report")
STAFF = frozenset({Role.MODERATOR, Role.ORGANISER})


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class IdeaCommands:
    def __init__(self, services: Services, store: ChampionStore) -> None:
        self._s = services
        self.store = store
        self.p = services.prompts

    def specs(self) -> list[CommandSpec]:
        n = Arg("N", "int")
        return [
            CommandSpec("ideas", "The ideas put forward, with their champions", self.ideas),
            CommandSpec("champion", "Take an idea on, to see it through", self.champion, (n,)),
            CommandSpec(
                "update",
                "Share news on an idea you champion",
                self.update,
                (n, Arg("text", "text")),
                examples=("/update 2 We've booked a room for the first meeting.",),
            ),
        ]

    def _session(self, inv: Invocation) -> Session | None:
        return inv.session or self._s.sessions.ended_for(inv.event)

    async def _idea(self, inv: Invocation) -> tuple[Session, NumberedIdea] | None:
        session = self._session(inv)
        if session is None:
            await inv.reply(self.p("core.no_event"))
            return None
        number = int(inv.args["N"])
        idea = await self.store.find(session.id, number)
        if idea is None:
            await inv.reply(self.p("report.idea.not_found", n=number, title=session.title))
            return None
        return session, idea

    async def ideas(self, inv: Invocation) -> None:
        session = self._session(inv)
        if session is None:
            await inv.reply(self.p("core.no_event"))
            return
        rows = await ideas_of(self._s.db, session.id)
        if not rows:
            await inv.reply(self.p("report.idea.none"))
            return
        lines = [self.p("report.idea.list_heading", title=session.title)]
        for row in rows:
            names = ", ".join(name for _, name in row.champions)
            key = "report.idea.list_line" if names else "report.idea.list_line_open"
            lines.append(self.p(key, n=row.number, text=_short(row.text), champions=names))
        await inv.reply("\n".join(lines))

    async def champion(self, inv: Invocation) -> None:
        ev = inv.event
        if self._s.personal.opted_out(ev.platform, ev.author):
            await inv.tell(self.p("report.idea.opted_out"))
            return
        found = await self._idea(inv)
        if found is None:
            return
        _, idea = found
        added = await self.store.champion(
            idea, ev.platform, ev.author, ev.display_name, self._s.clock.now()
        )
        key = "report.idea.championed" if added else "report.idea.already_champion"
        await inv.reply(self.p(key, n=idea.number, text=_short(idea.text), name=ev.display_name))

    async def update(self, inv: Invocation) -> None:
        ev = inv.event
        if self._s.personal.opted_out(ev.platform, ev.author):
            await inv.tell(self.p("report.idea.opted_out"))
            return
        found = await self._idea(inv)
        if found is None:
            return
        session, idea = found
        champions = {(p, u) for p, u, _ in await self.store.champions(idea.id)}
        people = self._s.people
        mine = {people.person_of(*c) for c in champions | {(idea.platform, idea.author)}}
        if people.person_of(ev.platform, ev.author) not in mine and not inv.roles & STAFF:
            await inv.reply(self.p("report.idea.only_champions", n=idea.number))
            return
        text = str(inv.args["text"]).strip()
        await self.store.update(
            idea, ev.platform, ev.author, ev.display_name, text, self._s.clock.now()
        )
        post = self.p(
            "report.idea.update_posted",
            n=idea.number,
            idea=_short(idea.text, 60),
            name=ev.display_name,
            text=text,
        )
        await post_everywhere(self._s.outbox, session, post)
        if ev.message_id and not ev.private and self._s.outbox.capabilities(ev.platform).reactions:
            react = React(target=Target.of(ev), message_id=ev.message_id, emoji="✅")
            await self._s.outbox.send(react, session.id)
        else:
            await inv.tell(self.p("report.idea.update_thanks", n=idea.number))
