"""The report's live export ``"report_files"`` (:class:`bot.exports.ReportFileExport`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.sessions import Session

if TYPE_CHECKING:
    from facilitation.report.module import ReportModule

__all__ = ["ReportFiles"]


class ReportFiles:
    """Writes an event's report on request (the dashboard's download after the event)."""

    def __init__(self, module: ReportModule) -> None:
        self._module = module

    async def write(self, session: Session, folder: Path) -> list[Path]:
        return await self._module.write(await self._module.report(session), folder)
