"""Core commands: /help, /role, and the event lifecycle (/event start|pause|resume|end)."""

from __future__ import annotations

from bot.actions import Say, Target
from bot.bus import Bus
from bot.commands import Arg, CommandRouter, CommandSpec, Invocation
from bot.events import SessionChanged
from bot.mirror import post_everywhere
from bot.roles import Role
from bot.sessions import ENDED, LIVE, PAUSED, Session
from facilitation.base import Services

__all__ = ["CoreModule"]

MODERATORS = frozenset({Role.MODERATOR})
ORGANISERS = frozenset({Role.ORGANISER})


class CoreModule:
    """Help, roles, and starting and ending events.

    Starting, pausing, resuming and ending publish a :class:`SessionChanged`
    event on the bus, so every module hears of it in order with the messages.
    """

    name = "core"

    def __init__(self, services: Services) -> None:
        self._s = services
        self._bus: Bus | None = None
        self._router: CommandRouter | None = None

    async def setup(self) -> None:
        return None

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        self._bus = bus
        self._router = commands
        add = commands.add
        add(CommandSpec("help", "See what you can do here", self._help))
        add(
            CommandSpec(
                "event start",
                "Start the event here",
                self._start,
                args=(Arg("title", "text", optional=True),),
                roles=MODERATORS,
                where="channel",
            )
        )
        add(
            CommandSpec(
                "event pause", "Take a break", self._pause, roles=MODERATORS, where="channel"
            )
        )
        add(
            CommandSpec(
                "event resume",
                "Carry on after a break",
                self._resume,
                roles=MODERATORS,
                where="channel",
            )
        )
        add(
            CommandSpec(
                "event end",
                "End the event and share what happened",
                self._end,
                roles=MODERATORS,
                where="channel",
            )
        )
        add(
            CommandSpec(
                "role add",
                "Make someone a panellist or moderator",
                self._role_add,
                args=(
                    Arg("person", "user"),
                    Arg("role", "choice", choices=("panellist", "moderator")),
                ),
                roles=ORGANISERS,
            )
        )
        add(
            CommandSpec(
                "role remove",
                "Take a role away",
                self._role_remove,
                args=(
                    Arg("person", "user"),
                    Arg("role", "choice", choices=("panellist", "moderator")),
                ),
                roles=ORGANISERS,
            )
        )

    async def _help(self, inv: Invocation) -> None:
        assert self._router is not None
        await inv.tell(self._router.help_text(inv.roles))

    async def _announce(self, inv: Invocation, session: Session, state: str) -> None:
        assert self._bus is not None
        event = inv.event
        await self._bus.publish(
            SessionChanged(
                platform=event.platform,
                community=event.community,
                channel=event.channel,
                thread=None,
                ts=self._s.clock.now(),
                author=event.author,
                author_name=event.author_name,
                author_roles=event.author_roles,  # who started it keeps their platform role
                session_id=session.id,
                state=state,
                title=session.title,
            )
        )

    async def _say(self, inv: Invocation, text: str, session: Session | None) -> None:
        event = inv.event
        target = Target(event.platform, event.community, event.channel, None)
        await self._s.outbox.send(Say(target=target, text=text), session.id if session else None)
        if session is not None:  # the event's other channels, on any platform, hear it too
            await post_everywhere(self._s.outbox, session, text, skip=(target,), safe=False)

    async def _start(self, inv: Invocation) -> None:
        place = inv.event.place
        existing = self._s.sessions.at(place)
        if existing is not None and existing.state == LIVE:
            await inv.reply(self._s.prompts("lifecycle.already_live", title=existing.title))
            return
        session = await self._s.sessions.start(place, inv.args.get("title") or "", inv.event.author)
        if existing is None:
            report = self._s.config.sections.get("report")  # how the report names people
            names = getattr(report, "participant_names", "first")
            text = self._s.prompts(
                "lifecycle.welcome",
                title=session.title,
                bot=self._s.config.bot.name,
                names=self._s.prompts(f"lifecycle.names_{names}"),
            )
        else:
            text = self._s.prompts("lifecycle.resumed")
        await self._say(inv, text, session)
        await self._announce(inv, session, LIVE)

    async def _pause(self, inv: Invocation) -> None:
        session = self._s.sessions.at(inv.event.place)
        if session is None:
            await inv.reply(self._s.prompts("lifecycle.not_running"))
            return
        if session.state == PAUSED:
            await inv.reply(self._s.prompts("lifecycle.already_paused"))
            return
        session = await self._s.sessions.set_state(session.id, PAUSED)
        await self._say(inv, self._s.prompts("lifecycle.paused"), session)
        await self._announce(inv, session, PAUSED)

    async def _resume(self, inv: Invocation) -> None:
        session = self._s.sessions.at(inv.event.place)
        if session is None:
            await inv.reply(self._s.prompts("lifecycle.not_running"))
            return
        if session.state == LIVE:
            await inv.reply(self._s.prompts("lifecycle.already_live", title=session.title))
            return
        session = await self._s.sessions.set_state(session.id, LIVE)
        await self._say(inv, self._s.prompts("lifecycle.resumed"), session)
        await self._announce(inv, session, LIVE)

    async def _end(self, inv: Invocation) -> None:
        session = self._s.sessions.at(inv.event.place)
        if session is None:
            await inv.reply(self._s.prompts("lifecycle.not_running"))
            return
        await self._announce(inv, session, ENDED)
        session = await self._s.sessions.set_state(session.id, ENDED)
        await self._say(inv, self._s.prompts("lifecycle.ended", title=session.title), session)

    async def _role_add(self, inv: Invocation) -> None:
        role = Role(inv.args["role"])
        person = str(inv.args["person"])
        await self._s.roles.grant(
            inv.event.platform, person, role, inv.event.author, self._s.clock.now().isoformat()
        )
        await inv.reply(self._s.prompts("core.role_granted", who=person, role=role.value))

    async def _role_remove(self, inv: Invocation) -> None:
        role = Role(inv.args["role"])
        person = str(inv.args["person"])
        changed = await self._s.roles.revoke(inv.event.platform, person, role)
        key = "core.role_revoked" if changed else "core.role_unchanged"
        await inv.reply(self._s.prompts(key, who=person, role=role.value))
