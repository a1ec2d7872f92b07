"""Events in the Q&A sense ("sessions" in code, to keep them apart from platform events).

A session is one "ask the panel" event: it has a slug (``heat-panel``), a title,
an optional series it belongs to, the places (channels) it runs in, and a state:
``live``, ``paused`` or ``ended``. One session may span several places, even on
several platforms (the bridge).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.clock import Clock
from bot.events import Event
from bot.forget import Person, Recall
from bot.store.db import Database, Row

__all__ = [
    "SESSION_MIGRATIONS",
    "PlannedSession",
    "Session",
    "SessionRegistry",
    "place_matches",
    "slugify",
]

SESSION_MIGRATIONS = [
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        series TEXT,
        state TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        started_by TEXT
    );
    CREATE TABLE session_places (
        session_id INTEGER NOT NULL REFERENCES sessions (id),
        place TEXT NOT NULL,
        PRIMARY KEY (session_id, place)
    );
    """,
]

LIVE, PAUSED, ENDED = "live", "paused", "ended"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def place_matches(pattern: str, place: str) -> bool:
    """Whether ``place`` (platform:community:channel) fits ``pattern``; ``*`` is any part."""
    want = pattern.split(":", 2)
    have = place.split(":", 2)
    return len(want) == len(have) and all(w in ("*", h) for w, h in zip(want, have, strict=True))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:48].strip("-") or "event"


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """An event declared in the config: which places it runs in."""

    slug: str
    title: str = ""
    series: str | None = None
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    slug: str
    title: str
    series: str | None
    state: str
    started_at: datetime | None
    ended_at: datetime | None
    places: tuple[str, ...]

    @property
    def open(self) -> bool:
        return self.state in (LIVE, PAUSED)

    @property
    def platforms(self) -> set[str]:
        return {p.split(":", 1)[0] for p in self.places}


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class SessionRegistry:
    """Which session runs where; persisted, with an in-memory index for the hot path."""

    def __init__(self, db: Database, clock: Clock, planned: Sequence[PlannedSession] = ()) -> None:
        self._db = db
        self._clock = clock
        self._planned = list(planned)
        self._by_id: dict[int, Session] = {}
        self._open_at: dict[str, int] = {}
        # planned places whose community is not known ahead ("slack:*:C123") -> session
        self._open_like: dict[str, int] = {}

    async def setup(self) -> None:
        await self._db.migrate("sessions", SESSION_MIGRATIONS)
        rows = await self._db.fetchall("SELECT * FROM sessions ORDER BY id")
        for row in rows:
            await self._load(row)

    async def _load(self, row: Row) -> Session:
        places = await self._db.fetchall(
            "SELECT place FROM session_places WHERE session_id = ? ORDER BY place", (row["id"],)
        )
        session = Session(
            id=row["id"],
            slug=row["slug"],
            title=row["title"],
            series=row["series"],
            state=row["state"],
            started_at=_dt(row["started_at"]),
            ended_at=_dt(row["ended_at"]),
            places=tuple(p["place"] for p in places),
        )
        self._remember(session)
        return session

    def _remember(self, session: Session) -> None:
        self._by_id[session.id] = session
        for place in session.places:
            index = self._open_like if "*" in place else self._open_at
            if session.open:
                index[place] = session.id
            elif index.get(place) == session.id:
                del index[place]

    def planned_for(self, place: str) -> PlannedSession | None:
        for plan in self._planned:
            if any(place_matches(pattern, place) for pattern in plan.places):
                return plan
        return None

    def at(self, place: str) -> Session | None:
        """The live or paused session at ``place``, if any."""
        sid = self._open_at.get(place)
        if sid is None and self._open_like:
            sid = next((s for p, s in self._open_like.items() if place_matches(p, place)), None)
        return self._by_id.get(sid) if sid is not None else None

    def last_at(self, place: str) -> Session | None:
        """The session at ``place``: the open one, else the one that ended there last."""
        current = self.at(place)
        if current is not None:
            return current
        ended = [
            s
            for s in self._by_id.values()
            if s.state == ENDED and any(place_matches(p, place) for p in s.places)
        ]
        return max(ended, key=lambda s: (s.ended_at or s.started_at or _EPOCH, s.id), default=None)

    def for_event(self, event: Event) -> Session | None:
        """The session an event belongs to.

        A direct message to the bot belongs to the one open session on its
        platform, if there is exactly one.
        """
        session = self.at(event.place)
        if session is not None or not event.private:
            return session
        candidates = self.open_on(event.platform)
        return candidates[0] if len(candidates) == 1 else None

    def ended_for(self, event: Event) -> Session | None:
        """The event that ended where ``event`` happened, when none runs there now.

        In a channel: the last one that ended there. In a direct message: the
        last one that ended on that platform. (After the end, open questions
        stay answerable and ideas keep their champions.)
        """
        if not event.private:
            found = self.last_at(event.place)
            return found if found is not None and found.state == ENDED else None
        ended = [s for s in self._by_id.values() if s.state == ENDED]
        ended = [s for s in ended if event.platform in s.platforms]
        return max(ended, key=lambda s: (s.ended_at or _EPOCH, s.id), default=None)

    def session_id_of(self, event: Event) -> int | None:
        session = self.for_event(event)
        return session.id if session else None

    def open_on(self, platform: str) -> list[Session]:
        return [s for s in self._by_id.values() if s.open and platform in s.platforms]

    def all(self) -> list[Session]:
        return sorted(self._by_id.values(), key=lambda s: s.id)

    def get(self, key: str | int) -> Session | None:
        """Find a session by id or slug."""
        if isinstance(key, int) or str(key).isdigit():
            found = self._by_id.get(int(key))
            if found:
                return found
        return next((s for s in self._by_id.values() if s.slug == str(key)), None)

    # -- personal data (bot.forget.Forgettable) ---------------------------------

    name = "sessions"

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()

    async def forget(self, person: Person) -> Mapping[str, int]:
        """An event started by the person no longer says who started it."""
        n = await self._db.execute(
            "UPDATE sessions SET started_by = NULL WHERE started_by = ?", (person.user,)
        )
        return {"started_by": n}

    async def start(self, place: str, title: str = "", by: str = "") -> Session:
        """Start (or resume) the session at ``place``.

        If the config plans an event for this place, that event's slug and
        series are used; a slug that already ended gets a dated suffix.
        """
        current = self.at(place)
        if current is not None:
            return await self.set_state(current.id, LIVE)
        plan = self.planned_for(place)
        now = self._clock.now()
        title = title or (plan.title if plan else "") or "Ask the panel"
        slug = plan.slug if plan else slugify(title)
        # Every planned channel takes part, on whichever platform (the community may be
        # "*" when a platform section planned it); a pattern for any channel does not.
        planned = {p for p in (plan.places if plan else ()) if not p.endswith(":*")}
        places = tuple(sorted(planned | {place}))
        if self.get(slug) is not None:
            base = f"{slug}-{now:%Y%m%d-%H%M}"
            slug, n = base, 1
            while self.get(slug) is not None:
                n += 1
                slug = f"{base}-{n}"
        sid = await self._db.execute(
            "INSERT INTO sessions (slug, title, series, state, started_at, started_by)"
            " VALUES (?,?,?,?,?,?)",
            (slug, title, plan.series if plan else None, LIVE, now.isoformat(), by),
        )
        await self._db.executemany(
            "INSERT INTO session_places (session_id, place) VALUES (?, ?)",
            [(sid, p) for p in places],
        )
        row = await self._db.fetchone("SELECT * FROM sessions WHERE id = ?", (sid,))
        assert row is not None
        return await self._load(row)

    async def fresh(self, session_id: int) -> Session | None:
        """The session as the store has it now (on a shared store another worker may run it)."""
        row = await self._db.fetchone("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return None if row is None else await self._load(row)

    async def set_state(self, session_id: int, state: str) -> Session:
        session = self._by_id[session_id]
        ended = self._clock.now() if state == ENDED else None
        await self._db.execute(
            "UPDATE sessions SET state = ?, ended_at = ? WHERE id = ?",
            (state, ended.isoformat() if ended else None, session_id),
        )
        updated = replace(session, state=state, ended_at=ended)
        self._remember(updated)
        return updated
