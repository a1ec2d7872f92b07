"""The ledger's working parts put together: read an event, figure it, remember the series.

Used by the chat module (on event end, /export, /mydata) and by the CLI
(``roundtable export``, ``roundtable evaluate``), so both give the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.exports import Exports, Question
from bot.offload import Offload
from bot.plugins import default_registry
from bot.roles import Role
from bot.sessions import Session
from bot.store import Database
from facilitation.bots import bot_names, is_bot_name
from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.data import EventData, load_event
from facilitation.ledger.metrics import PastEvent, compute_metrics
from facilitation.ledger.optouts import Hasher, OptedOut
from facilitation.ledger.privacy import Identities
from facilitation.ledger.secret import resolve_secret
from facilitation.ledger.store import LedgerStore, PersonKey, load_sessions
from facilitation.ledger.tone import ToneScorer

__all__ = ["Ledger", "drop_bots", "main_role"]

RolesOf = Callable[[str, str], frozenset[Role]]
_ORDER = (Role.PANELLIST, Role.ORGANISER, Role.MODERATOR)


def main_role(roles: frozenset[Role]) -> str:
    """The one role shown for a person: panellist first, then organiser, then moderator."""
    return next((r.value for r in _ORDER if r in roles), Role.PARTICIPANT.value)


class Ledger:
    """Reads events, computes and stores figures, and knows each series' history.

    Args:
        db: the store.
        config: the whole config (ledger, privacy, events, out_dir).
        roles_of: the roles of ``(platform, user)``.
        store: the ledger tables (set up by the caller).
        tone: the sentiment scorer (loaded once).
        exports: what other modules offer (questions, snapshots, bots); by default
            those of every installed module, over ``db``.
        offload: the worker process that writes exports (``None``: a thread, as
            from the command line).
    """

    def __init__(
        self,
        db: Database,
        config: Config,
        roles_of: RolesOf,
        store: LedgerStore,
        tone: ToneScorer | None = None,
        exports: Exports | None = None,
        offload: Offload | None = None,
    ) -> None:
        self.db = db
        self.offload = offload
        self.config = config
        self.cfg = config.section("ledger", LedgerConfig)
        self.store = store
        self._roles_of = roles_of
        self.tone = tone or ToneScorer(self.cfg.positive_threshold)
        self._past: dict[int, PastEvent] = {}
        self.exports = exports or Exports(db, default_registry().exports())
        self._hasher: Hasher | None = None

    def past(self, session_id: int) -> PastEvent | None:
        """What is remembered of an event already read (``None`` if not read yet)."""
        return self._past.get(session_id)

    def forget_cache(self) -> None:
        """Drop remembered history (after someone opts out)."""
        self._past.clear()

    async def questions(self, session: Session) -> list[Question] | None:
        """The event's questions from the queue (``None``: this store has no queue)."""
        source = self.exports.questions()
        return None if source is None else await source.for_session(session.id)

    async def snapshots(self, session: Session) -> list[dict[str, Any]] | None:
        """The snapshots the event was offered (``None``: this store has none)."""
        source = self.exports.snapshots()
        return None if source is None else await source.for_session(session.id)

    async def bots(self) -> set[PersonKey]:
        """Authors their platform marked as bots."""
        source = self.exports.bots()
        return set() if source is None else await source.bots()

    async def sessions(self) -> list[Session]:
        return await load_sessions(self.db)

    async def find(self, key: str) -> Session | None:
        for s in await self.sessions():
            if s.slug == key or str(s.id) == key:
                return s
        return None

    def series_name(self, session: Session) -> str | None:
        if session.series:
            return session.series
        for name, slugs in self.cfg.series.items():
            if session.slug in slugs:
                return name
        return None

    async def series(self, name: str) -> list[Session]:
        """The events of a series, oldest first."""
        return [s for s in await self.sessions() if self.series_name(s) == name]

    async def earlier(self, session: Session) -> list[Session]:
        name = self.series_name(session)
        if name is None:
            return []
        members = await self.series(name)
        ids = [s.id for s in members]
        return members[: ids.index(session.id)] if session.id in ids else []

    async def identities(self, *, real_names: bool | None = None) -> Identities:
        real = (not self.config.privacy.pseudonymise_exports) if real_names is None else real_names
        return Identities(await self.secret(), real_names=real)

    async def secret(self) -> str:
        """The pseudonym key (see :mod:`facilitation.ledger.secret`)."""
        privacy = self.config.privacy
        file = self.config.resolve(privacy.secret_file) if privacy.secret_file else None
        return await resolve_secret(privacy, self.store, file=file)

    async def hasher(self) -> Hasher:
        """Keyed hashes for the opt-out list (under the pseudonym key)."""
        if self._hasher is None:
            self._hasher = Hasher(await self.secret())
        return self._hasher

    async def optouts(self) -> OptedOut:
        """Who opted out, checked by keyed hash (the list names nobody)."""
        hasher = await self.hasher()
        await self.convert_legacy_optouts(hasher)
        keys, _, _ = await self.store.forgotten()
        return OptedOut(hasher, keys)

    async def convert_legacy_optouts(self, hasher: Hasher) -> None:
        """Hash opt-outs an older version kept in clear, then wipe the clear ones."""
        legacy = await self.store.legacy_optouts()
        if not legacy:
            return
        for who, ts, keep, names in legacy:
            await self.store.add_forgotten(
                hasher.person(who), datetime.fromisoformat(ts), keep, hasher.names(names), None
            )
        await self.store.drop_legacy_optouts()
        await self.db.scrub()

    async def load(
        self, session: Session, optouts: Container[PersonKey] | None = None
    ) -> EventData:
        optouts = await self.optouts() if optouts is None else optouts
        questions = await self.questions(session)
        stored = await self.store.roles(session.id)
        data = await load_event(
            self.db,
            session,
            # the role stored when they took part; the config's for stores made before that
            role_of=lambda p, u: stored.get((p, u)) or main_role(self._roles_of(p, u)),
            optouts=optouts,
            labels=await self.store.labels(),
            questions=questions,
        )
        drop_bots(data, await self.bots())
        self._past[session.id] = PastEvent.of(data)
        return data

    async def history(self, session: Session, optouts: Container[PersonKey]) -> list[PastEvent]:
        out = []
        for s in await self.earlier(session):
            if s.id not in self._past:
                await self.load(s, optouts)
            out.append(self._past[s.id])
        return out

    async def figures(self, session: Session) -> tuple[EventData, dict[str, Any]]:
        """Read ``session`` and compute its figures (not stored)."""
        optouts = await self.optouts()
        earlier = await self.history(session, optouts)
        data = await self.load(session, optouts)
        figures = compute_metrics(data, earlier=earlier, cfg=self.cfg, tone=self.tone)
        stored = await self.store.stored_metrics(session.id)
        if stored is not None and _text_was_removed(data):
            # the retention period removed message text: tone can't be recomputed
            figures["tone"] = stored.get("tone", figures["tone"])
        return data, figures

    async def record(self, session: Session, now: datetime) -> tuple[EventData, dict[str, Any]]:
        """Compute ``session``'s figures and store them in ``metrics``."""
        data, figures = await self.figures(session)
        await self.store.save_metrics(session.id, figures, now)
        return data, figures

    def out_dir(self) -> Path:
        return self.config.resolve(self.config.bot.out_dir)


def _text_was_removed(data: EventData) -> bool:
    return any(m.text is None for m in data.messages)


def drop_bots(event: EventData, marked: set[PersonKey]) -> None:
    """Other bots are not participants: their messages and reactions leave the report.

    ``marked`` are the authors their platform flagged; a log's bots are found by
    name and by what they write (``MootBot``: "ACTION received: ...").
    """
    found = bot_names(
        (event.names.get(m.author, m.author[1]), m.text or "") for m in event.messages
    )
    bots = set(marked) | {
        m.author for m in event.messages if event.names.get(m.author, m.author[1]) in found
    }
    # Bots that only sat in the channel (ChanServ) are no silent members either.
    members = event.members or set()
    bots |= {p for p in members if is_bot_name(event.names.get(p, p[1]))}
    if not bots:
        return
    event.messages = [m for m in event.messages if m.author not in bots]
    event.reactions = [r for r in event.reactions if r.author not in bots]
    if event.members is not None:
        event.members = event.members - bots
    for m in event.messages:
        m.mentions = tuple(p for p in m.mentions if p not in bots)
        if m.reply_to_author in bots:  # a reply to a bot ties nobody to anybody
            m.reply_to_author = None
