"""The ledger in chat: /iam, /optout, /optin, /mydata, /export; figures when an event ends.

Opting out stops logging through a bus transform: events from someone who
opted out are dropped before they are stored. Their commands still get
through (so /mydata, /optin and /help answer them), but the stored row keeps
no text and no name.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.actions import Target, UploadFile
from bot.bus import Bus
from bot.commands import Arg, CommandRouter, CommandSpec, Invocation
from bot.events import CommandIssued, Event, MessagePosted, SessionChanged
from bot.files import private_folder, write_private
from bot.roles import Role
from bot.sessions import ENDED, Session
from facilitation.base import Services
from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.export import export_event
from facilitation.ledger.forgetting import Forgetting
from facilitation.ledger.mydata import person_data, to_json
from facilitation.ledger.service import Ledger, main_role
from facilitation.ledger.store import LedgerStore

__all__ = ["LedgerModule"]

log = logging.getLogger("roundtable.ledger")
MODERATORS = frozenset({Role.MODERATOR})
_DAY = timedelta(days=1)


class LedgerModule:
    """Participation figures, exports and privacy controls."""

    name = "ledger"

    def __init__(self, services: Services) -> None:
        self._s = services
        self.cfg = services.config.section("ledger", LedgerConfig)
        self.store = LedgerStore(services.db)
        self.ledger = Ledger(
            services.db,
            services.config,
            services.roles.roles_of,
            self.store,
            exports=services.exports,
            offload=services.offload,
        )
        self.forgetting = Forgetting(services, self.ledger, self.store)
        self._retention_at: datetime | None = None
        # (session id, platform, user) -> (role stored, the platform's role hints)
        self._roles: dict[tuple[int, str, str], tuple[str, frozenset[str]]] = {}
        self._loaded: set[int] = set()  # sessions whose stored roles are in _roles

    async def setup(self) -> None:
        await self.store.setup()
        await self.forgetting.setup()
        await self.forgetting.resume()
        await self._retention(self._s.clock.now())

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        bus.add_transform(self.forgetting.keep_out)
        bus.subscribe(SessionChanged, self._on_session, name="ledger.session")
        bus.subscribe(CommandIssued, self._after_event, where=_late, name="ledger.later")
        bus.subscribe(CommandIssued, self.forgetting.after_command, name="ledger.optout-commands")
        bus.subscribe(Event, self._tick, name="ledger.retention")
        bus.subscribe(Event, self._note_role, name="ledger.roles")
        add = commands.add
        labels = "|".join(self.cfg.labels)
        add(
            CommandSpec(
                "iam",
                f"Say which community you're from ({labels})",
                self._iam,
                args=(Arg("label", "word", optional=True),),
            )
        )
        add(
            CommandSpec(
                "optout",
                "Remove what I hold about you and stop recording you",
                self._optout,
                args=(Arg("questions", "choice", optional=True, choices=("keep-questions",)),),
            )
        )
        add(CommandSpec("optin", "Be included in the records again", self._optin))
        add(CommandSpec("mydata", "See what I hold about you", self._mydata))
        add(
            CommandSpec(
                "export",
                "Download an event's messages, network and figures",
                self._export,
                args=(Arg("event", "word", optional=True),),
                roles=MODERATORS,
            )
        )

    # -- roles, stored as people take part -------------------------------------

    async def _note_role(self, event: Event) -> None:
        """Store the role of whoever acts in an event, so the store alone tells them apart."""
        if isinstance(event, MessagePosted) and event.from_bot:
            return
        if isinstance(event, SessionChanged):
            session = self._s.sessions.get(event.session_id)
        else:
            session = self._s.sessions.for_event(event)
        if session is None or not event.author:
            return
        await self._store_role(
            session.id, event.platform, event.author, event.author_roles, event.ts
        )
        if isinstance(event, SessionChanged) and event.state == ENDED:
            # roles granted during the event count for everyone already seen in it
            # (read from the store: someone who opted out meanwhile is not there)
            stored = await self.store.roles_and_hints(session.id)
            for (platform, user), (_, hints) in sorted(stored.items()):
                await self._store_role(session.id, platform, user, hints, event.ts)

    async def _store_role(
        self, session_id: int, platform: str, user: str, hints: frozenset[str], ts: datetime
    ) -> None:
        role = main_role(self._s.roles.roles_of(platform, user, hints))
        await self._load_roles(session_id)
        key = (session_id, platform, user)
        if self._roles.get(key, ("", frozenset()))[0] == role:
            return
        self._roles[key] = (role, hints)
        await self.store.set_role(session_id, (platform, user), role, ts, hints)

    async def _load_roles(self, session_id: int) -> None:
        """The event's stored roles, once after a start: a restart stores what a clean run does."""
        if session_id in self._loaded:
            return
        self._loaded.add(session_id)
        for (platform, user), found in (await self.store.roles_and_hints(session_id)).items():
            self._roles.setdefault((session_id, platform, user), found)

    # -- figures when an event ends, and retention ----------------------------

    async def _on_session(self, event: SessionChanged) -> None:
        if event.state != ENDED:
            return
        session = self._s.sessions.get(event.session_id)
        if session is None:
            return
        if session.ended_at is None:
            session = replace(session, state=ENDED, ended_at=event.ts)
        await self.ledger.record(session, self._s.clock.now())
        if self.cfg.export_on_end:
            await export_event(self.ledger, session, self._export_dir(session))

    async def _after_event(self, event: CommandIssued) -> None:
        """An answer after the end: the download written at the end is written again."""
        if self._s.sessions.for_event(event) is not None or not self.cfg.export_on_end:
            return
        session = self._s.sessions.ended_for(event)
        if session is not None and self._export_dir(session).is_dir():
            await export_event(self.ledger, session, self._export_dir(session))

    def _export_dir(self, session: Session) -> Path:
        return self.ledger.out_dir() / session.slug / "export"

    async def _tick(self, event: Event) -> None:
        if not self._s.leader.leading:
            return  # another worker on this store runs the retention
        now = self._s.clock.now()
        if self._retention_at is None or now - self._retention_at >= _DAY:
            await self._retention(now)

    async def _retention(self, now: datetime) -> None:
        days = self._s.config.privacy.retention_days
        self._retention_at = now
        if days is None:
            return
        cutoff = now - timedelta(days=days)
        for session in await self.ledger.sessions():
            old = session.ended_at is not None and session.ended_at < cutoff
            if old and await self.store.stored_metrics(session.id) is None:
                await self.ledger.record(session, now)  # keep the figures before the text goes
        blanked = await self._s.log.blank_text(cutoff)
        await self.store.set_retention_ran_at(now)
        if blanked:
            log.info("retention: removed the text of %d old messages", blanked)

    # -- commands -------------------------------------------------------------

    async def _iam(self, inv: Invocation) -> None:
        p = self._s.prompts
        labels = ", ".join(self.cfg.labels)
        label = (inv.args.get("label") or "").strip().lower()
        if not label:
            await inv.reply(p("ledger.iam_missing", labels=labels, example=self.cfg.labels[0]))
            return
        if label not in self.cfg.labels:
            await inv.reply(
                p("ledger.iam_unknown", label=label, labels=labels, example=self.cfg.labels[0])
            )
            return
        ev = inv.event
        await self.store.set_label((ev.platform, ev.author), label, self._s.clock.now())
        await inv.tell(p("ledger.iam_set", label=label))

    async def _optout(self, inv: Invocation) -> None:
        p = self._s.prompts
        who = (inv.event.platform, inv.event.author)
        if who in self.forgetting.opted_out:
            await inv.tell(p("ledger.optout_already"))
            return
        keep = inv.args.get("questions") == "keep-questions"
        person, removed = await self.forgetting.opt_out(
            who, inv.event.author_name, keep_questions=keep
        )
        key = "ledger.optout_questions_kept" if keep else "ledger.optout_questions_removed"
        await inv.tell(p("ledger.optout_done", questions=p(key)))
        # the store no longer holds them; now the reports and downloads written earlier
        removed |= await self.forgetting.finish(person)
        log.info("opt-out removed %s", {k: v for k, v in removed.items() if v})

    async def _optin(self, inv: Invocation) -> None:
        changed = await self.forgetting.opt_in((inv.event.platform, inv.event.author))
        await inv.tell(
            self._s.prompts("ledger.optin_done" if changed else "ledger.optin_not_needed")
        )

    async def _mydata(self, inv: Invocation) -> None:
        p = self._s.prompts
        ev = inv.event
        who = (ev.platform, ev.author)
        if who in self.forgetting.opted_out:
            await inv.tell(p("ledger.mydata_opted_out"))
            return
        ids = await self.ledger.identities(real_names=False)
        label = (await self.store.labels()).get(who)
        data = await person_data(
            self._s.db, who, label=label, pseudonym=ids.pseudonym(who), exports=self._s.exports
        )
        c = data["counts"]
        label_line = p("ledger.mydata_label", label=label) + " " if label else ""
        await inv.tell(
            p(
                "ledger.mydata_summary",
                messages=c["messages"],
                reactions=c["reactions"],
                questions=c["questions"],
                commands=c["commands"],
                events=c["events"],
                label_line=label_line,
                pseudonym=ids.pseudonym(who),
            )
        )
        if not self._s.outbox.capabilities(ev.platform).file_upload:
            await inv.tell(p("ledger.mydata_no_file"))
            return
        path = self.ledger.out_dir() / "mydata" / f"{ids.pseudonym(who)}.json"
        private_folder(path.parent)
        write_private(path, to_json(data))
        await self._s.outbox.send(
            UploadFile(
                target=Target.of(ev),
                path=path,
                comment=p("ledger.mydata_file"),
                private_to=ev.author,
            )
        )

    async def _export(self, inv: Invocation) -> None:
        p = self._s.prompts
        key = inv.args.get("event")
        session = await self.ledger.find(str(key)) if key else inv.session
        if session is None and not key:
            sessions = await self.ledger.sessions()
            session = sessions[-1] if sessions else None
            if session is None:
                await inv.tell(p("ledger.export_none"))
                return
        if session is None:
            known = await self.ledger.sessions()
            example = known[-1].slug if known else "my-event"
            await inv.reply(p("ledger.export_unknown", example=example))
            return
        target = self.ledger.out_dir() / session.slug / f"{session.slug}-export.zip"
        path = await export_event(self.ledger, session, target, zip_file=True)
        ev = inv.event
        if self._s.outbox.capabilities(ev.platform).file_upload:
            await self._s.outbox.send(
                UploadFile(
                    target=Target.of(ev),
                    path=path,
                    comment=p("ledger.export_file", title=session.title),
                    private_to=ev.author,
                ),
                session.id,
            )
            if not ev.private:
                await inv.reply(p("ledger.export_sent", title=session.title))
            return
        await inv.tell(p("ledger.export_path", title=session.title, path=path))


def _late(event: CommandIssued) -> bool:
    """Commands that add to an ended event's download (a late answer, ideas' news)."""
    return event.name in ("answer", "champion", "update")
