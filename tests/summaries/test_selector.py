"""The learned sentence scorer's features and scoring."""

from __future__ import annotations

import numpy as np

from facilitation.summaries.selector import FEATURES, Selector, features


def test_features_mark_the_answer_to_a_question_and_the_first_turn() -> None:
    turns = [
        ("Mateo", "Is the allotment waiting list still two years?"),
        ("Yusuf", "It's down to about eight months now."),
        ("Mateo", "Nice, I will email the parish clerk."),
    ]
    table = features(
        [t for _, t in turns], [0, 1, 2], turns, np.array([0.9, 0.5, 0.4]), ["waiting list"]
    )
    assert table.shape == (3, len(FEATURES))
    column = {name: i for i, name in enumerate(FEATURES)}
    assert table[:, column["answer"]].tolist() == [0.0, 1.0, 0.0]
    assert table[:, column["question"]].tolist() == [1.0, 0.0, 0.0]
    assert table[:, column["first_turn"]].tolist() == [1.0, 0.0, 0.0]
    assert table[0, column["keyphrase"]] == 1.0 and table[1, column["keyphrase"]] == 0.0


def test_a_selector_ranks_by_its_weighted_standardised_features() -> None:
    answer_only = Selector(tuple(1.0 if f == "answer" else 0.0 for f in FEATURES))
    table = np.zeros((3, len(FEATURES)))
    table[1, FEATURES.index("answer")] = 1.0
    scores = answer_only.score(table)
    assert int(np.argmax(scores)) == 1
    assert answer_only.score(np.zeros((0, len(FEATURES)))).shape == (0,)
