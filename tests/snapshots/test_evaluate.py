"""``roundtable eval snapshots``: hit rates, citation checks and misses on a small corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from facilitation.snapshots.evaluate import Query, Result, holds, load_queries, score
from tests.snapshots.conftest import write_corpus


def test_holds_is_case_and_space_insensitive_and_takes_alternatives() -> None:
    q = Query("q", ("Only 6%  of visits", "share: 6%"))
    assert holds("People over 75 made up only 6% of\nvisits.", q)
    assert holds("Group: 75 and over; Share: 6%.", q)
    assert not holds("People over 75 made up 16% of visits.", q)


def test_scores() -> None:
    q = Query("q", ("x",))
    results = [Result(q, 1, cited_right=True), Result(q, 3), Result(q, None)]
    figures = score(results, 3)
    assert figures["top1"] == pytest.approx(1 / 3)
    assert figures["top3"] == pytest.approx(2 / 3)
    assert figures["mrr"] == pytest.approx((1 + 1 / 3) / 3)
    assert figures["cited_right"] == 1.0


def test_bad_queries_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text('[{"q": "no answer given"}]', "utf-8")
    with pytest.raises(ValueError, match="item 0"):
        load_queries(path)


def test_the_command_prints_rates_and_misses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(tmp_path / "corpus")
    queries = tmp_path / "queries.json"
    queries.write_text(
        json.dumps(
            [
                {
                    "q": "where were medicines kept too warm?",
                    "expect": "sunny windowsills",
                    "doc": "medicines",
                },
                {
                    "q": "when did the cool spaces close?",
                    "expect": "closed at 6pm",
                    "doc": "medicines",
                },
                {"q": "what about unicorns?", "expect": "unicorn"},
            ]
        ),
        "utf-8",
    )
    code = main(["eval", "snapshots", str(folder), str(queries), "--keywords-only"])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 questions: top-1 66.7%, top-3 66.7%" in out
    assert "first passage cited right 50.0%" in out
    assert "[cited wrong] when did the cool spaces close?" in out
    assert "cited to cool-spaces.md, not medicines" in out
    assert "[miss] what about unicorns?" in out


def test_the_command_needs_a_corpus_and_a_queries_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["eval", "snapshots", str(tmp_path)])
    assert "QUERIES.json" in capsys.readouterr().err
    missing = main(["eval", "snapshots", str(tmp_path), str(tmp_path / "nope.json")])
    assert missing == 2
    assert "Could not read the questions" in capsys.readouterr().err
