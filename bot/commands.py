"""One command grammar for every platform, parsed once, with roles checked first.

A module declares each command as a :class:`CommandSpec` (name, arguments,
who may use it, handler). The :class:`CommandRouter` receives every
:class:`CommandIssued` from the bus, finds the spec, checks the caller's roles
and where the command was used, parses the arguments, and only then calls the
handler with an :class:`Invocation`. Anything wrong gets a short, helpful reply.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.events import CommandIssued, Event, MessagePosted
from bot.prompts import Prompts
from bot.roles import Role, RoleBook
from bot.sessions import Session, SessionRegistry

__all__ = [
    "Arg",
    "CommandRouter",
    "CommandSpec",
    "Invocation",
    "UsageError",
    "as_command",
    "tokenize",
]

log = logging.getLogger("roundtable.commands")

ArgKind = Literal["int", "word", "text", "user", "choice", "minutes"]
EVERYONE = frozenset(Role)
_COMMAND_RE = re.compile(r"^([/!])([A-Za-z][A-Za-z0-9_-]*)(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)


class UsageError(ValueError):
    """The arguments don't fit the command; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Arg:
    name: str
    kind: ArgKind = "word"
    optional: bool = False
    choices: tuple[str, ...] = ()

    def usage(self) -> str:
        label = "|".join(self.choices) if self.kind == "choice" else self.name
        return f"[{label}]" if self.optional else f"<{label}>"


@dataclass(frozen=True)
class Invocation:
    """A command ready to run: who, where, with parsed arguments."""

    event: CommandIssued
    spec: CommandSpec
    args: Mapping[str, Any]
    roles: frozenset[Role]
    session: Session | None
    reply: Callable[[str], Awaitable[None]]
    tell: Callable[[str], Awaitable[None]]

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.ORGANISER in self.roles


Handler = Callable[[Invocation], Awaitable[None]]


@dataclass(frozen=True)
class CommandSpec:
    """One command of the grammar.

    Args:
        name: the words after the slash, e.g. ``"ask"`` or ``"event start"``.
        summary: one line for ``/help``.
        handler: called with the parsed :class:`Invocation`.
        args: the arguments in order; a ``text`` argument takes the rest.
        roles: who may use it (organisers may always).
        where: ``"channel"``, ``"private"`` (direct message) or ``"any"``.
        needs_session: refuse politely when no event runs where it was used.
    """

    name: str
    summary: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    roles: frozenset[Role] = EVERYONE
    where: Literal["any", "channel", "private"] = "any"
    needs_session: bool = False
    examples: tuple[str, ...] = field(default=())

    @property
    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(a.usage() for a in self.args)])

    def allowed(self, roles: frozenset[Role]) -> bool:
        return bool(roles & self.roles) or Role.ORGANISER in roles


def tokenize(text: str) -> list[tuple[str, int]]:
    """Split into words, honouring "double" or 'single' quotes; keep each end offset."""
    tokens: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        quote = text[i] if text[i] in "\"'“”‘’" else None
        if quote:
            closing = {"“": "”", "‘": "’"}.get(quote, quote)
            end = text.find(closing, i + 1)
            if quote in "”’":
                end = text.find(quote, i + 1)
            if end == -1:
                raise UsageError(f"A quote ({quote}) is not closed.")
            tokens.append((text[i + 1 : end], end + 1))
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 1
            tokens.append((text[i:j], j))
            i = j
    return tokens


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in "\"“'" and text[-1] in "\"”'":
        return text[1:-1].strip()
    return text


def parse_args(spec: CommandSpec, raw: str, mentions: Sequence[str] = ()) -> dict[str, Any]:
    """Parse ``raw`` against ``spec.args``; raise :class:`UsageError` with the reason."""
    values: dict[str, Any] = {}
    rest = raw.strip()
    mention_iter = iter(mentions)
    for arg in spec.args:
        if arg.kind == "text":
            if not rest and not arg.optional:
                raise UsageError(f"Please add the {arg.name}.")
            values[arg.name] = _strip_quotes(rest) if rest else None
            rest = ""
            break
        tokens = tokenize(rest) if rest else []
        if not tokens:
            if arg.optional:
                values[arg.name] = None
                continue
            raise UsageError(f"Please add the {arg.name}.")
        word, end = tokens[0]
        rest = rest[end:].strip()
        values[arg.name] = _convert(arg, word, mention_iter)
    if rest:
        raise UsageError(f"I didn't expect “{rest[:40]}” at the end.")
    return values


def _convert(arg: Arg, word: str, mentions: Any) -> Any:
    match arg.kind:
        case "int":
            cleaned = word.lstrip("#")
            if not cleaned.isdigit():
                raise UsageError(f"The {arg.name} should be a number, like 3 (not “{word}”).")
            return int(cleaned)
        case "minutes":
            cleaned = word.lower().removesuffix("min").removesuffix("m")
            if not cleaned.isdigit() or int(cleaned) == 0:
                raise UsageError(f"The {arg.name} should be a number of minutes, like 15.")
            return int(cleaned)
        case "choice":
            if word.lower() not in arg.choices:
                raise UsageError(f"The {arg.name} should be one of: {', '.join(arg.choices)}.")
            return word.lower()
        case "user":
            return next(mentions, None) or word.lstrip("@")
    return word


