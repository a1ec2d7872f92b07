"""Roundtable roles and who holds them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from bot.forget import Person, Recall
from bot.store.db import Database

__all__ = ["ROLE_MIGRATIONS", "Role", "RoleBook"]


class Role(StrEnum):
    PARTICIPANT = "participant"
    PANELLIST = "panellist"
    MODERATOR = "moderator"
    ORGANISER = "organiser"


ROLE_MIGRATIONS = [
    """
    CREATE TABLE role_grants (
        platform TEXT NOT NULL,
        user TEXT NOT NULL,
        role TEXT NOT NULL,
        granted_by TEXT,
        ts TEXT NOT NULL,
        PRIMARY KEY (platform, user, role)
    );
    """,
]


class RoleBook:
    """Who is what: from config, from platform admin hints, and from grants.

    Config entries are ``platform:user`` ids (or bare user ids, matched on any
    platform). Platform admins count as organisers and platform moderators as
    moderators when ``trust_platform_roles`` is set. Organisers may grant and
    revoke panellist and moderator roles at run time; grants are stored.
    """

    def __init__(
        self,
        db: Database,
        *,
        organisers: Iterable[str] = (),
        moderators: Iterable[str] = (),
        panellists: Iterable[str] = (),
        trust_platform_roles: bool = True,
    ) -> None:
        self._db = db
        self._static: dict[Role, frozenset[str]] = {
            Role.ORGANISER: frozenset(organisers),
            Role.MODERATOR: frozenset(moderators),
            Role.PANELLIST: frozenset(panellists),
        }
        self._trust = trust_platform_roles
        self._grants: dict[tuple[str, str], set[Role]] = {}

    async def setup(self) -> None:
        await self._db.migrate("roles", ROLE_MIGRATIONS)
        for row in await self._db.fetchall("SELECT platform, user, role FROM role_grants"):
            self._grants.setdefault((row["platform"], row["user"]), set()).add(Role(row["role"]))

    def roles_of(self, platform: str, user: str, hints: Iterable[str] = ()) -> frozenset[Role]:
        """Every role the user holds; everyone is a participant."""
        held = {Role.PARTICIPANT}
        ids = {user, f"{platform}:{user}"}
        for role, members in self._static.items():
            if ids & members:
                held.add(role)
        held |= self._grants.get((platform, user), set())
        if self._trust:
            hint_set = set(hints)
            if "admin" in hint_set:
                held.add(Role.ORGANISER)
            if "moderator" in hint_set:
                held.add(Role.MODERATOR)
        if Role.ORGANISER in held:
            held.add(Role.MODERATOR)
        return frozenset(held)

    async def grant(self, platform: str, user: str, role: Role, by: str, ts: str) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO role_grants (platform, user, role, granted_by, ts)"
            " VALUES (?,?,?,?,?)",
            (platform, user, role.value, by, ts),
        )
        self._grants.setdefault((platform, user), set()).add(role)

    # -- personal data (bot.forget.Forgettable) ---------------------------------

    name = "roles"

    async def recall(self, platform: str, user: str) -> Recall:
        return Recall()

    async def forget(self, person: Person) -> Mapping[str, int]:
        """Grants to the person go (and their name as the one who granted)."""
        platform, user = person.key
        self._grants.pop((platform, user), None)
        removed = await self._db.execute(
            "DELETE FROM role_grants WHERE platform = ? AND user = ?", (platform, user)
        )
        await self._db.execute(
            "UPDATE role_grants SET granted_by = NULL WHERE platform = ? AND granted_by = ?",
            (platform, user),
        )
        return {"grants": removed}

    async def revoke(self, platform: str, user: str, role: Role) -> bool:
        changed = await self._db.execute(
            "DELETE FROM role_grants WHERE platform = ? AND user = ? AND role = ?",
            (platform, user, role.value),
        )
        self._grants.get((platform, user), set()).discard(role)
        return changed > 0
