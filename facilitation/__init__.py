"""Facilitation modules: each subscribes to the events it needs and emits actions."""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.base import EmbedderProvider, Module, Services
from facilitation.core import CoreModule
from facilitation.ledger.module import LedgerModule
from facilitation.questions.module import QuestionsModule
from facilitation.report.module import ReportModule
from facilitation.snapshots.module import SnapshotsModule

__all__ = ["EmbedderProvider", "Module", "Services", "build_modules"]


def build_modules(services: Services) -> Sequence[Module]:
    """Every facilitation module, in the order they see each event."""
    return [
        CoreModule(services),
        SnapshotsModule(services),
        QuestionsModule(services),
        ReportModule(services),
        LedgerModule(services),
    ]
