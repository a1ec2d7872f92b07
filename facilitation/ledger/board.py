"""The ledger's live export ``"figures"`` (:class:`bot.exports.FigureExport`).

An event's participation figures as plain numbers, its download bundle and its
series' comparison: what the dashboard shows and offers for download.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.exports import EventFigures
from bot.sessions import Session
from facilitation.ledger.export import export_event
from facilitation.ledger.series import evaluate_series, write_series
from facilitation.ledger.service import Ledger

if TYPE_CHECKING:
    from facilitation.ledger.module import LedgerModule

__all__ = ["LedgerFigures", "figures_of"]


class LedgerFigures:
    """:class:`bot.exports.FigureExport` over the running ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @classmethod
    def of(cls, module: LedgerModule) -> LedgerFigures:
        return cls(module.ledger)

    async def figures(self, session: Session) -> EventFigures:
        _, f = await self._ledger.figures(session)
        return figures_of(f)

    def series_name(self, session: Session) -> str | None:
        return self._ledger.series_name(session)

    async def export_zip(self, session: Session, target: Path) -> Path:
        return await export_event(self._ledger, session, target, zip_file=True)

    async def write_series(self, name: str, folder: Path) -> list[Path]:
        result = await evaluate_series(self._ledger, name)
        return await asyncio.to_thread(write_series, self._ledger, result, folder)


def figures_of(f: dict[str, Any]) -> EventFigures:
    """The figures (``metrics.json``'s shape) as the numbers the dashboard shows."""
    rel, reach, matrix = f["relationships"], f["reach"], f["matrix"]
    return EventFigures(
        people=int(f["audience"]["people"]),
        participants=int(f["audience"]["participants"]),
        new=int(reach["new"]),
        returning=int(reach["returning"]),
        messages=int(f["depth"]["messages"]),
        ties=int(rel["ties"]),
        new_ties=int(rel["new_ties"]),
        cross_community_ties=int(rel["cross_community_ties"]),
        asked=int(f["questions"].get("asked", 0)),
        answered=int(f["questions"].get("answered", 0)),
        quadrant=str(matrix["quadrant"]),
        audience=int(matrix["audience"]),
        depth=float(matrix["depth"]),
        earlier_events=len(reach["earlier_events"]),
    )
