"""What modules offer each other: small declared views of their own data.

Modules never read each other's tables. A module others may read declares
exports in its plugin spec (``ModuleSpec.exports``): a name and a factory that
takes the database and returns an object implementing one of the protocols
below. The ledger, the report and the threads module ask :class:`Exports` for
them (one method per export); when a module is not installed the answer is ``None``, and the
reader does without. A new export is a new protocol here, so what crosses
between modules stays written down in one place.

- ``"questions"`` (:class:`QuestionExport`): an event's questions, from the queue.
- ``"snapshots"`` (:class:`SnapshotExport`): the research snapshots an event was offered.
- ``"bots"`` (:class:`BotExport`): authors their platform marked as bots.
- ``"ideas"`` (:class:`IdeaExport`): an event's ideas, with their champions and news.
- ``"charts"`` (:class:`ChartExport`): how an event's and a series' figures are drawn
  (the report's chart code, which the ledger's download bundle uses).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

from bot.store import Database

__all__ = [
    "BotExport",
    "ChartExport",
    "EventCharts",
    "ExportFactory",
    "Exports",
    "IdeaExport",
    "IdeaRow",
    "IdeaUpdate",
    "Question",
    "QuestionExport",
    "SeriesCharts",
    "SnapshotExport",
]

PersonKey = tuple[str, str]
ExportFactory = Callable[[Database], object]


@dataclass(slots=True)
class Question:
    """A question of the event, from the question queue (or ``/ask`` when there is none)."""

    id: str
    platform: str
    asker: PersonKey | None
    text: str | None
    asked_at: datetime | None
    answered_at: datetime | None
    votes: int = 0
    state: str = ""
    message_id: str | None = None
    answer_ids: tuple[str, ...] = ()
    merged_into: str | None = None
    """The number of the question this duplicate was merged into."""
    recorded_answers: tuple[tuple[str, str, str], ...] = ()
    """(message id, author name, text) as the queue recorded each answer: the only
    record of an answer given with ``/answer N text``."""
    answered_by: str | None = None
    """``panel`` or ``room`` (a participant answered it)."""
    counted: bool = True
    """Counts in asked/answered (not a merged duplicate, not rejected, withdrawn or deleted)."""
    asked: bool = True
    """Its asker counts as having asked (merged duplicates too)."""


class QuestionExport(Protocol):
    async def for_session(self, session_id: int) -> list[Question] | None:
        """Every question of the event, anonymous ones attributed to nobody.

        ``None`` when this store never held a queue (the reader then derives
        questions from ``/ask`` itself).
        """
        ...

    async def asked_by(self, platform: str, user: str) -> list[dict[str, Any]]:
        """Every question row ``user`` asked, in any event, as stored (for ``/mydata``)."""
        ...


class SnapshotExport(Protocol):
    async def for_session(self, session_id: int) -> list[dict[str, Any]] | None:
        """The snapshots offered in an event, each with what followed it (``effects``)."""
        ...


class BotExport(Protocol):
    async def bots(self) -> set[PersonKey]:
        """Authors their platform marked as bots: not participants, never quoted."""
        ...


@dataclass(frozen=True, slots=True)
class IdeaUpdate:
    """News on an idea, given with ``/update N text``."""

    author: PersonKey
    author_name: str
    text: str
    ts: datetime


@dataclass(frozen=True, slots=True)
class IdeaRow:
    """An idea put forward with ``/idea``: its number in the event, champions and news."""

    number: int
    text: str
    author: PersonKey
    author_name: str
    champions: tuple[tuple[PersonKey, str], ...] = ()
    """(who, name) of each champion, first first."""
    updates: tuple[IdeaUpdate, ...] = ()


class IdeaExport(Protocol):
    async def for_session(self, session_id: int) -> list[IdeaRow]:
        """The event's ideas, oldest first (none when nobody put one forward)."""
        ...


@dataclass(frozen=True, slots=True)
class EventCharts:
    """What an event's figures show, as plain data (they are drawn in the worker process)."""

    slug: str
    events: tuple[dict[str, Any], ...]
    """The figures (``metrics.json``) of the series' earlier events, then this event's."""
    audience_threshold: int
    depth_threshold: float
    ties: tuple[tuple[str, str, int], ...] = ()
    """(name, name, interactions) between two people, most first."""
    speakers: Mapping[str, int] = field(default_factory=dict)
    communities: Mapping[str, str] = field(default_factory=dict)
    staff: frozenset[str] = frozenset()
    activity: tuple[tuple[datetime, PersonKey], ...] = ()
    """(when, who) of each message with text, for the activity chart."""
    started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SeriesCharts:
    """A series' comparison page and matrix, as plain data (``roundtable evaluate``)."""

    result: dict[str, Any]
    audience_threshold: int
    depth_threshold: float
    prompts_dir: Path | None = None


class ChartExport(Protocol):
    """Drawing functions: module-level, so the worker process can run them by reference."""

    def event(self) -> Callable[[EventCharts, Path], list[Path]]:
        """Draws the matrix, network and activity figures (PNG and SVG) into a folder."""
        ...

    def series(self) -> Callable[[SeriesCharts, Path], list[Path]]:
        """Writes ``series.html`` and the matrix (PNG and SVG) into a folder."""
        ...


class Exports:
    """The exports of the installed modules, over one database."""

    def __init__(self, db: Database, factories: Mapping[str, ExportFactory]) -> None:
        self._db = db
        self._factories = dict(factories)
        self._made: dict[str, object] = {}

    @property
    def names(self) -> list[str]:
        return sorted(self._factories)

    def questions(self) -> QuestionExport | None:
        return cast("QuestionExport | None", self._get("questions"))

    def snapshots(self) -> SnapshotExport | None:
        return cast("SnapshotExport | None", self._get("snapshots"))

    def bots(self) -> BotExport | None:
        return cast("BotExport | None", self._get("bots"))

    def ideas(self) -> IdeaExport | None:
        return cast("IdeaExport | None", self._get("ideas"))

    def charts(self) -> ChartExport | None:
        return cast("ChartExport | None", self._get("charts"))

    def _get(self, name: str) -> object | None:
        """The export called ``name``, or ``None`` if no installed module offers it."""
        found = self._made.get(name)
        if found is None:
            factory = self._factories.get(name)
            if factory is None:
                return None
            found = self._made[name] = factory(self._db)
        return found
