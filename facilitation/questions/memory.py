"""What the questions module remembers between restarts: everything that shapes what it does next.

Each of these decides what the bot posts for a later message, so each is a row
of the module's own tables, written in the unit of work of the event that
caused it (see :mod:`bot.bus`): it survives a crash exactly when that event's
handling does, and a restart (or a crash) changes nothing the bot does after.
All are read once at start (write-through: reads come from the copy in memory).

* **told**: the private hint ("I put your message in the panel's queue...
  /withdraw N") goes to each person once per event.
* **spoke**: a text acknowledgement goes to a channel at most once per
  ``ack_interval_seconds``.
* **preambles**: "a quick question about the trial" waits (two minutes) for the
  question that completes it, from the same person in the same channel.
* **exchanges**: who was just spoken to, or spoke to someone, by @name; a short
  follow-up inside that exchange is not for the panel.
* **staff names**: the first names of panellists and moderators who have
  spoken; "njeri, ..." addresses one of them.
* **deleted**: a question its asker deleted, so that a repost within ten
  minutes takes its place (its number and votes).
* **room asks**: a participant's question that is not for the panel (put to the
  room, or one the panel model leaves out). When another participant answers it
  (by reply, by naming the asker, or right after it) it becomes a room question,
  credited to the room and never left open for the panel.

(The panellist's latest answer, which a second message of theirs carries on, is
read from the answers table itself.) Every row names a person, so each is
forgotten with them (:class:`bot.forget.Forgettable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.forget import Person, Recall, phrases_of
from bot.store import Database

__all__ = ["MEMORY_MIGRATIONS", "Preamble", "QuestionMemory", "RoomAsk"]

MEMORY_MIGRATIONS = [
    """
    CREATE TABLE question_told (
        session_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        person TEXT NOT NULL,
        what TEXT NOT NULL,
        PRIMARY KEY (session_id, platform, person, what)
    );
    CREATE TABLE question_spoke (
        place TEXT PRIMARY KEY,
        at TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE question_preambles (
        place TEXT NOT NULL,
        platform TEXT NOT NULL,
        person TEXT NOT NULL,
        message_id TEXT NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (place, person)
    );
    CREATE TABLE question_exchanges (
        place TEXT NOT NULL,
        platform TEXT NOT NULL,
        person TEXT NOT NULL,
        message_id TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (place, person)
    );
    CREATE TABLE question_staff (
        platform TEXT NOT NULL,
        person TEXT NOT NULL,
        first_name TEXT NOT NULL,
        PRIMARY KEY (platform, person, first_name)
    );
    CREATE TABLE question_deleted (
        session_id INTEGER NOT NULL,
        platform TEXT NOT NULL,
        person TEXT NOT NULL,
        question_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (session_id, platform, person)
    );
    """,
    """
    CREATE TABLE question_room_asks (
        platform TEXT NOT NULL,
        message_id TEXT NOT NULL,
        session_id INTEGER NOT NULL,
        place TEXT NOT NULL,
        community TEXT NOT NULL,
        channel TEXT NOT NULL,
        thread TEXT,
        person TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (platform, message_id)
    );
    """,
]

Told = tuple[int, str, str, str]  # session, platform, person, what
Asker = tuple[int, str, str]  # session, platform, person


@dataclass(frozen=True, slots=True)
class Preamble:
    """A short "my question is about X" message, waiting for the question itself."""

    message_id: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RoomAsk:
    """A participant's question left out of the panel's queue, which the room may answer."""

    platform: str
    message_id: str
    session_id: int
    place: str
    community: str
    channel: str
    thread: str | None
    person: str
    name: str
    text: str
    at: datetime


class QuestionMemory:
    """Write-through memory: reads come from a copy loaded at start."""

    name = "questions.memory"

    def __init__(self, db: Database) -> None:
        self._db = db
        self._told: set[Told] = set()
        self._spoke: dict[str, datetime] = {}
        self._preambles: dict[tuple[str, str], tuple[str, Preamble]] = {}
        self._exchanges: dict[tuple[str, str], tuple[datetime, str]] = {}
        self._staff: dict[tuple[str, str], set[str]] = {}
        self._staff_names: set[str] = set()
        self._deleted: dict[Asker, tuple[int, datetime]] = {}
        self._room: dict[tuple[str, str], RoomAsk] = {}

    async def setup(self) -> None:
        await self._db.migrate("questions_memory", MEMORY_MIGRATIONS)
        rows = await self._db.fetchall(
            "SELECT session_id, platform, person, what FROM question_told"
        )
        self._told = {(r["session_id"], r["platform"], r["person"], r["what"]) for r in rows}
        spoke = await self._db.fetchall("SELECT place, at FROM question_spoke")
        self._spoke = {r["place"]: datetime.fromisoformat(r["at"]) for r in spoke}
        self._preambles = {
            (r["place"], r["person"]): (
                r["platform"],
                Preamble(r["message_id"], r["text"], datetime.fromisoformat(r["at"])),
            )
            for r in await self._db.fetchall("SELECT * FROM question_preambles")
        }
        self._exchanges = {
            (r["place"], r["person"]): (datetime.fromisoformat(r["at"]), r["message_id"])
            for r in await self._db.fetchall("SELECT * FROM question_exchanges")
        }
        self._staff = {}
        for r in await self._db.fetchall("SELECT * FROM question_staff"):
            self._staff.setdefault((r["platform"], r["person"]), set()).add(r["first_name"])
        self._staff_names = {name for names in self._staff.values() for name in names}
        self._deleted = {
            (r["session_id"], r["platform"], r["person"]): (
                int(r["question_id"]),
                datetime.fromisoformat(r["at"]),
            )
            for r in await self._db.fetchall("SELECT * FROM question_deleted")
        }
        self._room = {}
        for r in await self._db.fetchall("SELECT * FROM question_room_asks ORDER BY at"):
            values = {k: r[k] for k in r.keys()}  # noqa: SIM118 (sqlite Row)
            values["at"] = datetime.fromisoformat(values["at"])
            ask = RoomAsk(**values)
            self._room[(ask.platform, ask.message_id)] = ask

    # -- told, spoke ----------------------------------------------------------------

    def was_told(self, session_id: int, platform: str, person: str, what: str) -> bool:
        return (session_id, platform, person, what) in self._told

    async def told(self, session_id: int, platform: str, person: str, what: str) -> None:
        key = (session_id, platform, person, what)
        if key in self._told:
            return
        await self._db.execute(
            "INSERT OR IGNORE INTO question_told (session_id, platform, person, what)"
            " VALUES (?, ?, ?, ?)",
            key,
        )
        self._told.add(key)

    def last_spoke(self, place: str) -> datetime | None:
        return self._spoke.get(place)

    async def spoke(self, place: str, at: datetime) -> None:
        await self._db.execute(
            "INSERT INTO question_spoke (place, at) VALUES (?, ?)"
            " ON CONFLICT (place) DO UPDATE SET at = excluded.at",
            (place, at.isoformat()),
        )
        self._spoke[place] = at

    # -- preambles ------------------------------------------------------------------

    def preamble(self, place: str, person: str) -> Preamble | None:
        """The person's last message here, if it was a preamble (else ``None``)."""
        found = self._preambles.get((place, person))
        return found[1] if found is not None else None

    async def set_preamble(
        self, place: str, platform: str, person: str, preamble: Preamble | None
    ) -> None:
        """Their latest message here: a preamble, or (``None``) anything else."""
        key = (place, person)
        if preamble is None:
            if self._preambles.pop(key, None) is not None:
                await self._db.execute(
                    "DELETE FROM question_preambles WHERE place = ? AND person = ?", key
                )
            return
        await self._db.execute(
            "INSERT OR REPLACE INTO question_preambles"
            " (place, platform, person, message_id, text, at) VALUES (?, ?, ?, ?, ?, ?)",
            (place, platform, person, preamble.message_id, preamble.text, preamble.at.isoformat()),
        )
        self._preambles[key] = (platform, preamble)

    # -- exchanges ------------------------------------------------------------------

    def spoken_to(self, place: str, person: str) -> tuple[datetime, str] | None:
        """When (and by which message) the person last spoke to someone or was spoken to."""
        return self._exchanges.get((place, person))

    async def exchange(
        self, place: str, platform: str, people: list[str], at: datetime, message_id: str
    ) -> None:
        for person in people:
            await self._db.execute(
                "INSERT OR REPLACE INTO question_exchanges"
                " (place, platform, person, message_id, at) VALUES (?, ?, ?, ?, ?)",
                (place, platform, person, message_id, at.isoformat()),
            )
            self._exchanges[(place, person)] = (at, message_id)

    # -- staff names ----------------------------------------------------------------

    @property
    def staff_names(self) -> set[str]:
        """Every staff first name seen (read-only: :meth:`staff_name` adds one)."""
        return self._staff_names

    async def staff_name(self, platform: str, person: str, first_name: str) -> None:
        known = self._staff.setdefault((platform, person), set())
        if first_name in known:
            return
        await self._db.execute(
            "INSERT OR IGNORE INTO question_staff (platform, person, first_name) VALUES (?, ?, ?)",
            (platform, person, first_name),
        )
        known.add(first_name)
        self._staff_names.add(first_name)

    # -- deleted questions ----------------------------------------------------------

    def deleted(self, session_id: int, platform: str, person: str) -> tuple[int, datetime] | None:
        """The question this person deleted last in this event, and when."""
        return self._deleted.get((session_id, platform, person))

    async def set_deleted(
        self, session_id: int, platform: str, person: str, found: tuple[int, datetime] | None
    ) -> None:
        key = (session_id, platform, person)
        if found is None:
            if self._deleted.pop(key, None) is not None:
                await self._db.execute(
                    "DELETE FROM question_deleted WHERE session_id = ? AND platform = ?"
                    " AND person = ?",
                    key,
                )
            return
        await self._db.execute(
            "INSERT OR REPLACE INTO question_deleted"
            " (session_id, platform, person, question_id, at) VALUES (?, ?, ?, ?, ?)",
            (*key, found[0], found[1].isoformat()),
        )
        self._deleted[key] = found

    # -- room asks -------------------------------------------------------------------

    def room_ask(self, platform: str, message_id: str | None) -> RoomAsk | None:
        """The room ask posted as this message, if any."""
        return self._room.get((platform, message_id)) if message_id else None

    def room_asks(self, place: str, since: datetime) -> list[RoomAsk]:
        """The room asks posted here since ``since``, oldest first."""
        return sorted(
            (a for a in self._room.values() if a.place == place and a.at >= since),
            key=lambda a: a.at,
        )

    async def add_room_ask(self, ask: RoomAsk) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO question_room_asks (platform, message_id, session_id, place,"
            " community, channel, thread, person, name, text, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ask.platform,
                ask.message_id,
                ask.session_id,
                ask.place,
                ask.community,
                ask.channel,
                ask.thread,
                ask.person,
                ask.name,
                ask.text,
                ask.at.isoformat(),
            ),
        )
        self._room[(ask.platform, ask.message_id)] = ask

    async def drop_room_ask(self, platform: str, message_id: str) -> None:
        if self._room.pop((platform, message_id), None) is not None:
            await self._db.execute(
                "DELETE FROM question_room_asks WHERE platform = ? AND message_id = ?",
                (platform, message_id),
            )

    # -- personal data (bot.forget.Forgettable) --------------------------------

    async def recall(self, platform: str, user: str) -> Recall:
        names = frozenset(self._staff.get((platform, user), set()))
        phrases: set[str] = set()
        for (_, person), (plat, preamble) in self._preambles.items():
            if (plat, person) == (platform, user):
                phrases |= phrases_of(preamble.text)
        asks = [a for a in self._room.values() if (a.platform, a.person) == (platform, user)]
        for ask in asks:
            phrases |= phrases_of(ask.text)
        names |= {a.name for a in asks if a.name}
        return Recall(names, frozenset(phrases))

    async def forget(self, person: Person) -> Mapping[str, int]:
        platform, user = person.key
        key = (platform, user)
        removed: dict[str, int] = {}
        async with self._db.transaction():
            removed["told"] = await self._db.execute(
                "DELETE FROM question_told WHERE platform = ? AND person = ?", (platform, user)
            )
            for table in ("preambles", "exchanges", "staff", "deleted", "room_asks"):
                removed[table] = await self._db.execute(
                    f"DELETE FROM question_{table} WHERE platform = ? AND person = ?",
                    (platform, user),
                )
        self._told = {t for t in self._told if (t[1], t[2]) != (platform, user)}
        self._preambles = {
            k: v for k, v in self._preambles.items() if (v[0], k[1]) != (platform, user)
        }
        self._exchanges = {
            k: v
            for k, v in self._exchanges.items()
            if not k[0].startswith(f"{platform}:") or k[1] != user
        }
        self._staff.pop((platform, user), None)
        self._staff_names = {name for names in self._staff.values() for name in names}
        self._deleted = {k: v for k, v in self._deleted.items() if k[1:] != (platform, user)}
        self._room = {k: v for k, v in self._room.items() if (v.platform, v.person) != key}
        if person.searchable:  # their name or words in others' asks
            for k, ask in list(self._room.items()):
                clean = person.scrub(ask.text)
                if clean != ask.text:
                    await self._db.execute(
                        "UPDATE question_room_asks SET text = ?"
                        " WHERE platform = ? AND message_id = ?",
                        (clean, *k),
                    )
                    self._room[k] = replace(ask, text=clean)
        return removed