def as_command(prefixes: Sequence[str], known: Callable[[str], bool]) -> Callable[[Event], Event]:
    """A bus transform turning a typed command message into a :class:`CommandIssued`.

    ``/`` commands are always taken as commands (so a typo gets a helpful
    reply); other prefixes (``!``) only for known command names, so a message
    like "!!! wow" or "!important" stays a message, and never when pointed at
    someone the way IRC channel bots are ("!ask | nick", "!ask > nick": ubottu's
    "don't ask to ask" factoid, not a question for the queue).
    """

    def transform(event: Event) -> Event:
        if not isinstance(event, MessagePosted) or event.from_bot:
            return event
        match = _COMMAND_RE.match(event.text.strip())
        if not match or match.group(1) not in prefixes:
            return event
        name = match.group(2).lower()
        if match.group(1) != "/" and (
            not known(name) or (match.group(3) or "").lstrip().startswith(("|", ">"))
        ):
            return event
        return CommandIssued(
            platform=event.platform,
            community=event.community,
            channel=event.channel,
            ts=event.ts,
            author=event.author,
            author_name=event.author_name,
            thread=event.thread,
            private=event.private,
            author_roles=event.author_roles,
            delivery_id=event.delivery_id,
            raw=event.raw,
            name=name,
            args=(match.group(3) or "").strip(),
            message_id=event.message_id,
            reply_to=event.reply_to,
            mentions=event.mentions,
        )

    return transform


Responder = Callable[[CommandIssued, str, bool], Awaitable[None]]
"""``respond(command, text, private)``: how the router answers (given by the app)."""


class CommandRouter:
    """Holds the grammar and runs commands."""

    def __init__(
        self, roles: RoleBook, sessions: SessionRegistry, prompts: Prompts, respond: Responder
    ) -> None:
        self._specs: dict[str, CommandSpec] = {}
        self._roles = roles
        self._sessions = sessions
        self._prompts = prompts
        self._respond = respond

    def add(self, spec: CommandSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"command /{spec.name} is defined twice")
        self._specs[spec.name] = spec

    def specs(self) -> list[CommandSpec]:
        return [self._specs[k] for k in sorted(self._specs)]

    def top_level(self) -> list[tuple[str, str]]:
        """(name, description) of each first word, for registering native commands."""
        seen: dict[str, str] = {}
        for spec in self.specs():
            head = spec.name.split()[0]
            if head not in seen:
                seen[head] = spec.summary if head == spec.name else f"{head} commands"
        return sorted(seen.items())

    def knows(self, name: str) -> bool:
        return any(s.name == name or s.name.startswith(name + " ") for s in self._specs.values())

    def find(self, name: str, args: str) -> tuple[CommandSpec | None, str]:
        """The spec for ``/name args`` (trying ``name sub`` first) and the rest of args."""
        words = args.split(maxsplit=1)
        if words:
            sub = f"{name} {words[0].lower()}"
            if sub in self._specs:
                return self._specs[sub], words[1] if len(words) > 1 else ""
        return self._specs.get(name), args

    async def handle(self, event: CommandIssued, respond: Responder | None = None) -> None:
        """Bus subscriber for every command.

        ``respond`` replaces the app's responder for this one command: the
        dashboard runs moderators' clicks through here and shows the answers itself.
        """
        answer = respond or self._respond
        spec, rest = self.find(event.name, event.args)
        roles = self._roles.roles_of(event.platform, event.author, event.author_roles)
        if spec is None:
            await answer(event, self._unknown(event, roles), event.private)
            return
        if not spec.allowed(roles):
            who = " or ".join(
                f"{r.value}s" for r in Role if r in spec.roles and r != Role.PARTICIPANT
            )
            await answer(
                event, self._prompts("core.not_allowed", name=spec.name, roles=who), event.private
            )
            return
        if spec.where == "private" and not event.private:
            await answer(event, self._prompts("core.private_only", name=spec.name), False)
            return
        if spec.where == "channel" and event.private:
            await answer(event, self._prompts("core.channel_only", name=spec.name), True)
            return
        session = self._sessions.for_event(event)
        if spec.needs_session and session is None:
            await answer(event, self._prompts("core.no_event"), event.private)
            return
        try:
            args = parse_args(spec, rest, event.mentions)
        except UsageError as exc:
            await answer(
                event,
                self._prompts("core.bad_usage", problem=str(exc), usage=spec.usage),
                event.private,
            )
            return

        async def reply(text: str) -> None:
            await answer(event, text, event.private)

        async def tell(text: str) -> None:
            await answer(event, text, True)

        invocation = Invocation(event, spec, args, roles, session, reply, tell)
        try:
            await spec.handler(invocation)
        except Exception:
            await answer(
                event, self._prompts("core.something_broke", name=spec.name), event.private
            )
            raise

    def _unknown(self, event: CommandIssued, roles: frozenset[Role]) -> str:
        names = sorted({s.name.split()[0] for s in self._specs.values() if s.allowed(roles)})
        if event.name in names:  # a known group with a bad subcommand
            subs = [
                s for s in self.specs() if s.name.startswith(event.name + " ") and s.allowed(roles)
            ]
            usages = "\n".join(s.usage for s in subs)
            problem = (
                "Please say which one."
                if not event.args
                else f"I don't know “{event.args.split()[0]}”."
            )
            return self._prompts("core.bad_usage", problem=problem, usage=usages)
        close = difflib.get_close_matches(event.name, names, n=1, cutoff=0.6)
        if close:
            return self._prompts("core.unknown_command_close", name=event.name, suggestion=close[0])
        return self._prompts("core.unknown_command", name=event.name)

    def help_text(self, roles: frozenset[Role]) -> str:
        lines = [self._prompts("core.help_header")]
        for spec in self.specs():
            if spec.allowed(roles):
                lines.append(
                    self._prompts("core.help_line", usage=spec.usage, summary=spec.summary)
                )
        lines.append(self._prompts("core.help_footer"))
        return "\n".join(lines)
