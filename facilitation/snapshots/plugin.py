"""Registers research snapshots (``[snapshots]``) and ``roundtable ingest``."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import CliCommand, ModuleSpec
from facilitation.snapshots.cli import main as ingest_main
from facilitation.snapshots.config import SnapshotsConfig
from facilitation.snapshots.exports import PendingSnapshots, SnapshotExports
from facilitation.snapshots.module import SnapshotsModule

__all__ = ["SPEC"]


def _build(services: Services, _section: SnapshotsConfig) -> Module:
    return SnapshotsModule(services)


SPEC = ModuleSpec(
    name="snapshots",
    config=SnapshotsConfig,
    factory=_build,
    exports={"snapshots": SnapshotExports},
    live_exports={"pending_snapshots": PendingSnapshots.of},
    order=20,
    commands=(
        CliCommand(
            "ingest",
            "add research documents (Markdown, text, HTML, PDF) for snapshots",
            ingest_main,
        ),
        CliCommand(
            "snapshots",
            "research snapshots on your own questions",
            "facilitation.snapshots.evaluate:main",
            group="eval",
        ),
    ),
)
