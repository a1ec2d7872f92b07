"""One person, several accounts: linking a person's accounts across platforms.

Someone in an event that spans Discord and Telegram may be in both channels.
With ``/link`` they ask for a one-time code on one account and give it from the
other; from then on both accounts are one person: one vote per question, one
champion. Codes are short-lived, used once, and stored only as hashes.

A person is named by the key of their first linked account (``"discord:123"``);
an account never linked is its own person. Opting out on one account unlinks
that account (bot.forget); the others stay linked to each other.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.forget import Person, Recall
from bot.store.db import Database

__all__ = ["PEOPLE_MIGRATIONS", "LinkBook", "LinkResult"]

PEOPLE_MIGRATIONS = [
    """
    CREATE TABLE people_links (
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        person TEXT NOT NULL,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (platform, user)
    );
    CREATE INDEX people_links_person ON people_links (person);
    CREATE TABLE people_codes (
        code_hash TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        expires TEXT NOT NULL
    );
    """,
    # Wrong guesses are kept, so a restart does not hand out fresh tries.
    """
    CREATE TABLE people_link_tries (
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX people_link_tries_account ON people_link_tries (platform, user);
    """,
]

# No 0/O, 1/I/L: a code is read on one screen and typed on another.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_TRIES = 5
"""Wrong codes one account may try within a code's lifetime before it must wait."""

Account = tuple[str, str]


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LinkResult:
    """``kind``: linked, already, same_account, same_platform, wrong, expired or too_many."""

    kind: str
    other: Account | None = None
    accounts: tuple[Account, ...] = ()


class LinkBook:
    """Linked accounts and pending codes; an in-memory map for the vote path."""

    name = "people"  # bot.forget.Forgettable

    def __init__(self, db: Database, lifetime: timedelta = timedelta(minutes=15)) -> None:
        self._db = db
        self.lifetime = lifetime
        self._person: dict[Account, str] = {}

    async def setup(self) -> None:
        await self._db.migrate("people", PEOPLE_MIGRATIONS)
        rows = await self._db.fetchall("SELECT platform, user, person FROM people_links")
        self._person = {(r["platform"], r["user"]): str(r["person"]) for r in rows}

    def person_of(self, platform: str, user: str) -> str:
        """The person an account belongs to (itself when never linked). No I/O."""
        return self._person.get((platform, user), f"{platform}:{user}")

    def accounts_of(self, platform: str, user: str) -> tuple[Account, ...]:
        """Every account of the person behind ``platform:user``, that one included."""
        person = self.person_of(platform, user)
        linked = tuple(sorted(a for a, p in self._person.items() if p == person))
        return linked or ((platform, user),)

    async def issue(self, platform: str, user: str, now: datetime) -> str:
        """A fresh one-time code for this account (its earlier codes stop working)."""
        await self._db.execute(
            "DELETE FROM people_codes WHERE (platform = ? AND user = ?) OR expires < ?",
            (platform, user, now.isoformat()),
        )
        code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
        await self._db.execute(
            "INSERT INTO people_codes (code_hash, platform, user, expires) VALUES (?, ?, ?, ?)",
            (_hash(code), platform, user, (now + self.lifetime).isoformat()),
        )
        return code

    async def _limited(self, who: Account, now: datetime) -> bool:
        """Whether this account made ``MAX_TRIES`` wrong guesses within a code's lifetime."""
        await self._db.execute(
            "DELETE FROM people_link_tries WHERE at < ?", ((now - self.lifetime).isoformat(),)
        )
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM people_link_tries WHERE platform = ? AND user = ?", who
        )
        return row is not None and int(row["n"]) >= MAX_TRIES

    async def redeem(self, code: str, platform: str, user: str, now: datetime) -> LinkResult:
        """Link ``platform:user`` with the account that was given ``code``."""
        who = (platform, user)
        if await self._limited(who, now):
            return LinkResult("too_many")
        row = await self._db.fetchone(
            "SELECT platform, user, expires FROM people_codes WHERE code_hash = ?", (_hash(code),)
        )
        if row is None:
            await self._db.execute(
                "INSERT INTO people_link_tries (platform, user, at) VALUES (?, ?, ?)",
                (*who, now.isoformat()),
            )
            return LinkResult("wrong")
        other = (str(row["platform"]), str(row["user"]))
        if datetime.fromisoformat(row["expires"]) < now:
            await self._db.execute("DELETE FROM people_codes WHERE code_hash = ?", (_hash(code),))
            return LinkResult("expired", other)
        if other == who:
            return LinkResult("same_account", other)  # the code stays: use it on the other one
        if other[0] == platform:
            return LinkResult("same_platform", other)
        await self._db.execute("DELETE FROM people_codes WHERE code_hash = ?", (_hash(code),))
        if self.person_of(*other) == self.person_of(*who):
            return LinkResult("already", other, self.accounts_of(*who))
        await self._join(other, who, now)
        return LinkResult("linked", other, self.accounts_of(*who))

    async def _join(self, keep: Account, add: Account, now: datetime) -> None:
        person = self.person_of(*keep)
        old = self.person_of(*add)
        moved = [a for a, p in self._person.items() if p == old] or [add]
        async with self._db.transaction():
            for account in {keep, *moved}:
                await self._db.execute(
                    "INSERT INTO people_links (platform, user, person, linked_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (platform, user)"
                    " DO UPDATE SET person = excluded.person",
                    (*account, person, now.isoformat()),
                )
        for account in {keep, *moved}:
            self._person[account] = person

    async def unlink(self, platform: str, user: str) -> bool:
        """Take this account out of its person (the other accounts stay together)."""
        if (platform, user) not in self._person:
            return False
        person = self._person.pop((platform, user))
        await self._db.execute(
            "DELETE FROM people_links WHERE platform = ? AND user = ?", (platform, user)
        )
        rest = [a for a, p in self._person.items() if p == person]
        if len(rest) == 1:  # one account alone is no link
            await self.unlink(*rest[0])
        elif rest and person == f"{platform}:{user}":  # the person was named after this one
            new = f"{rest[0][0]}:{rest[0][1]}"
            await self._db.execute(
                "UPDATE people_links SET person = ? WHERE person = ?", (new, person)
            )
            for account in rest:
                self._person[account] = new
        return True

    # -- personal data (bot.forget.Forgettable) ---------------------------------

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()

    async def forget(self, person: Person) -> Mapping[str, int]:
        codes = await self._db.execute(
            "DELETE FROM people_codes WHERE platform = ? AND user = ?", person.key
        )
        tries = await self._db.execute(
            "DELETE FROM people_link_tries WHERE platform = ? AND user = ?", person.key
        )
        return {
            "links": int(await self.unlink(*person.key)),
            "link_codes": codes,
            "link_tries": tries,
        }
