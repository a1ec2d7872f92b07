"""The report's export ``"charts"`` (:class:`bot.exports.ChartExport`).

The ledger's download bundle and its series comparison carry the same figures as the
report. They ask for them here, through the export, with plain data
(:class:`bot.exports.EventCharts`, :class:`bot.exports.SeriesCharts`), and run the
functions below in the worker process (:mod:`bot.offload`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.exports import EventCharts, SeriesCharts
from bot.files import private_folder
from bot.prompts import Prompts
from bot.store import Database
from facilitation.ledger.config import LedgerConfig
from facilitation.report.analysis import timeline
from facilitation.report.page import matrix_points, render_series_html

__all__ = ["ChartList", "draw_event", "draw_series"]


@dataclass(frozen=True, slots=True)
class _Stamp:
    ts: datetime
    author: tuple[str, str]


def draw_event(charts: EventCharts, folder: Path) -> list[Path]:
    """The matrix (with the series' earlier events), the network and activity: PNG and SVG."""
    from facilitation.report import charts as c  # noqa: PLC0415  # lazy: matplotlib loads only in the worker process that draws

    private_folder(folder)
    for old in folder.iterdir():  # a figure not drawn this time must not linger
        if old.is_file():
            old.unlink()
    points = matrix_points(list(charts.events), charts.slug)
    written = c.save_figure(
        c.matrix_figure(points, charts.audience_threshold, charts.depth_threshold),
        folder / "matrix",
    )
    network = c.network_figure(
        list(charts.ties), dict(charts.speakers), dict(charts.communities), set(charts.staff)
    )
    if network is not None:
        written += c.save_figure(network, folder / "network")
    tl = timeline([_Stamp(ts, who) for ts, who in charts.activity], charts.started_at)
    if tl.starts:
        written += c.save_figure(c.activity_figure(tl), folder / "activity")
    return written


def draw_series(charts: SeriesCharts, folder: Path) -> list[Path]:
    """``series.html`` and the series' matrix (PNG and SVG)."""
    from facilitation.report import charts as c  # noqa: PLC0415  # lazy: as above

    private_folder(folder)
    cfg = LedgerConfig(
        audience_threshold=charts.audience_threshold, depth_threshold=charts.depth_threshold
    )
    page = folder / "series.html"
    page.write_text(
        render_series_html(charts.result, cfg, Prompts.load(charts.prompts_dir)), encoding="utf-8"
    )
    points = matrix_points(charts.result["events"], None)
    matrix = c.matrix_figure(points, charts.audience_threshold, charts.depth_threshold)
    return [page, *c.save_figure(matrix, folder / "matrix")]


class ChartList:
    """The drawing functions, for the export registry (the database is not needed)."""

    def __init__(self, _db: Database) -> None:
        pass

    def event(self) -> Callable[[EventCharts, Path], list[Path]]:
        return draw_event

    def series(self) -> Callable[[SeriesCharts, Path], list[Path]]:
        return draw_series
