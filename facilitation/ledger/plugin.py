"""Registers the participation ledger (``[ledger]``), ``roundtable export`` and ``evaluate``.

The ledger comes last: at the end of an event it exports what the others wrote.
"""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import CliCommand, ModuleSpec
from facilitation.ledger.board import LedgerFigures
from facilitation.ledger.cli import evaluate_main, export_main
from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.module import LedgerModule

__all__ = ["SPEC"]


def _build(services: Services, _section: LedgerConfig) -> Module:
    return LedgerModule(services)


SPEC = ModuleSpec(
    name="ledger",
    config=LedgerConfig,
    factory=_build,
    live_exports={"figures": LedgerFigures.of},
    order=90,
    commands=(
        CliCommand(
            "export", "download an event's data: messages, questions, network, metrics", export_main
        ),
        CliCommand(
            "evaluate", "compare the events of a series (reach, ties, the matrix)", evaluate_main
        ),
    ),
)
