"""The scores on examples small enough to work out by hand."""

from __future__ import annotations

import math

import pytest

from facilitation.threads.metrics import clusters, score

# messages 10..15: conversations {10, 11, 13} and {12, 14}, 15 alone;
# 11 links back to 9, before the first scored message: 9 is dropped from clusters.
GOLD = {"f": {(10, 10), (11, 9), (11, 10), (12, 12), (13, 11), (14, 12), (15, 15)}}


def test_clusters_are_components_from_the_first_source_on() -> None:
    assert sorted(sorted(c) for c in clusters(GOLD)["f"]) == [[10, 11, 13], [12, 14], [15]]


def test_perfect_output_scores_100() -> None:
    s = score(GOLD, GOLD)
    assert (s.link_f, s.vi, s.one_to_one, s.conv_f) == (100, 100, 100, 100)


def test_link_scores_count_pairs() -> None:
    # 4 of the 6 system links are right, out of 7 gold links
    auto = {"f": {(10, 10), (11, 10), (12, 11), (13, 11), (14, 13), (15, 15)}}
    s = score(GOLD, auto)
    assert s.link_p == pytest.approx(100 * 4 / 6)
    assert s.link_r == pytest.approx(100 * 4 / 7)


def test_conversation_scores_when_two_conversations_merge() -> None:
    # system: {10, 11, 12, 13, 14} and {15}
    auto = {"f": {(10, 10), (11, 10), (12, 11), (13, 12), (14, 13), (15, 15)}}
    s = score(GOLD, auto)
    # one-to-one: {10..14} pairs with {10,11,13} (3), {15} with {15} (1): 4 of 6
    assert s.one_to_one == pytest.approx(100 * 4 / 6)
    # exact match: no 2+ conversation found; 1 system 2+ conversation, 2 gold ones
    assert (s.conv_p, s.conv_r, s.conv_f) == (0, 0, 0)
    # VI = H(gold | auto) + H(auto | gold) = (5/6) * H(3/5, 2/5) + 0
    h = -(0.6 * math.log2(0.6) + 0.4 * math.log2(0.4))
    assert s.vi == pytest.approx(100 - 100 * (5 / 6) * h / math.log2(6))


def test_exact_match_over_conversations_of_two_or_more() -> None:
    auto = {"f": {(10, 10), (11, 10), (13, 11), (12, 12), (14, 14), (15, 15)}}
    s = score(GOLD, auto)
    # found {10,11,13} exactly; {12,14} split; singletons do not count
    assert s.conv_p == 100
    assert s.conv_r == 50
