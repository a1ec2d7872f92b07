"""Labelled question pairs: read right, calibrated on dev, the queue's thresholds follow them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facilitation.questions.calibrate import event_pairs, thresholds, written_pairs
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.pairs import PAIR_FEATURES, alignment_features, pair_features, parse
from facilitation.questions.queue import for_matching

DATA = Path(__file__).resolve().parents[1] / "data"
PAIRS = DATA / "question_pairs"


def test_the_written_pairs_cover_many_domains_with_near_misses_and_test_is_apart() -> None:
    train, test = written_pairs(PAIRS / "train.txt"), written_pairs(PAIRS / "test.txt")
    for pairs, domains, dups in ((train, 21, 80), (test, 9, 30)):
        assert len({p.group for p in pairs}) == domains
        assert sum(p.label for p in pairs) >= dups
        assert sum(p.near and not p.label for p in pairs) >= 2 * dups
    assert not {p.group for p in train} & {p.group for p in test}
    texts = {t for p in train for t in (p.a, p.b)}
    assert not texts & {t for p in test for t in (p.a, p.b)}


def test_a_line_outside_a_topic_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("@domain x\n1 a question without a topic?\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read"):
        written_pairs(bad)


def test_event_pairs_take_duplicates_transitively() -> None:
    pairs = event_pairs(DATA / "questions_events", "dev")
    assert {p.group for p in pairs} == {"soil", "runtime"}
    # soil has a chain of two repeats of one question: all three pairs are duplicates
    assert sum(p.label for p in pairs) == 10


def test_thresholds_merge_above_every_negative_and_suggest_below() -> None:
    scores = np.array([0.9, 0.8, 0.75, 0.7, 0.6, 0.5])
    y = np.array([1, 0, 1, 1, 0, 0])
    merge, suggest = thresholds([(scores, y)], 0.01, 0.5)
    assert merge == 0.81
    assert suggest == 0.7  # from 0.7: 0.75 and 0.7 right, 0.8 wrong; from 0.6 not


def test_pair_features_see_numbers_negation_kind_and_typos() -> None:
    def f(a: str, b: str) -> dict[str, float]:
        x = pair_features(parse(a), parse(b), 0.7)
        return dict(zip(PAIR_FEATURES, x.tolist(), strict=True))

    assert f("is it 5 years?", "is it 10 years?")["numbers_differ"] == 1.0
    assert f("is it five years?", "is it 5 years?")["numbers_differ"] == 0.0
    assert f("can I eat it?", "can't I eat it?")["negation_differs"] == 1.0
    assert f("why does it smell?", "when does it smell?")["kinds_differ"] == 1.0
    typo = f("how long is the personal statement", "whats the word limit for the personal statment")
    assert typo["containment"] == pytest.approx(2 / 3)  # "statment" counts as "statement"


def test_alignment_features_match_each_piece_both_ways_and_find_the_unmatched_one() -> None:
    e = np.eye(3, dtype=np.float32)
    same = alignment_features(e, e, np.ones(3), np.ones(3))
    assert same.tolist() == pytest.approx([1.0, 1.0, 1.0])
    # b lacks a's third piece: recall stays 1, precision drops, the worst match is 0
    part = alignment_features(e, e[:2], np.ones(3), np.ones(2))
    f, low, worst = part.tolist()
    assert low == pytest.approx(2 / 3) and f == pytest.approx(0.8) and worst == 0.0
    # a piece weighted 0 (a stopword) is not held against the pair
    weighted = alignment_features(e, e[:2], np.array([1.0, 1.0, 0.0]), np.ones(2))
    assert weighted.tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert alignment_features(e[:0], e, np.ones(0), np.ones(3)).tolist() == [0.0, 0.0, 0.0]


async def test_the_configured_thresholds_are_the_ones_dev_chooses(embedder_provider: Any) -> None:
    emb = await embedder_provider.get()
    written = written_pairs(PAIRS / "train.txt")
    events = event_pairs(DATA / "questions_events", "dev")
    dev = written + events
    texts = sorted({t for p in dev for t in (p.a, p.b)})
    vecs = dict(zip(texts, await emb.embed([for_matching(t) for t in texts]), strict=True))
    cos = np.array([float(vecs[p.a] @ vecs[p.b]) for p in dev])
    y = np.array([p.label for p in dev])
    n = len(written)
    merge, suggest = thresholds([(cos[:n], y[:n]), (cos[n:], y[n:])], 0.01, 0.5)
    cfg = QuestionsConfig()
    assert cfg.duplicate_threshold == pytest.approx(merge, abs=0.011)
    assert cfg.suggest_threshold == pytest.approx(suggest, abs=0.011)
    assert not ((cos >= cfg.duplicate_threshold) & (y == 0)).any()
