"""Rolling summaries during an event and the social report at its end."""

from __future__ import annotations

from facilitation.report.build import Report, build_report
from facilitation.report.config import ReportConfig
from facilitation.report.gather import ReportData, gather
from facilitation.report.module import ReportModule, write_report

__all__ = [
    "Report",
    "ReportConfig",
    "ReportData",
    "ReportModule",
    "build_report",
    "gather",
    "write_report",
]
