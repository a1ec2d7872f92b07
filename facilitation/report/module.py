"""Rolling summaries, /summary, /idea, and the social report when an event ends."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.actions import Say, Target, UploadFile
from bot.adapter import split_text
from bot.bus import Bus, current_delivery
from bot.commands import Arg, CommandRouter, CommandSpec, Invocation
from bot.events import CommandIssued, MessagePosted, SessionChanged
from bot.files import private_folder, write_private
from bot.forget import Person
from bot.mirror import post_everywhere
from bot.prompts import Prompts
from bot.roles import Role
from bot.sessions import ENDED, LIVE, Session
from facilitation.base import Services
from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import LedgerStore, load_sessions
from facilitation.report.analysis import conversations, tidy, turns_of
from facilitation.report.build import Report, build_report
from facilitation.report.champions import ChampionStore
from facilitation.report.config import ReportConfig
from facilitation.report.digest import digest_text, is_due
from facilitation.report.gather import gather
from facilitation.report.ideas import IdeaCommands
from facilitation.report.page import render_html
from facilitation.report.render_md import render_markdown, short_version
from facilitation.report.store import Idea, ReportStore
from facilitation.report.summarise import ReportSummariser

__all__ = ["ReportModule", "make_report", "write_report"]

log = logging.getLogger("roundtable.report")
_RECHECK = timedelta(minutes=1)


async def make_report(
    ledger: Ledger,
    session: Session,
    summariser: ReportSummariser,
    cfg: ReportConfig,
    prompts: Prompts,
) -> Report:
    """``session``'s report, with its figures and its series' earlier events, from the store."""
    data = await gather(ledger, session, cfg.participant_names, figures=True)
    return await build_report(data, summariser, cfg, prompts, ledger.cfg, offload=ledger.offload)


def write_report(
    report: Report,
    folder: Path,
    prompts: Prompts,
    *,
    cfg: ReportConfig | None = None,
    ledger_cfg: LedgerConfig | None = None,
    generated: datetime | None = None,
) -> list[Path]:
    """Write ``report.html`` and ``report.md`` into ``folder``; return their paths."""
    private_folder(folder)
    names = (cfg or ReportConfig()).participant_names
    html_path, md_path = folder / "report.html", folder / "report.md"
    html = render_html(
        report, prompts, cfg=ledger_cfg, participant_names=names, generated=generated
    )
    write_private(html_path, html)
    write_private(md_path, render_markdown(report, prompts, names))
    return [html_path, md_path]


class ReportModule:
    """Summaries during the event and the social report at its end."""

    name = "report"

    def __init__(self, services: Services) -> None:
        self._s = services
        self.cfg = services.config.section("report", ReportConfig)
        self.store = ReportStore(services.db)
        self.champions = ChampionStore(services.db)
        self.summariser = ReportSummariser(self.cfg, services.embedder, services.prompts)
        self.ledger = Ledger(
            services.db,
            services.config,
            services.roles.roles_of,
            LedgerStore(services.db),
            exports=services.exports,
            offload=services.offload,
        )
        self._last: dict[int, tuple[datetime, int]] = {}
        self._checked: dict[int, datetime | None] = {}  # a copy of report_checks
        self._busy: set[int] = set()
        self._bots: set[tuple[str, str]] = set()

    async def setup(self) -> None:
        await self.store.setup()
        await self.champions.setup()
        self._s.personal.register(self.store)
        self._s.personal.register(self.champions)  # after the ideas: it tidies what they left
        self._s.personal.register_files(self)
        await self.ledger.store.setup()

    async def aclose(self) -> None:
        self.summariser.close()

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        bus.subscribe(MessagePosted, self._on_message, name="report.cadence")
        bus.subscribe(MessagePosted, self._on_bot, where=lambda e: e.from_bot, name="report.bots")
        bus.subscribe(SessionChanged, self._on_session, name="report.end")
        bus.subscribe(CommandIssued, self._after_event, where=_changes_report, name="report.later")
        commands.add(
            CommandSpec(
                "summary",
                "Catch up: what was said lately (or in one thread)",
                self._summary,
                args=(Arg("what", "choice", optional=True, choices=("thread",)),),
                needs_session=True,
            )
        )
        for spec in IdeaCommands(self._s, self.champions).specs():
            commands.add(spec)
        commands.add(
            CommandSpec(
                "idea",
                "Put an idea forward, so it's followed up after the event",
                self._idea,
                args=(Arg("text", "text", optional=True),),
                needs_session=True,
            )
        )

    # -- rolling summaries ----------------------------------------------------

    async def _mark(self, session: Session) -> tuple[datetime, int]:
        found = self._last.get(session.id) or await self.store.last_digest(session.id)
        if found is None:
            found = (session.started_at or self._s.clock.now(), 0)
        self._last[session.id] = found
        return found

    async def _latest_seq(self, session_id: int) -> int:
        """Where the event being handled is in the log: what a digest now has covered.

        Not the newest stored event: the log holds events stored but not yet
        handled (more of them after a restart), which the next digest covers.
        """
        delivery = current_delivery()
        if delivery is not None and delivery.seq is not None:
            return delivery.seq
        row = await self._s.db.fetchone(
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE session_id = ?", (session_id,)
        )
        return int(row["seq"]) if row is not None else 0

    async def _last_check(self, session_id: int) -> datetime | None:
        if session_id not in self._checked:
            self._checked[session_id] = await self.store.last_check(session_id)
        return self._checked[session_id]

    async def _on_bot(self, event: MessagePosted) -> None:
        key = (event.platform, event.author)
        if key not in self._bots:
            self._bots.add(key)
            await self.store.remember_bot(event.platform, event.author)

    async def _on_message(self, event: MessagePosted) -> None:
        if event.private or event.from_bot or self.cfg.cadence_minutes <= 0:
            return
        session = self._s.sessions.for_event(event)
        if session is None or session.state != LIVE or session.id in self._busy:
            return
        now = self._s.clock.now()
        last, seq = await self._mark(session)
        if now - last < timedelta(minutes=self.cfg.cadence_minutes):
            return
        checked = await self._last_check(session.id)
        if checked is not None and now - checked < _RECHECK:
            return  # counting is a query: at most once a minute while it is due
        await self.store.mark_check(session.id, now)
        self._checked[session.id] = now
        row = await self._s.db.fetchone(
            "SELECT COUNT(*) AS n FROM events WHERE session_id = ? AND seq > ? AND seq <= ?"
            " AND kind = 'MessagePosted' AND private = 0",
            (session.id, seq, await self._latest_seq(session.id)),
        )
        count = int(row["n"]) if row is not None else 0
        if is_due(now, last, count, self.cfg):
            await self._post_digest(session, Target.of(event), last, now)

    async def _digest(self, session: Session, since: datetime, now: datetime) -> str | None:
        # Posted in the event's channel (or to one of its people): names as seen there.
        data = await gather(self.ledger, session, self.cfg.participant_names, live=True)
        return await digest_text(
            data.messages,
            data.event.questions,
            data.reactions,
            since,
            now,
            self.summariser,
            self._s.prompts,
            self.cfg,
        )

    async def _post_digest(
        self, session: Session, target: Target, since: datetime, now: datetime
    ) -> bool:
        self._busy.add(session.id)
        try:
            believed, _ = await self._mark(session)
            text = await self._digest(session, since, now)
            seq = await self._latest_seq(session.id)
            if not await self.store.claim_digest(session.id, believed, now, seq):
                # another worker on this store posted this digest first
                self._last.pop(session.id, None)
                return True
            self._last[session.id] = (now, seq)
            if text is None:
                return False
            await self._say(replace(target, thread=None), text, session.id)
            return True
        finally:
            self._busy.discard(session.id)

    async def _say(self, target: Target, text: str, session_id: int | None) -> None:
        limit = self._s.outbox.capabilities(target.platform).message_limit
        for chunk in split_text(text, limit):
            await self._s.outbox.send(Say(target=target, text=chunk), session_id)

    async def _summary(self, inv: Invocation) -> None:
        session = inv.session
        assert session is not None  # needs_session
        if inv.args.get("what") == "thread":
            await self._thread_summary(inv, session)
            return
        now = self._s.clock.now()
        since, _ = await self._mark(session)
        if now - since < timedelta(minutes=1):
            since = session.started_at or since  # asked right after a digest: cover it all
        if inv.has(Role.MODERATOR) and not inv.event.private:
            if not await self._post_digest(session, Target.of(inv.event), since, now):
                await inv.reply(self._s.prompts("report.digest.quiet"))
            return
        text = await self._digest(session, since, now)
        await inv.tell(text or self._s.prompts("report.digest.quiet"))

    async def _thread_summary(self, inv: Invocation, session: Session) -> None:
        anchor = inv.event.reply_to
        if anchor is None:
            await inv.reply(self._s.prompts("report.digest.no_thread"))
            return
        data = await gather(self.ledger, session, self.cfg.participant_names, live=True)
        group = next(
            (g for g in conversations(data.messages) if anchor in {m.message_id for m in g}), None
        )
        if group is None:
            await inv.reply(self._s.prompts("report.digest.no_thread"))
            return
        summary = await self.summariser.summarise(turns_of(group, data.reactions), 3, 90)
        summary = tidy(summary, group)
        await inv.reply(self._s.prompts("report.digest.thread_summary", gist=summary.text))

    # -- ideas ------------------------------------------------------------------

    async def _idea(self, inv: Invocation) -> None:
        text = str(inv.args.get("text") or "").strip()
        if not text:
            await inv.reply(self._s.prompts("report.idea.empty"))
            return
        assert inv.session is not None
        event = inv.event
        name = event.author_name or event.author
        idea = Idea(event.platform, event.author, name, text, event.message_id, event.ts)
        await self.store.add_idea(inv.session.id, idea)
        numbered = await self.champions.numbered(inv.session.id)
        n = next((i.number for i in numbered if i.text == text and i.author == event.author), 0)
        await inv.reply(self._s.prompts("report.idea.thanks", name=name, n=n))

    # -- the end-of-event report ---------------------------------------------------

    async def report(self, session: Session) -> Report:
        """Build ``session``'s report from the store."""
        return await make_report(self.ledger, session, self.summariser, self.cfg, self._s.prompts)

    async def _on_session(self, event: SessionChanged) -> None:
        if event.state != ENDED or not (self.cfg.write_on_end or self.cfg.post_on_end):
            return
        session = self._s.sessions.get(event.session_id)
        if session is None:
            return
        if session.ended_at is None:  # ENDED arrives just before the state is stored
            session = replace(session, state=ENDED, ended_at=event.ts)
        report = await self.report(session)
        paths: list[Path] = []
        if self.cfg.write_on_end:
            paths = await self.write(report, self._folder(session))
            log.info("report written: %s", ", ".join(str(p) for p in paths))
        if self.cfg.post_on_end:
            target = Target(event.platform, event.community, event.channel, None)
            where = paths[0] if paths else None
            text = short_version(report, self._s.prompts, where)
            await self._say(target, text, session.id)
            # every other channel of the event (any platform) gets the same post
            await post_everywhere(self._s.outbox, session, text, skip=(target,))
            if where is not None:
                await self._send_to_organisers(session, target, where)

    async def _after_event(self, event: CommandIssued) -> None:
        """An answer (or idea news) after the end: the report written then is rewritten."""
        if self._s.sessions.for_event(event) is not None:
            return  # during the event: the report is written at its end
        session = self._s.sessions.ended_for(event)
        if session is None or not (self._folder(session) / "report.md").is_file():
            return
        paths = await self.write(await self.report(session), self._folder(session))
        log.info("report rewritten after the event: %s", ", ".join(str(p) for p in paths))

    async def write(self, report: Report, folder: Path) -> list[Path]:
        """Write ``report`` into ``folder`` with this deployment's settings.

        Charts and templates are drawn and filled in the worker process (bot.offload).
        """
        return await self._s.offload.run(
            write_report,
            report,
            folder,
            self._s.prompts,
            cfg=self.cfg,
            ledger_cfg=self.ledger.cfg,
            generated=self._s.clock.now(),
        )

    async def _send_to_organisers(self, session: Session, target: Target, path: Path) -> None:
        """The report, privately, to each organiser who was in the event (where files go)."""
        if not self._s.outbox.capabilities(target.platform).file_upload:
            return
        comment = self._s.prompts("report.end.file", title=session.title)
        stored = await self.ledger.store.roles(session.id)
        for (platform, user), role in sorted(stored.items()):
            organiser = role == Role.ORGANISER.value  # as stored (platform admins too)
            if platform == target.platform and (
                organiser or Role.ORGANISER in self._s.roles.roles_of(platform, user)
            ):
                upload = UploadFile(target=target, path=path, comment=comment, private_to=user)
                await self._s.outbox.send(upload, session.id)

    def _folder(self, session: Session) -> Path:
        return self._s.config.resolve(self._s.config.bot.out_dir) / session.slug

    # -- forgetting someone (bot.forget.Republisher) -------------------------------

    copies_others = False

    async def republish(self, person: Person) -> list[Path]:
        """Rewrite every report already written, from the store (the person is gone)."""
        written: list[Path] = []
        for session in await load_sessions(self._s.db):
            folder = self._folder(session)
            if (folder / "report.html").is_file() or (folder / "report.md").is_file():
                report = await self.report(session)
                written += await self.write(report, folder)
        return written


LATER = frozenset({"answer", "champion", "update"})
"""Commands that change an ended event's report (answers and ideas' news after the end)."""


def _changes_report(event: CommandIssued) -> bool:
    return event.name in LATER
