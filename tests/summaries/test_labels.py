"""Labels a person would write: noun phrases, not word lists."""

from __future__ import annotations

import pytest

from facilitation.summaries.labels import is_noun_phrase, label, noun_phrases


@pytest.mark.parametrize(
    "phrase", ["heat pumps", "loft insulation", "flood map", "bus route", "ndiswrapper", "heat"]
)
def test_noun_phrases_are_labels(phrase: str) -> None:
    assert is_noun_phrase(phrase)


@pytest.mark.parametrize(
    "phrase",
    ["fast broken", "messengers matter", "retired", "put", "explaining", "the grant", "and mine"],
)
def test_word_pairs_that_are_not_noun_phrases_are_not(phrase: str) -> None:
    assert not is_noun_phrase(phrase)


def test_a_label_joins_noun_phrases_as_a_person_would() -> None:
    phrases = ["fast broken", "messengers matter", "heat pumps", "heat", "loft insulation"]
    assert noun_phrases(phrases) == ("heat pumps", "loft insulation")
    assert label(phrases) == "Heat pumps and loft insulation"
    assert label(["fast broken"]) == ""
