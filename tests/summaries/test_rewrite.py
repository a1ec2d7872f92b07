"""Clean-up rules: chat sentences become third-person sentences about the discussion."""

from __future__ import annotations

import pytest

from facilitation.summaries.prompts import Framing
from facilitation.summaries.rewrite import (
    is_chatter,
    is_fragment,
    normalise,
    quote,
    rewrite,
    strip_fillers,
)

FRAMING = Framing()


@pytest.mark.parametrize(
    ("sentence", "speaker", "addressee", "expected"),
    [
        (
            "I am going to send you to a specialist.",
            "#Person1#",
            "#Person2#",
            "#Person1# is going to send #Person2# to a specialist.",
        ),
        (
            "I just have a pain in my chest.",
            "Maya",
            "Sam",
            'Maya: "I just have a pain in my chest".',
        ),
        ("I'm on a weekly schedule.", "Sam", None, "Sam is on a weekly schedule."),
        (
            "You need to stop eating sweets.",
            "Maya",
            "Sam",
            "Maya says Sam needs to stop eating sweets.",
        ),
        ("Do you have any allergies?", "Maya", "Sam", "Maya asks whether Sam has any allergies."),
        ("What time do you want to go?", "Sam", "Maya", "Sam asks what time Maya wants to go."),
        ("Does he like the plan?", "Maya", None, "Maya asks whether he likes the plan."),
        ("Let's meet again next week.", "Sam", "Maya", "Sam suggests they meet again next week."),
        ("Thank you for helping us.", "Sam", "Maya", "Sam thanks Maya for helping them."),
        ("It happens when I work out.", "Sam", "Maya", 'Sam: "It happens when I work out".'),
        ("I try to go running.", "Sam", "Maya", "Sam tries to go running."),
        ("Try refreshing the page.", "Sam", None, 'Sam: "Try refreshing the page".'),
        ("Can you share the slides?", "Maya", None, 'Maya asks: "Can you share the slides?"'),
        ("Where did you go?", "Maya", "Sam", 'Maya asks: "Where did you go?"'),
        (
            "But do you think it hurts, right?",
            "Maya",
            "Sam",
            'Maya asks: "But do you think it hurts, right?"',
        ),
        ("Do you think it hurts, right?", "Maya", "Sam", "Maya asks whether Sam thinks it hurts."),
        ("I spent the day at home.", "Sam", "Maya", "Sam spent the day at home."),
    ],
)
def test_rewrite_turns_chat_into_third_person(
    sentence: str, speaker: str, addressee: str | None, expected: str
) -> None:
    assert rewrite(sentence, speaker, addressee, FRAMING) == expected


def test_rewrite_keeps_capitals_of_names_but_not_of_ordinary_words() -> None:
    lowercase = frozenset({"today"})
    assert rewrite("Today we train legs.", "Sam", "Maya", FRAMING, lowercase) == (
        "Sam says today they train legs."
    )
    assert rewrite("London is far away.", "Sam", "Maya", FRAMING, lowercase) == (
        "Sam says London is far away."
    )


def test_rewrite_uses_the_framing_templates() -> None:
    framing = Framing(statement="{speaker} notes that {clause}.")
    assert (
        rewrite("The data is public.", "Ana", None, framing) == "Ana notes that the data is public."
    )


def test_strip_fillers_drops_openers_vocatives_and_trailing_sir() -> None:
    assert strip_fillers("Well, oh, I see the point.") == "I see the point."
    assert strip_fillers("Hey Jimmy. We should go") == "We should go"
    assert strip_fillers("Please sit down, sir.") == "Please sit down."
    assert strip_fillers("Honey, you see, I think so.") == "I think so."


def test_chatter_is_greetings_thanks_and_one_word_replies() -> None:
    assert is_chatter("Thank you for your help, doctor.")
    assert is_chatter("Hello, how are you doing today?")
    assert is_chatter("Yes.")
    assert not is_chatter("The sample size was far too small to conclude anything.")


def test_normalise_repairs_transcript_spacing() -> None:
    assert normalise("I ' Ve been  busy, haven ' t I?") == "I've been busy, haven't I?"


@pytest.mark.parametrize(
    ("sentence", "speaker", "addressee"),
    [
        # a "you" meaning anyone is not the person addressed ("once Lena account for")
        ("Once you account for the nights, a lot of the daytime effect shrinks.", "Pat", "Lena"),
        ("A 20 minute walk in 32 degrees isn't an option if you're frail.", "Amara", "Grace"),
        ("When you report heat we can act on it.", "Ade", "Maya"),
        # a discourse adverb opening the sentence ("Ruth says honestly the library ...")
        ("Honestly the library shut at 6.", "Ruth", None),
        ("Actually the sensors logged humidity every 15 minutes.", "Jun", None),
        # an instruction whose verb is also a noun ("ring"), with no verb after it
        ("Ring environmental health, it costs nothing.", "Ben", None),
    ],
)
def test_what_reported_speech_would_garble_is_quoted_as_said(
    sentence: str, speaker: str, addressee: str | None
) -> None:
    assert rewrite(sentence, speaker, addressee, FRAMING) == quote(sentence, speaker, FRAMING)


def test_quotes_end_as_sentences_so_a_paragraph_of_them_reads() -> None:
    # the speaker's words as written; our full stop outside them when they wrote none
    assert (
        quote("We can lend you 20 sensors", "Jun", FRAMING) == 'Jun: "We can lend you 20 sensors".'
    )
    assert quote("We can lend you sensors.", "Jun", FRAMING) == 'Jun: "We can lend you sensors".'
    assert quote("Keep it on!", "Kate", FRAMING) == 'Kate: "Keep it on!"'
    assert quote("Is it open?", "Bea", FRAMING) == 'Bea asks: "Is it open?"'


def test_a_subordinate_clause_on_its_own_is_half_a_thought() -> None:
    assert is_fragment("Unless we get the grub-reboot to boot into the shutdown section")
    assert is_fragment("because it's cheaper to run")
    assert not is_fragment("Because it's cheap, we leave the fan on all night")
    assert not is_fragment("Unlike last year the library opens late")


def test_a_noun_opening_a_sentence_with_its_verb_is_still_reported() -> None:
    lower = frozenset({"heat"})
    assert rewrite("Heat is a problem for older people.", "Pat", None, FRAMING, lower) == (
        "Pat says heat is a problem for older people."
    )
