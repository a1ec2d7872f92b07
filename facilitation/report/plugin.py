"""Registers rolling summaries and the social report (``[report]``) and ``roundtable report``."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import CliCommand, ModuleSpec
from facilitation.report.champions import IdeaList
from facilitation.report.cli import main as report_main
from facilitation.report.config import ReportConfig
from facilitation.report.drawing import ChartList
from facilitation.report.files import ReportFiles
from facilitation.report.module import ReportModule
from facilitation.report.store import BotList

__all__ = ["SPEC"]


def _build(services: Services, _section: ReportConfig) -> Module:
    return ReportModule(services)


SPEC = ModuleSpec(
    name="report",
    config=ReportConfig,
    factory=_build,
    exports={"bots": BotList, "ideas": IdeaList, "charts": ChartList},
    live_exports={"report_files": ReportFiles},
    order=40,
    commands=(
        CliCommand("report", "write an event's social report (HTML and Markdown)", report_main),
    ),
)
