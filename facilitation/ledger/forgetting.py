"""Opting out in the ledger: the hashed list, keeping people out, and erasing them.

``/optout`` records a keyed hash of the person (see :mod:`facilitation.ledger.optouts`),
then asks every store of personal data to forget them (:mod:`bot.forget`): the
log, the question queue, snapshots, ideas, roles, the ledger's labels; the
database file is scrubbed; reports, export bundles (in the output folder and
wherever ``roundtable export`` wrote them) are rewritten, and ``/mydata`` files
deleted. Until the erasure finishes, the list row names the person, so a crash
midway is finished at the next start.

After that a transform on the bus keeps them out: their messages and reactions
are not stored; their commands are answered, then kept without words or author;
others' mentions of them and their names in others' messages are removed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from bot.actions import Action, DirectMessage, Reply, Say, UploadFile
from bot.events import CommandIssued, Event, MessageEdited, MessagePosted, SessionChanged
from bot.forget import Person, Recall
from bot.store.personal import LogPersonalData
from facilitation.base import Services
from facilitation.ledger.export import export_event
from facilitation.ledger.optouts import Hasher, NameFilter, OptedOut
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import LedgerStore, PersonKey

__all__ = ["Forgetting"]

log = logging.getLogger("roundtable.ledger")


class Forgetting:
    """The ledger's part in forgetting people, and its record of who opted out."""

    name = "ledger"
    copies_others = True  # export bundles copy the report in: rewritten after it

    def __init__(self, services: Services, ledger: Ledger, store: LedgerStore) -> None:
        self._s = services
        self.ledger = ledger
        self.store = store
        self._log = LogPersonalData(services.db)
        self._hasher: Hasher | None = None
        self._channels: set[str] = set()
        self.opted_out = OptedOut(Hasher(""))
        self.names = NameFilter(Hasher(""))

    async def setup(self) -> None:
        self._hasher = await self.ledger.hasher()
        self.opted_out = await self.ledger.optouts()
        _, name_keys, self._channels = await self.store.forgotten()
        self.names = NameFilter(self._hasher, name_keys)
        self._s.personal.register(self)
        self._s.personal.register_files(self)
        self._s.personal.register_optouts(lambda platform, user: (platform, user) in self.opted_out)
        self._s.outbox.dont_record(self.to_opted_out)

    def to_opted_out(self, action: Action) -> bool:
        """Whether ``action`` goes to someone who opted out (it is then not recorded)."""
        if not self.opted_out.keys or self._hasher is None:
            return False
        match action:
            case DirectMessage(platform=platform, user=user):
                return (platform, user) in self.opted_out
            case UploadFile(target=target, private_to=user) if user is not None:
                return (target.platform, user) in self.opted_out
            case Say(target=target) | Reply(target=target) | UploadFile(target=target):
                return self._hasher.channel(target.platform, target.channel) in self._channels
        return False

    async def resume(self) -> None:
        """Finish erasures a crash interrupted."""
        for key, (platform, user), keep, names in await self.store.pending():
            log.info("finishing an interrupted opt-out")
            person = await self._s.personal.person(platform, user, names, keep_questions=keep)
            await self._s.personal.forget(person)
            await self.store.done(key)

    # -- the bus transform ---------------------------------------------------------

    def keep_out(self, event: Event) -> Event | None:
        """Drop what people who opted out do; take them out of others' messages."""
        if (event.platform, event.author) not in self.opted_out:
            return self._without_them(event)
        if isinstance(event, CommandIssued | SessionChanged):
            return event  # answered, then kept without words: after_command
        if isinstance(event, MessagePosted) and event.from_bot:
            return event
        return None

    def _without_them(self, event: Event) -> Event:
        if not isinstance(event, MessagePosted | MessageEdited) or getattr(
            event, "from_bot", False
        ):
            return event
        if not self.opted_out.keys:
            return event
        mentions = tuple(m for m in event.mentions if (event.platform, m) not in self.opted_out)
        text = self.names.redact(event.text)
        if text == event.text and mentions == event.mentions:
            return event
        return replace(event, text=text, mentions=mentions)

    async def after_command(self, event: CommandIssued) -> None:
        """A command from someone who opted out: keep its row without words or author."""
        who = (event.platform, event.author)
        if who not in self.opted_out or event.name == "optin":
            return
        await self._log.blank_command(event.platform, event.dedup_key)
        # a question asked after opting out stays, nameless; nothing else to search for
        quiet = Person(event.platform, event.author, keep_questions=True)
        for store in ("questions",):
            if store in self._s.personal.stores:
                await self._s.personal.forget_in(store, quiet)

    # -- opting out and in ------------------------------------------------------------

    async def opt_out(
        self, who: PersonKey, name: str, *, keep_questions: bool
    ) -> tuple[Person, dict[str, int]]:
        """Record the opt-out and forget the person in every store (fast).

        The files written earlier still hold them: call :meth:`finish` next (the
        opt-out stays marked pending until then, so a crash finishes it at start).
        """
        assert self._hasher is not None
        personal = self._s.personal
        person = await personal.person(*who, (name,), keep_questions=keep_questions)
        key = self._hasher.person(who)
        name_keys = self._hasher.names(person.names)
        channel_keys = [
            self._hasher.channel(who[0], c) for c in await self._log.private_channels(*who)
        ]
        self.opted_out.keys.add(key)
        self.names.keys.update(name_keys)
        self._channels.update(channel_keys)
        await self.store.add_forgotten(
            key,
            self._s.clock.now(),
            keep_questions,
            name_keys,
            pending=(who, sorted(person.names)),
            channel_keys=channel_keys,
        )
        removed = await personal.forget(person, files=False)
        self.ledger.forget_cache()
        return person, removed

    async def finish(self, person: Person) -> dict[str, int]:
        """Rewrite reports and exports without the person; then the list forgets who it was."""
        assert self._hasher is not None
        rewritten = await self._s.personal.republish(person)
        await self.store.done(self._hasher.person(person.key))
        await self._s.db.scrub()  # the pending row named them
        return rewritten

    async def opt_in(self, who: PersonKey) -> bool:
        assert self._hasher is not None
        key = self._hasher.person(who)
        self.opted_out.keys.discard(key)
        return await self.store.remove_forgotten(key)

    # -- bot.forget.Forgettable: the ledger's own rows ------------------------------

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()

    async def forget(self, person: Person) -> dict[str, int]:
        return {
            "label": await self.store.forget_label(person.key),
            "roles": await self.store.forget_roles(person.key),
        }

    # -- bot.forget.Republisher: figures, bundles, /mydata files ----------------------

    async def republish(self, person: Person) -> list[Path]:
        """Recompute stored figures; rewrite every bundle written; delete /mydata files."""
        touched: list[Path] = []
        now = self._s.clock.now()
        sessions = {s.id: s for s in await self.ledger.sessions()}
        for session in sessions.values():
            if await self.store.stored_metrics(session.id) is not None:
                await self.ledger.record(session, now)
            folder = self.ledger.out_dir() / session.slug
            if (folder / "export").is_dir():
                touched.append(await export_event(self.ledger, session, folder / "export"))
            bundle = folder / f"{session.slug}-export.zip"
            if bundle.is_file():
                touched.append(await export_event(self.ledger, session, bundle, zip_file=True))
        for path, session_id, zip_file, real_names in await self.store.outputs():
            written = sessions.get(session_id)
            if written is not None and (path.is_file() if zip_file else path.is_dir()):
                touched.append(
                    await export_event(
                        self.ledger, written, path, zip_file=zip_file, real_names=real_names
                    )
                )
        mydata = self.ledger.out_dir() / "mydata"
        if mydata.is_dir():  # one-off downloads; others' may quote the person
            for path in mydata.glob("*.json"):
                path.unlink()
                touched.append(path)
        return touched
