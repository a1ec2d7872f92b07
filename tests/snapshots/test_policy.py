"""The surfacing rules on their own: threshold, rate limit, window size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from facilitation.snapshots.index import Hit
from facilitation.snapshots.policy import ConversationWindow, SurfacingPolicy, agreed
from facilitation.snapshots.store import StoredPassage

T0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)


def _hit(score: float, pid: int = 1) -> Hit:
    p = StoredPassage(pid, "default", "T", None, "/t.md", "H", None, "text")
    return Hit(p, score, score, 0.0)


def test_threshold_decides() -> None:
    policy = SurfacingPolicy(0.6, timedelta(minutes=10), 3)
    assert policy.decide([_hit(0.59)], window_size=3, now=T0, last_auto=None).hit is None
    chosen = policy.decide([_hit(0.4, 1), _hit(0.61, 2)], window_size=3, now=T0, last_auto=None)
    assert chosen.hit is not None
    assert chosen.hit.passage.id == 2


def test_rate_limit_and_window_size() -> None:
    policy = SurfacingPolicy(0.5, timedelta(minutes=10), 3)
    strong = [_hit(0.9)]
    too_soon = policy.decide(strong, window_size=3, now=T0, last_auto=T0 - timedelta(minutes=9))
    assert (too_soon.hit, too_soon.reason) == (None, "rate limited")
    later = policy.decide(strong, window_size=3, now=T0, last_auto=T0 - timedelta(minutes=10))
    assert later.hit is not None
    few = policy.decide(strong, window_size=2, now=T0, last_auto=None)
    assert (few.hit, few.reason) == (None, "too few messages")
    assert policy.decide([], window_size=3, now=T0, last_auto=None).hit is None


def test_window_keeps_the_last_messages_and_a_normalised_centroid() -> None:
    window = ConversationWindow(2)
    window.add("a", "first", np.array([1, 0, 0], np.float32))
    window.add("b", "second", np.array([0, 1, 0], np.float32))
    window.add("c", "third message here", np.array([0, 1, 0], np.float32))
    assert len(window) == 2
    assert window.text() == "second third message here"
    assert np.allclose(window.centroid(), [0, 1, 0])
    assert window.gist(2) == "third message …"
    window.clear()
    assert len(window) == 0


def test_the_window_and_the_latest_message_must_agree() -> None:
    assert agreed([_hit(0.9, 1)], [_hit(0.8, 2)]) == []  # the talk drifted: nothing
    [both] = agreed([_hit(0.9, 1)], [_hit(0.3, 1)])
    assert (both.passage.id, both.score) == (1, 0.3)  # the lower confidence counts
    assert agreed([], [_hit(0.9, 1)]) == []
