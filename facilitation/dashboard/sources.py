"""What the dashboard reads from the other modules, through their declared exports.

Everything the page shows passes through here. The other modules' data comes
only through the exports they declare (:mod:`bot.exports`: ``board``,
``conversations``, ``pending_snapshots``, ``figures``, ``report_files``), as plain
rows that hold names to show, never platform user ids, and never who asked an
anonymous question. A module that is not installed offers nothing, and its
section is not shown.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.exports import (
    ConversationRow,
    EventFigures,
    Exports,
    QueueCard,
    SnapshotRow,
)
from bot.sessions import ENDED, Session
from facilitation.dashboard.auth import Viewer

__all__ = ["ConversationRow", "EventFigures", "QueueCard", "SnapshotRow", "Sources"]


class Sources:
    """The exports the dashboard reads, looked up when asked (modules offer them at start)."""

    def __init__(self, exports: Exports, *, figures_seconds: float = 15) -> None:
        self._exports = exports
        self._figures_ttl = figures_seconds
        self._figures: dict[int, tuple[float, str, EventFigures]] = {}

    # -- what is installed -------------------------------------------------------

    @property
    def has_conversations(self) -> bool:
        return self._exports.conversations() is not None

    @property
    def has_snapshots(self) -> bool:
        return self._exports.pending_snapshots() is not None

    @property
    def has_figures(self) -> bool:
        return self._exports.figures() is not None

    # -- questions -------------------------------------------------------------

    async def has_question(self, session: Session, number: int) -> bool:
        board = self._exports.board()
        return board is not None and await board.has(session.id, number)

    async def cards(self, session: Session, viewer: Viewer) -> list[QueueCard]:
        """Every question of the event, queue order first (now, pinned, most wanted)."""
        board = self._exports.board()
        if board is None:
            return []
        return await board.cards(session.id, (viewer.platform, viewer.user))

    # -- conversations, snapshots ----------------------------------------------

    def conversations(self, session: Session, limit: int = 8) -> list[ConversationRow]:
        found = self._exports.conversations()
        return [] if found is None else found.open_conversations(session.places, limit)

    async def pending_snapshots(self, session: Session) -> list[SnapshotRow]:
        found = self._exports.pending_snapshots()
        return [] if found is None else await found.pending(session.id)

    # -- figures and files -------------------------------------------------------

    async def figures(self, session: Session) -> EventFigures | None:
        """The ledger's figures, recomputed at most every ``figures_seconds``."""
        ledger = self._exports.figures()
        if ledger is None:
            return None
        cached = self._figures.get(session.id)
        now = time.monotonic()
        fresh = cached is not None and (
            session.state == ENDED or now - cached[0] < self._figures_ttl
        )  # an ended event's figures no longer change
        if cached is not None and fresh and cached[1] == session.state:
            return cached[2]
        figures = await ledger.figures(session)
        self._figures[session.id] = (now, session.state, figures)
        return figures

    def forget_figures(self, session_id: int) -> None:
        self._figures.pop(session_id, None)

    def series_name(self, session: Session) -> str | None:
        ledger = self._exports.figures()
        return ledger.series_name(session) if ledger is not None else None

    async def export_zip(self, session: Session, target: Path) -> Path | None:
        """The event's download bundle (``None`` without the ledger)."""
        ledger = self._exports.figures()
        return None if ledger is None else await ledger.export_zip(session, target)

    async def write_series(self, name: str, folder: Path) -> list[Path] | None:
        ledger = self._exports.figures()
        return None if ledger is None else await ledger.write_series(name, folder)

    async def write_report(self, session: Session, folder: Path) -> bool:
        """Write the event's report into ``folder``; ``False`` without the report module."""
        report = self._exports.report_files()
        if report is None:
            return False
        await report.write(session, folder)
        return True
