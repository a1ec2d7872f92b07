from __future__ import annotations

from pathlib import Path

import pytest

from facilitation.questions.detect import is_question
from facilitation.questions.detect_eval import evaluate, load_sample

SAMPLE = Path(__file__).resolve().parents[1] / "data/question_detection.jsonl"


def test_precision_and_recall_on_the_labelled_sample() -> None:
    rows = load_sample(SAMPLE)
    assert len(rows) > 400
    scores = evaluate(rows)
    assert scores.precision >= 0.95
    assert scores.recall >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        "Question for Jun: did the sensors show big differences between types of building?",
        "I wonder whether the cooling centres actually reached older people. Most never knew",
        "what about renters though",
        "could someone explain what a confidence interval means",
        "Rosa are you coming to the Thursday session?",
    ],
)
def test_questions_in_many_forms(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "what a great talk!",
        "how's everyone? 😊",
        "Why not try the library? They run sessions every week",
        "Sam can you pin the link please",
        "the report is at https://example.org/report?id=42",
        "+1 same question",
        "My mum always asks me why the bins are late",
        "Shall we start?",
        "Would you like to know more? (Y/n) y",
        "Do you want to skip blacklist checks by Compiz? (y/N)",
        "Do you want to continue [Y/n]?",
    ],
)
def test_look_alikes_are_not_questions(text: str) -> None:
    assert not is_question(text)
