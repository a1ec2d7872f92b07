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

Live exports (``ModuleSpec.live_exports``) are views of a running module's state,
offered once the module is built (so only when it is installed); the dashboard
reads through them and never sees the module itself:

- ``"board"`` (:class:`BoardExport`): the question queue as its cards, in queue order.
- ``"conversations"`` (:class:`ConversationExport`): the open conversations, from threads.
- ``"pending_snapshots"`` (:class:`PendingSnapshotExport`): snapshots awaiting approval.
- ``"figures"`` (:class:`FigureExport`): the ledger's figures, its downloads and series.
- ``"report_files"`` (:class:`ReportFileExport`): an event's report, written to a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

from bot.sessions import Session
from bot.store import Database

__all__ = [
    "BoardExport",
    "BotExport",
    "ChartExport",
    "ConversationExport",
    "ConversationRow",
    "EventCharts",
    "EventFigures",
    "ExportFactory",
    "Exports",
    "FigureExport",
    "IdeaExport",
    "IdeaRow",
    "IdeaUpdate",
    "LiveExportFactory",
    "PendingSnapshotExport",
    "Question",
    "QuestionExport",
    "QueueCard",
    "ReportFileExport",
    "SeriesCharts",
    "SnapshotExport",
    "SnapshotRow",
]

PersonKey = tuple[str, str]
ExportFactory = Callable[[Database], object]
LiveExportFactory = Callable[[Any], object]
"""``factory(module) -> export``: a view of a built module's live state."""


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


# -- live exports: what the dashboard shows -------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueCard:
    """One question as the dashboard shows it: names to show, never platform user ids."""

    number: int
    text: str
    who: str  # a display name, or "" for an anonymous question
    anonymous: bool
    state: str
    votes: int
    also: int
    pinned: bool
    merged_into: int | None  # the number of the question it joined
    merged: tuple[int, ...]  # numbers of the questions merged into this one
    answers: int
    asked_at: datetime
    reason: str | None  # a rejection's reason (moderators only)
    mine: bool
    voted: bool


class BoardExport(Protocol):
    async def cards(self, session_id: int, viewer: PersonKey) -> list[QueueCard]:
        """Every question of the event, queue order first (now, pinned, most wanted);
        ``mine`` and ``voted`` as seen by ``viewer`` (platform, user)."""
        ...

    async def has(self, session_id: int, number: int) -> bool:
        """Whether the event has a question numbered ``number``."""
        ...


@dataclass(frozen=True, slots=True)
class ConversationRow:
    topic: str
    opening: str
    people: int
    names: tuple[str, ...]
    messages: int
    last_activity: datetime


class ConversationExport(Protocol):
    def open_conversations(self, places: Sequence[str], limit: int) -> list[ConversationRow]:
        """The open conversations (two messages or more) at ``places``, latest first."""
        ...


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    number: int
    text: str
    source: str
    url: str | None
    trigger: str
    created_at: datetime


class PendingSnapshotExport(Protocol):
    async def pending(self, session_id: int) -> list[SnapshotRow]:
        """The event's snapshots waiting for a moderator's approval."""
        ...


@dataclass(frozen=True, slots=True)
class EventFigures:
    people: int
    participants: int
    new: int
    returning: int
    messages: int
    ties: int
    new_ties: int
    cross_community_ties: int
    asked: int
    answered: int
    quadrant: str
    audience: int
    depth: float
    earlier_events: int


class FigureExport(Protocol):
    async def figures(self, session: Session) -> EventFigures:
        """The event's participation figures, computed from the log now."""
        ...

    def series_name(self, session: Session) -> str | None:
        """The series the event belongs to, if any."""
        ...

    async def export_zip(self, session: Session, target: Path) -> Path:
        """Write the event's download bundle as a zip at ``target``; return its path."""
        ...

    async def write_series(self, name: str, folder: Path) -> list[Path]:
        """Compare the series' events and write the comparison into ``folder``."""
        ...


class ReportFileExport(Protocol):
    async def write(self, session: Session, folder: Path) -> list[Path]:
        """Gather the event's report and write it (HTML, Markdown) into ``folder``."""
        ...


class Exports:
    """The exports of the installed modules, over one database."""

    def __init__(self, db: Database, factories: Mapping[str, ExportFactory]) -> None:
        self._db = db
        self._factories = dict(factories)
        self._made: dict[str, object] = {}

    @property
    def names(self) -> list[str]:
        return sorted({*self._factories, *self._made})

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

    def offer(self, name: str, export: object) -> None:
        """Add a live export (a view of a built module); a taken name is an error."""
        if name in self._factories or name in self._made:
            raise ValueError(f"two modules export {name!r}")
        self._made[name] = export

    def board(self) -> BoardExport | None:
        return cast("BoardExport | None", self._get("board"))

    def conversations(self) -> ConversationExport | None:
        return cast("ConversationExport | None", self._get("conversations"))

    def pending_snapshots(self) -> PendingSnapshotExport | None:
        return cast("PendingSnapshotExport | None", self._get("pending_snapshots"))

    def figures(self) -> FigureExport | None:
        return cast("FigureExport | None", self._get("figures"))

    def report_files(self) -> ReportFileExport | None:
        return cast("ReportFileExport | None", self._get("report_files"))

    def _get(self, name: str) -> object | None:
        """The export called ``name``, or ``None`` if no installed module offers it."""
        found = self._made.get(name)
        if found is None:
            factory = self._factories.get(name)
            if factory is None:
                return None
            found = self._made[name] = factory(self._db)
        return found
