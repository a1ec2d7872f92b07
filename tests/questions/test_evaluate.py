"""``roundtable eval questions``: the scores follow the gold, mistakes included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main as cli
from facilitation.questions.evaluate import evaluate_event
from tests.factories import Script

DATA = Path(__file__).resolve().parents[1] / "data" / "questions_events"


def _event(tmp_path: Path) -> tuple[Path, Path]:
    s = Script()
    s.say("u_mod", '/event start "Soil panel"')
    s.say("u_pan", "Hi all, I'm Pan")
    q1 = s.say("u_sam", "How often should I add manure to the beds?")
    chat = s.say("u_eli", "sorry, how do I make the text bigger on this thing?")
    a1 = s.say("u_pan", "Sam, every season if you can, even a small amount of it")
    q2 = s.say("u_kofi", "Which cover crop suits the short rains best?")
    s.say("u_pan", "Kofi, I'll come back to that one in a minute")
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("\n".join(s.lines) + "\n", encoding="utf-8")
    gold = {
        "event": "t",
        "split": "dev",
        "messages": 7,
        "roles": {"moderators": ["replay:u_mod"], "panellists": ["replay:u_pan"]},
        "panel_questions": [q1, q2],
        "continuations": [],
        "room_questions": [],
        "duplicates": [],
        "near_misses": [],
        "answers": [{"answer": a1, "question": q1, "by": "panel"}],
        "chatter": [chat],
    }
    gold_path = tmp_path / "t.gold.json"
    gold_path.write_text(json.dumps(gold), encoding="utf-8")
    return transcript, gold_path


def test_scores_count_hits_and_misses(tmp_path: Path) -> None:
    transcript, gold_path = _event(tmp_path)
    scores = evaluate_event(transcript, gold_path, models=False)
    assert (scores.detection.tp, scores.detection.fn) == (2, 0)
    assert scores.detection.fp in (0, 1)  # the chatter, if the plain model let it in
    assert scores.answers.tp == 1 and scores.answers.fn == 0
    # a gold that calls the chatter a panel question and expects an answer not given
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["panel_questions"].append(gold["chatter"][0])
    gold["answers"].append({"answer": "nope", "question": gold["panel_questions"][1]})
    gold_path.write_text(json.dumps(gold), encoding="utf-8")
    worse = evaluate_event(transcript, gold_path, models=False)
    assert worse.detection.tp + worse.detection.fn == 3
    assert worse.detection.fp == 0 if scores.detection.fp else worse.detection.fn == 1
    assert worse.answers.fn == 1


def test_the_cli_prints_the_three_measures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript, gold_path = _event(tmp_path)
    assert cli(["eval", "questions", str(transcript), str(gold_path), "--no-models"]) == 0
    out = capsys.readouterr().out
    assert "detection  P " in out and "R 1.00" in out
    assert "merges made" in out and "answers    P 1.00  R 1.00" in out


def test_the_labelled_events_are_complete() -> None:
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in DATA.glob("*.gold.json")]
    assert sorted(g["split"] for g in golds) == ["dev", "dev", "test"]
    assert sum(g["messages"] for g in golds) >= 600
    for g in golds:
        asked = {*g["panel_questions"], *g["room_questions"]}
        assert all(a["question"] in asked for a in g["answers"]), g["event"]
