"""Who is looking: login links, browser sessions and their CSRF tokens.

A ``/dashboard`` command gets a personal login link with a random token that
expires after ``link_minutes``. Opening it swaps the token for a session cookie
(HttpOnly, SameSite=Strict); the session carries a CSRF token that every action
must send back. Tokens and sessions live in memory only: a restart signs
everyone out, and a link is never written to the participation log.

The viewer's roles are not stored: they are asked of the role book on every
request, with the platform role hints seen when the link was asked for, so a
role taken away in chat is taken away on the page too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock

__all__ = ["Auth", "BrowserSession", "LoginProblem", "Viewer"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """The chat identity a browser acts as."""

    platform: str
    user: str
    name: str
    hints: frozenset[str] = frozenset()


@dataclass(slots=True)
class BrowserSession:
    viewer: Viewer
    csrf: str
    expires: datetime
    flash: list[tuple[str, str]] = field(default_factory=list)


class LoginProblem(Exception):
    """A login link that doesn't work; the message says why, in plain words."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Auth:
    """Issues login links and keeps browser sessions.

    Args:
        clock: wall-clock time (not the replay clock: links expire in real minutes).
        link_minutes: how long a login link works.
        session_hours: how long a signed-in browser stays signed in.
    """

    def __init__(self, clock: Clock, *, link_minutes: float, session_hours: float) -> None:
        self._clock = clock
        self._link = timedelta(minutes=link_minutes)
        self._session = timedelta(hours=session_hours)
        self._grants: dict[str, tuple[Viewer, datetime]] = {}
        self._sessions: dict[str, BrowserSession] = {}

    @property
    def session_seconds(self) -> float:
        return self._session.total_seconds()

    @property
    def link_minutes(self) -> int:
        return round(self._link.total_seconds() / 60)

    def issue(self, viewer: Viewer, lifetime: timedelta | None = None) -> str:
        """A new login token for ``viewer`` (only its digest is kept)."""
        self._prune()
        token = secrets.token_urlsafe(32)
        self._grants[_digest(token)] = (viewer, self._clock.now() + (lifetime or self._link))
        return token

    def login(self, token: str) -> tuple[str, BrowserSession]:
        """Swap a login token for a new session; return the session id and the session."""
        if not token or len(token) > 200:
            raise LoginProblem("This link has no sign-in code in it.")
        found = self._grants.get(_digest(token))
        if found is None:
            raise LoginProblem("This sign-in link isn't one I gave out (or the bot restarted).")
        viewer, expires = found
        if self._clock.now() >= expires:
            del self._grants[_digest(token)]
            raise LoginProblem("This sign-in link has expired.")
        sid = secrets.token_urlsafe(32)
        session = BrowserSession(
            viewer, secrets.token_urlsafe(32), self._clock.now() + self._session
        )
        self._sessions[_digest(sid)] = session
        return sid, session

    def session(self, sid: str | None) -> BrowserSession | None:
        if not sid:
            return None
        key = _digest(sid)
        found = self._sessions.get(key)
        if found is None:
            return None
        if self._clock.now() >= found.expires:
            del self._sessions[key]
            return None
        return found

    def logout(self, sid: str | None) -> None:
        if sid:
            self._sessions.pop(_digest(sid), None)

    @staticmethod
    def csrf_ok(session: BrowserSession, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(session.csrf, str(sent))

    def _prune(self) -> None:
        now = self._clock.now()
        for key in [k for k, (_, exp) in self._grants.items() if exp <= now]:
            del self._grants[key]
        for key in [k for k, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[key]
