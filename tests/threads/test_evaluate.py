"""The evaluation command on a tiny log, and the shipped weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitation.threads import __all__ as exported
from facilitation.threads.evaluate import main
from facilitation.threads.scorer import Scorer

LOG = """[10:00] <ann> how do I resize a partition?
=== bob [~bob@host] has joined #ubuntu
[10:01] <bob> ann: use gparted from a live usb
[10:01] <ann> bob: thanks, trying now
[10:02] <cat> anyone here use vim?
[10:03] <dan> cat: every day
"""


def test_eval_writes_links_from_the_start_line_and_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tiny.ascii.txt").write_text(LOG)
    (tmp_path / "tiny.annotation.txt").write_text("2 2 -\n0 2 -\n2 3 -\n4 4 -\n4 5 -\n")
    out = tmp_path / "links.txt"
    assert main([str(tmp_path), "--out", str(out), "--start", "2", "--no-embeddings"]) == 0
    lines = out.read_text().splitlines()
    assert [line.split(":")[0] for line in lines] == ["tiny"] * 4
    later = [int(line.split(":")[1].split()[0]) for line in lines]
    assert later == [2, 3, 4, 5]
    assert all(line.endswith(" -") for line in lines)
    assert "tiny:3 2 -" in lines
    assert "tiny:5 4 -" in lines
    printed = capsys.readouterr()
    assert "link precision" in printed.out
    assert "[1/1] tiny" in printed.err


def test_eval_without_logs_fails(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 2


def test_shipped_weights_load_and_credit_the_corpus() -> None:
    scorer = Scorer.load()
    assert "Kummerfeld" in scorer.meta["attribution"]
    assert "CC BY 4.0" in scorer.meta["attribution"]
    assert len(scorer.layers) == 3


def test_package_exports() -> None:
    assert set(exported) == {
        "Conversation",
        "Disentangler",
        "Link",
        "Scorer",
        "ThreadMap",
        "ThreadMessage",
        "catchup_text",
        "gist",
        "threads_text",
    }
