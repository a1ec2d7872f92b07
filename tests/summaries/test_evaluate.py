"""``eval summaries``: predictions file, ROUGE table, baselines in the same run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facilitation.summaries.evaluate import main, parse_dialogue, score

DIALOGUES = [
    {
        "fname": "t_0",
        "dialogue": "#Person1#: Hello, how are you?\n#Person2#: I have been having trouble "
        "breathing lately.\n#Person1#: Do you have any allergies?\n#Person2#: No, I "
        "don't have any allergies.\n#Person1#: I will send you to a lung specialist.",
        "summary": "#Person2# has trouble breathing. #Person1# will send #Person2# to a "
        "specialist.",
    },
    {
        "fname": "t_1",
        "dialogue": "#Person1#: Let's go to the gym at three.\n#Person2#: Sure. Today we work "
        "on legs.\n#Person1#: My legs are sore from basketball, so let's do arms.\n"
        "#Person2#: Fine, arms today and legs on Friday.",
        "summary1": "#Person1# invites #Person2# to the gym and persuades #Person2# to do arms.",
        "summary2": "#Person1# and #Person2# will work out on arms today.",
    },
    {
        "fname": "t_2",
        "dialogue": "#Person1#: What do you think of the new library?\n#Person2#: The "
        "reading rooms are bright and quiet.\n#Person1#: I love the long opening hours.",
        "summary": "#Person1# and #Person2# like the new library.",
    },
]


def test_eval_writes_predictions_and_prints_scores_with_baselines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dialogues.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DIALOGUES), encoding="utf-8")
    out = tmp_path / "pred.jsonl"

    assert main([str(data), "--out", str(out)]) == 0

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["fname"] for line in lines] == ["t_0", "t_1", "t_2"]
    assert all(set(line) == {"fname", "summary"} and line["summary"] for line in lines)
    printed = capsys.readouterr()
    table = printed.out.splitlines()
    assert table[0].split() == ["summariser", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum"]
    rows = {line.rsplit(None, 3)[0]: line.split()[-3:] for line in table[1:4]}
    assert set(rows) == {"extractive (default)", "baseline first3", "baseline longest3"}
    for figures in rows.values():
        assert all(0.0 <= float(f) <= 100.0 for f in figures)
    assert "summarising 3/3" in printed.err


def test_eval_of_a_baseline_scores_it_as_the_summariser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "dialogues.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DIALOGUES), encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert main([str(data), "--baseline", "first3", "--out", str(out)]) == 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["summary"].splitlines()[0] == "#Person1#: Hello, how are you?"
    table = capsys.readouterr().out
    assert "baseline first3" in table
    assert "baseline longest3" in table


def test_eval_of_a_missing_file_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_parse_dialogue_joins_untagged_lines_to_the_last_turn() -> None:
    turns, lines = parse_dialogue("#Person1#: Hi there\nstill me\n#Person2#: Hello")
    assert [(t.speaker, t.text) for t in turns] == [
        ("#Person1#", "Hi there still me"),
        ("#Person2#", "Hello"),
    ]
    assert lines[0] == "#Person1#: Hi there still me"


def test_score_averages_over_several_references() -> None:
    exact = score(["the cat sat"], [["the cat sat"]])
    half = score(["the cat sat"], [["the cat sat", "a dog ran off"]])
    assert exact["rouge1"] == pytest.approx(100.0)
    assert half["rouge1"] == pytest.approx(50.0)
