"""Facilitation modules: each subscribes to the events it needs and emits actions.

Nothing is imported at package level: the modules' config classes are imported by
``bot.config``, and the modules themselves import ``bot``, so eager imports here
would make a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facilitation.base import Module, Services

__all__ = ["build_modules"]


def build_modules(services: Services) -> Sequence[Module]:
    """Every facilitation module, in the order they see each event.

    The ledger comes after the others: at the end of an event it exports what they
    wrote. The dashboard reads them all, and hears of each event after they have.
    """
    from facilitation.core import CoreModule
    from facilitation.dashboard.module import DashboardModule
    from facilitation.ledger.module import LedgerModule
    from facilitation.questions.module import QuestionsModule
    from facilitation.report.module import ReportModule
    from facilitation.snapshots.module import SnapshotsModule
    from facilitation.threads.module import ThreadsModule

    modules: list[Module] = [
        CoreModule(services),
        ThreadsModule(services),
        SnapshotsModule(services),
        QuestionsModule(services),
        ReportModule(services),
        LedgerModule(services),
    ]
    return [*modules, DashboardModule(services, modules)]
