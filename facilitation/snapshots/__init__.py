"""Research snapshots: short passages from the research, offered while people talk."""

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
