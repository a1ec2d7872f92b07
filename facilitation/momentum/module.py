"""Momentum after the event: follow-up posts, "since last time", and ``/remindme``.

Every timed post is a stored timer (:mod:`bot.timers`), due by the clock object:

* when an event ends, a follow-up per ``followup_days`` (e.g. 7 and 30 days on)
  lists its ideas with their champions and news and the questions still open,
  in every channel of the event, and asks each champion privately for news;
* when the next event of a series starts, a "since last time" post a few
  minutes in: what was answered after the last event, how its ideas moved, who
  is back;
* ``/remindme`` asks for a private reminder before the series' next event (its
  ``starts`` in ``[[events]]``), or when it starts if no time is planned.

Timers are checked on every event the bus delivers (a replay spanning days fires
each at the first moment past its time) and by a light poll while the bot is idle.
A post that cannot be made (the channel is gone, the platform not connected) is
logged with the reason and kept with its timer; the ideas and questions stay in
the store and the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from bot.actions import DirectMessage
from bot.bus import Bus
from bot.commands import CommandRouter, CommandSpec, Invocation
from bot.events import Event, SessionChanged
from bot.exports import IdeaRow, Question
from bot.mirror import post_everywhere
from bot.roles import Role
from bot.sessions import ENDED, LIVE, Session
from bot.timers import Timer, TimerBook
from facilitation.base import Services
from facilitation.ledger.config import LedgerConfig
from facilitation.momentum.config import MomentumConfig
from facilitation.momentum.reminders import ReminderStore
from facilitation.momentum.texts import followup_text, since_text

__all__ = ["MomentumModule"]

log = logging.getLogger("roundtable.momentum")
STAFF = frozenset({Role.PANELLIST, Role.MODERATOR, Role.ORGANISER})


class MomentumModule:
    name = "momentum"

    def __init__(self, services: Services, cfg: MomentumConfig) -> None:
        self._s = services
        self.cfg = cfg
        self.timers = TimerBook(services.db, services.clock, services.outbox.job)
        self.reminders = ReminderStore(services.db)
        self._series = services.config.section("ledger", LedgerConfig).series
        self._poller: asyncio.Task[None] | None = None

    async def setup(self) -> None:
        await self.timers.setup()
        await self.reminders.setup()
        self._s.personal.register(self.reminders)
        recovered = await self.timers.recover()
        if recovered:
            log.warning("%d timed posts were interrupted by a restart; not repeated", recovered)
        self.timers.on("followup", self._followup)
        self.timers.on("since", self._since)
        self.timers.on("remind", self._remind)
        for event in self._s.config.events:  # reminders before planned events of a series
            if event.starts is not None and event.series:
                starts = _aware(event.starts)
                due = starts - timedelta(hours=self.cfg.remind_hours_before)
                payload = {"series": event.series, "slug": event.id, "starts": starts.isoformat()}
                await self.timers.schedule(f"remind:{event.id}", "remind", due, payload)
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def aclose(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        bus.subscribe(SessionChanged, self._on_session, name="momentum.session")
        bus.subscribe(Event, self._tick, name="momentum.timers")
        commands.add(
            CommandSpec(
                "remindme",
                "Get a private reminder before the next event of this series",
                self._remindme,
            )
        )

    # -- the clock ------------------------------------------------------------------

    async def _tick(self, _event: Event) -> None:
        if self._s.leader.leading and self.timers.due_soon(self._s.clock.now()):
            await self.timers.fire_due()  # one worker on a shared store: the leader

    async def _poll(self) -> None:
        """While the bot is idle, timed posts still go out (a missed one once, on return)."""
        await asyncio.sleep(min(3.0, self.cfg.poll_seconds))
        while True:
            try:
                if self._s.leader.leading:
                    await self.timers.fire_due(fresh=True)
            except Exception:
                log.exception("timed posts could not be checked")
            await asyncio.sleep(self.cfg.poll_seconds)

    # -- scheduling -------------------------------------------------------------------

    def series_of(self, session: Session) -> str | None:
        if session.series:
            return session.series
        return next((n for n, slugs in self._series.items() if session.slug in slugs), None)

    async def _on_session(self, event: SessionChanged) -> None:
        session = self._s.sessions.get(event.session_id)
        if session is None:
            return
        if event.state == ENDED:
            await self.timers.cancel(f"since:{session.id}")  # ended before it was due
            for days in self.cfg.followup_days:
                due = event.ts + timedelta(days=days)
                payload: dict[str, object] = {"session": session.id, "days": days}
                await self.timers.schedule(
                    f"followup:{session.id}:{days:g}d", "followup", due, payload
                )
        elif event.state == LIVE and self.series_of(session):
            due = event.ts + timedelta(minutes=self.cfg.since_after_minutes)
            if self.cfg.since_last_time:
                await self.timers.schedule(
                    f"since:{session.id}", "since", due, {"session": session.id}
                )
            # whoever asked to be reminded of this series hears it is starting (once)
            remind = {"series": self.series_of(session), "slug": session.slug, "starts": None}
            await self.timers.schedule(f"remind:{session.slug}", "remind", event.ts, remind)

    # -- what the timers do -------------------------------------------------------------

    async def _material(self, session: Session) -> tuple[list[IdeaRow], list[Question]]:
        ideas_export = self._s.exports.ideas()
        questions_export = self._s.exports.questions()
        ideas = await ideas_export.for_session(session.id) if ideas_export else []
        found = await questions_export.for_session(session.id) if questions_export else None
        return ideas, found or []

    async def _post(self, session: Session, text: str, what: str) -> str:
        """Post in every channel of the event; the note says where it went and where not."""
        results = await post_everywhere(self._s.outbox, session, text)
        posted = [f"{t.platform}:{t.channel}" for t, refs in results if refs]
        missed = [f"{t.platform}:{t.channel}" for t, refs in results if not refs]
        connected = set(self._s.outbox.platforms)
        missed += [
            p for p in session.places if p.split(":", 1)[0] not in connected and "*" not in p
        ]
        if missed:
            log.warning(
                "%s for %s not posted in %s (the channel is gone or its platform is not"
                " connected); it stays in the report",
                what,
                session.slug,
                ", ".join(missed),
            )
        return f"posted in {', '.join(posted) or 'no channel'}" + (
            f"; not in {', '.join(missed)}" if missed else ""
        )

    async def _followup(self, timer: Timer) -> str:
        session = await self._s.sessions.fresh(int(timer.payload["session"]))
        if session is None:
            return "the event is gone"
        ideas, questions = await self._material(session)
        days = float(timer.payload["days"])
        text = followup_text(self._s.prompts, session.title, days, ideas, questions)
        if text is None:
            return "nothing to follow up"
        note = await self._post(session, text, f"the {days:g}-day follow-up")
        await self._ask_champions(session, ideas)
        return note

    async def _ask_champions(self, session: Session, ideas: list[IdeaRow]) -> None:
        asked: set[str] = set()
        for idea in ideas:
            for (platform, user), _name in idea.champions:
                person = self._s.people.person_of(platform, user)
                if person in asked or not self._s.outbox.capabilities(platform).direct_messages:
                    continue
                asked.add(person)
                text = self._s.prompts(
                    "momentum.ask_champion", n=idea.number, text=idea.text, title=session.title
                )
                dm = DirectMessage(platform=platform, user=user, text=text)
                await self._s.outbox.send(dm, session.id)

    async def _since(self, timer: Timer) -> str:
        session = await self._s.sessions.fresh(int(timer.payload["session"]))
        if session is None or not session.open:
            return "the event is no longer running"
        previous = self._previous(session)
        if previous is None:
            return "first event of its series"
        ideas, questions = await self._material(previous)
        ended = previous.ended_at
        later = [q for q in questions if ended and q.answered_at and q.answered_at > ended]
        back = await self._back(previous, session)
        report = self._s.config.sections.get("report")  # how people are named in public
        named = getattr(report, "participant_names", "first") == "first"
        text = since_text(self._s.prompts, previous.title, later, ideas, back, named=named)
        if text is None:
            return "nothing since last time"
        return await self._post(session, text, "the 'since last time' post")

    def _previous(self, session: Session) -> Session | None:
        series = self.series_of(session)
        earlier = [
            s
            for s in self._s.sessions.all()
            if s.id != session.id and s.state == ENDED and self.series_of(s) == series
        ]
        return max(earlier, key=lambda s: (s.ended_at or _EPOCH, s.id), default=None)

    async def _back(self, previous: Session, session: Session) -> list[str]:
        """First names of participants of the previous event who took part in this one."""
        rows = await self._s.db.fetchall(
            "SELECT session_id, platform, author, author_name FROM events WHERE session_id IN"
            " (?, ?) AND kind IN ('MessagePosted', 'CommandIssued', 'ReactionAdded')"
            " ORDER BY seq",
            (previous.id, session.id),
        )
        before = {
            self._s.people.person_of(r["platform"], r["author"])
            for r in rows
            if r["session_id"] == previous.id
        }
        bots_export = self._s.exports.bots()
        bots = await bots_export.bots() if bots_export else set()
        names: dict[str, str] = {}
        for r in rows:
            who = (str(r["platform"]), str(r["author"]))
            person = self._s.people.person_of(*who)
            if r["session_id"] != session.id or person not in before or who in bots:
                continue
            if self._s.roles.roles_of(*who) & STAFF:
                continue
            first = (str(r["author_name"]).split() or [""])[0]
            if first:
                names.setdefault(person, first)
        return sorted(names.values())

    async def _remind(self, timer: Timer) -> str:
        series = str(timer.payload["series"])
        waiting = await self.reminders.for_series(series)
        if not waiting:
            return "nobody asked"
        slug = str(timer.payload["slug"])
        title = next((e.title for e in self._s.config.events if e.id == slug), "") or slug
        starts = timer.payload.get("starts")
        sent = 0
        for platform, user in waiting:
            if not self._s.outbox.capabilities(platform).direct_messages:
                continue
            if starts:
                when = datetime.fromisoformat(str(starts))
                text = self._s.prompts(
                    "momentum.reminder", title=title, when=f"{when:%A %d %B, %H:%M} UTC"
                )
            else:
                text = self._s.prompts("momentum.reminder_now", title=title)
            await self._s.outbox.send(DirectMessage(platform=platform, user=user, text=text))
            await self.reminders.done(platform, user, series)
            sent += 1
        return f"reminded {sent} of {len(waiting)}"

    # -- /remindme ------------------------------------------------------------------------

    async def _remindme(self, inv: Invocation) -> None:
        p = self._s.prompts
        ev = inv.event
        if self._s.personal.opted_out(ev.platform, ev.author):
            await inv.tell(p("momentum.remind_opted_out"))
            return
        session = inv.session or self._s.sessions.ended_for(ev)
        series = self.series_of(session) if session is not None else None
        if series is None:
            await inv.tell(p("momentum.remind_no_series"))
            return
        await self.reminders.add(ev.platform, ev.author, series, self._s.clock.now())
        now = self._s.clock.now()
        planned = sorted(
            (_aware(e.starts), e.title or e.id)
            for e in self._s.config.events
            if e.series == series and e.starts is not None and _aware(e.starts) > now
        )
        if planned:
            when, title = planned[0]
            await inv.tell(
                p(
                    "momentum.remind_set",
                    title=title,
                    when=f"{when:%A %d %B, %H:%M} UTC",
                    hours=round(self.cfg.remind_hours_before),
                )
            )
        else:
            await inv.tell(p("momentum.remind_set_unplanned"))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
