"""Clicks on the dashboard become chat commands, run by the same router with the same checks.

A button never changes the queue itself: it builds the command a moderator
would type (``/reject 4 off topic``) as a :class:`CommandIssued` from the
signed-in person, and hands it to :meth:`CommandRouter.handle` with a responder
that collects the answers for the page. Roles, places, argument parsing and the
handlers are the chat's own. The checks made here first (is the command there,
may this person use it, does the question exist) only choose the HTTP status.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.actions import Say, Target
from bot.clock import Clock
from bot.commands import CommandRouter
from bot.events import CommandIssued
from bot.outbox import Outbox
from bot.prompts import Prompts
from bot.roles import Role, RoleBook
from bot.sessions import Session
from facilitation.dashboard.auth import Viewer

__all__ = ["QUESTION_ACTIONS", "SNAPSHOT_ACTIONS", "ActionError", "Commander"]

log = logging.getLogger("roundtable.dashboard")

# button -> (chat command, the form field it needs: None, "reason", "text" or "into")
QUESTION_ACTIONS: dict[str, tuple[str, str | None]] = {
    "vote": ("upvote", None),
    "approve": ("approve", None),
    "reject": ("reject", "reason"),
    "edit": ("edit", "text"),
    "merge": ("merge", "into"),
    "pin": ("pin", None),
    "now": ("now", None),
    "answered": ("answered", None),
    "split": ("split", None),
    "reopen": ("reopen", None),
}
SNAPSHOT_ACTIONS: dict[str, str] = {"share": "snapapprove", "skip": "snapskip"}
# What the room must hear when it is done from the dashboard, as when typed in the channel.
ANNOUNCED = frozenset({"now"})


class ActionError(Exception):
    """An action refused before it ran: ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Outcome:
    command: str
    replies: tuple[str, ...]


class Commander:
    """Runs commands for a signed-in viewer."""

    def __init__(
        self,
        router: CommandRouter,
        roles: RoleBook,
        outbox: Outbox,
        prompts: Prompts,
        clock: Clock,
    ) -> None:
        self._router = router
        self._roles = roles
        self._outbox = outbox
        self._prompts = prompts
        self._clock = clock

    def roles_of(self, viewer: Viewer) -> frozenset[Role]:
        return self._roles.roles_of(viewer.platform, viewer.user, viewer.hints)

    def may(self, viewer: Viewer, command: str) -> bool:
        """Whether ``viewer`` may use ``/command`` (and it exists here)."""
        spec, _ = self._router.find(command, "")
        return spec is not None and spec.allowed(self.roles_of(viewer))

    def check(self, viewer: Viewer, command: str) -> None:
        spec, _ = self._router.find(command, "")
        if spec is None:
            raise ActionError(404, f"/{command} isn't switched on for this event.")
        if not spec.allowed(self.roles_of(viewer)):
            who = " or ".join(
                f"{r.value}s" for r in Role if r in spec.roles and r != Role.PARTICIPANT
            )
            raise ActionError(403, self._prompts("core.not_allowed", name=spec.name, roles=who))

    @staticmethod
    def place(session: Session, viewer: Viewer) -> str | None:
        """Where the viewer takes part in ``session``: a place on their platform."""
        return next((p for p in session.places if p.split(":", 1)[0] == viewer.platform), None)

    async def run(self, viewer: Viewer, session: Session, command: str, args: str) -> Outcome:
        self.check(viewer, command)
        place = self.place(session, viewer)
        if place is None:
            raise ActionError(
                403, "You signed in from a platform this event doesn't run on, so I can't act here."
            )
        if not session.open:
            raise ActionError(409, "This event has ended, so its queue can't change any more.")
        platform, community, channel = place.split(":", 2)
        event = CommandIssued(
            platform=platform,
            community=community,
            channel=channel,
            ts=self._clock.now(),
            author=viewer.user,
            author_name=viewer.name,
            author_roles=viewer.hints,
            name=command,
            args=args,
        )
        replies: list[str] = []

        async def collect(_: CommandIssued, text: str, private: bool) -> None:
            replies.append(text)
            if command in ANNOUNCED and not private:
                await self._outbox.send(
                    Say(target=Target(platform, community, channel), text=text), session.id
                )

        log.info("dashboard: %s:%s ran %s", viewer.platform, viewer.user, event.text)
        await self._router.handle(event, collect)
        return Outcome(command, tuple(replies))
