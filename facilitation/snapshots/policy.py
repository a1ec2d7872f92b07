"""When to offer a snapshot: a strong match with the recent conversation, not too often.

The conversation is a window of the last few messages of one thread (or of
the main channel); its meaning is the normalised mean of their embeddings.
A passage is offered when the window is full enough, the last automatic
snapshot is at least ``min_gap`` ago, the best passage not yet offered for the
window is also the best for the latest message (:func:`agreed`: a window
that drifts over several topics matches generic summaries, and those matches
were mostly off the point), and its confidence reaches ``threshold``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from facilitation.snapshots.index import Hit

__all__ = ["ConversationWindow", "Decision", "SurfacingPolicy", "agreed"]

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class _Said:
    message_id: str
    text: str
    vector: Vector


class ConversationWindow:
    """The last ``size`` messages of one conversation, with their embeddings."""

    def __init__(self, size: int) -> None:
        self._items: deque[_Said] = deque(maxlen=size)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, message_id: str, text: str, vector: Vector) -> None:
        self._items.append(_Said(message_id, text, vector))

    def clear(self) -> None:
        self._items.clear()

    def centroid(self) -> Vector:
        """The window's meaning: the mean embedding, normalised."""
        mean: Vector = np.mean([s.vector for s in self._items], axis=0).astype(np.float32)
        norm = float(np.linalg.norm(mean))
        return (mean / norm).astype(np.float32) if norm > 0 else mean

    def text(self) -> str:
        return " ".join(s.text for s in self._items)

    def gist(self, words: int = 12) -> str:
        """The latest message, shortened, to tell a moderator what the chat is on."""
        if not self._items:
            return ""
        parts = self._items[-1].text.split()
        return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def agreed(window: Sequence[Hit], latest: Sequence[Hit]) -> list[Hit]:
    """The window's best passage if the latest message's best is the same one.

    Its confidence is the lower of the two probabilities.
    """
    if not window or not latest or window[0].passage.id != latest[0].passage.id:
        return []
    best = window[0]
    return [replace(best, score=min(best.score, latest[0].score))]


@dataclass(frozen=True, slots=True)
class Decision:
    hit: Hit | None
    reason: str


class SurfacingPolicy:
    """Pure rules, so they can be tested without a bot.

    Args:
        threshold: the confidence (the reranker's probability) a passage must reach.
        min_gap: the least time between automatic snapshots in one event.
        min_messages: messages the window needs before anything is offered.
    """

    def __init__(self, threshold: float, min_gap: timedelta, min_messages: int) -> None:
        self.threshold = threshold
        self.min_gap = min_gap
        self.min_messages = min_messages

    def ready(self, window_size: int, now: datetime, last_auto: datetime | None) -> str | None:
        """Why not to look for a passage at all (``None``: go ahead)."""
        if window_size < self.min_messages:
            return "too few messages"
        if last_auto is not None and now - last_auto < self.min_gap:
            return "rate limited"
        return None

    def decide(
        self,
        hits: Sequence[Hit],
        *,
        window_size: int,
        now: datetime,
        last_auto: datetime | None,
    ) -> Decision:
        """Offer the best hit or say why not; ``hits`` exclude passages already offered."""
        reason = self.ready(window_size, now, last_auto)
        if reason is not None:
            return Decision(None, reason)
        if not hits:
            return Decision(None, "nothing left to offer")
        best = max(hits, key=lambda h: h.score)
        if best.score < self.threshold:
            return Decision(None, f"best match {best.score:.2f} is below {self.threshold:.2f}")
        return Decision(best, "strong match")
