"""Research snapshots: short passages from the research, offered while people talk.

Names load lazily: ``bot.config`` imports :mod:`facilitation.snapshots.config`
while it is itself being imported, so this package must not import the
module (and with it ``facilitation.base``) eagerly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facilitation.snapshots.config import (
        EventSnapshotsConfig,
        SnapshotsConfig,
        StarterConfig,
    )
    from facilitation.snapshots.effects import EffectTracker, snapshot_effects
    from facilitation.snapshots.framing import Framer, ModelRephraser, Rephraser
    from facilitation.snapshots.index import CoarseIndex, Hit, PassageIndex
    from facilitation.snapshots.ingest import (
        Ingester,
        IngestProgress,
        IngestReport,
        collect_files,
    )
    from facilitation.snapshots.module import SnapshotsModule
    from facilitation.snapshots.passages import Passage, split_passages
    from facilitation.snapshots.policy import ConversationWindow, Decision, SurfacingPolicy
    from facilitation.snapshots.readers import ParsedDocument, UnreadableFile, read_document
    from facilitation.snapshots.store import SnapshotStore, StoredPassage

_WHERE = {
    "EventSnapshotsConfig": "config",
    "SnapshotsConfig": "config",
    "StarterConfig": "config",
    "EffectTracker": "effects",
    "snapshot_effects": "effects",
    "Framer": "framing",
    "ModelRephraser": "framing",
    "Rephraser": "framing",
    "CoarseIndex": "index",
    "Hit": "index",
    "PassageIndex": "index",
    "IngestProgress": "ingest",
    "IngestReport": "ingest",
    "Ingester": "ingest",
    "collect_files": "ingest",
    "SnapshotsModule": "module",
    "Passage": "passages",
    "split_passages": "passages",
    "ConversationWindow": "policy",
    "Decision": "policy",
    "SurfacingPolicy": "policy",
    "ParsedDocument": "readers",
    "UnreadableFile": "readers",
    "read_document": "readers",
    "SnapshotStore": "store",
    "StoredPassage": "store",
}

__all__ = [
    "CoarseIndex",
    "ConversationWindow",
    "Decision",
    "EffectTracker",
    "EventSnapshotsConfig",
    "Framer",
    "Hit",
    "IngestProgress",
    "IngestReport",
    "Ingester",
    "ModelRephraser",
    "ParsedDocument",
    "Passage",
    "PassageIndex",
    "Rephraser",
    "SnapshotStore",
    "SnapshotsConfig",
    "SnapshotsModule",
    "StarterConfig",
    "StoredPassage",
    "SurfacingPolicy",
    "UnreadableFile",
    "collect_files",
    "read_document",
    "snapshot_effects",
    "split_passages",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
