"""Labels a person would write: noun phrases, not word lists."""

from __future__ import annotations

import pytest

from facilitation.summaries.labels import (
    describe,
    in_context,
    in_prose,
    is_noun_phrase,
    label,
    noun_phrases,
)


@pytest.mark.parametrize(
    "phrase", ["heat pumps", "loft insulation", "flood map", "bus route", "ndiswrapper", "heat"]
)
def test_noun_phrases_are_labels(phrase: str) -> None:
    assert is_noun_phrase(phrase)


@pytest.mark.parametrize(
    "phrase",
    [
        "fast broken",
        "messengers matter",
        "retired",
        "put",
        "explaining",
        "the grant",
        "and mine",
        # from a replayed IRC log, session 4
        "total shit",
        "worth switching",
    ],
)
def test_word_pairs_that_are_not_noun_phrases_are_not(phrase: str) -> None:
    assert not is_noun_phrase(phrase)


def test_a_label_joins_noun_phrases_as_a_person_would() -> None:
    phrases = ["fast broken", "messengers matter", "heat pumps", "heat", "loft insulation"]
    assert noun_phrases(phrases) == ("heat pumps", "loft insulation")
    assert label(phrases) == "Heat pumps and loft insulation"
    assert label(["fast broken"]) == ""


@pytest.mark.parametrize(
    ("phrase", "text", "reads"),
    [
        ("cooling centres", "Did the cooling centres reach older people?", True),
        ("warm space", "I run the warm space at St Anne's hall", True),
        # a gerund and its object, not a kind of landlord
        ("making landlords", "Tomasz asked about making landlords add shading", False),
        # an adjective and a preposition: "open till 9pm"
        ("open till", "Marsh Lane stays open till 9pm on red alert days", False),
        # a clause: "fell" is the past of "fall"
        ("gate fell", "Fumes at the gate fell by about a third", False),
        # an instruction, not a thing
        ("type sudo", "Type sudo -i in a terminal", False),
        # YAKE's cut of "St Anne's hall": nobody wrote it
        ("anne hall", "I run the warm space at St Anne's hall", False),
    ],
)
def test_a_phrase_is_a_label_only_where_people_wrote_it_as_a_noun_phrase(
    phrase: str, text: str, reads: bool
) -> None:
    assert in_context(phrase, [text.lower()]) is reads


def test_describe_leaves_out_phrases_that_do_not_read_as_nouns_in_context() -> None:
    texts = [
        "Marsh Lane stays open till 9pm on red alert days",
        "Marsh Lane was open till 9pm last year too",
        "how many volunteers did Marsh Lane have?",
    ]
    found = describe(texts, ["open till", "marsh lane"], names=["Kwame"])
    assert "open till" not in [p.lower() for p in found]
    assert found[0] == "Marsh Lane"


def test_a_label_in_a_sentence_takes_the_article_people_gave_it() -> None:
    texts = [
        t.lower()
        for t in (
            "Once you account for the overnight low, the effect is smaller",
            "our heat check has the list; the heat check prints on A4",
            "environmental health can assess heat, and cool spaces opened in July",
        )
    ]
    assert in_prose("overnight low", texts) == "the overnight low"
    assert in_prose("heat check", texts) == "the heat check"
    assert in_prose("environmental health", texts) == "environmental health"
    assert in_prose("cool spaces", texts) == "cool spaces"
    assert in_prose("Marsh Lane", texts) == "Marsh Lane"


def test_to_before_a_phrase_is_as_often_a_preposition() -> None:
    assert in_context("waste services", ["missed bins go to waste services, i'll send the link"])


@pytest.mark.parametrize(
    ("texts", "words", "expected"),
    [
        # from the demo's theme cards, session 4: "Overnight low and effect"
        (
            [
                "Once you account for the overnight low, the effect is smaller",
                "so the overnight low matters more than the effect of the day?",
                "the overnight low is where the effect shows",
            ],
            ["overnight low", "effect"],
            ("overnight low",),
        ),
        # two phrases of several words each still make a label
        (
            [
                "missed bins go to waste services at Alder Rise",
                "Alder Rise has had no collection, waste services never came",
            ],
            ["alder rise", "waste services"],
            ("Alder Rise", "waste services"),
        ),
    ],
)
def test_a_lone_word_is_not_tacked_on_to_a_phrase(
    texts: list[str], words: list[str], expected: tuple[str, ...]
) -> None:
    assert describe(texts, words, names=["Pat"]) == expected
