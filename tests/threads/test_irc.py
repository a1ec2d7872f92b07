from __future__ import annotations

from datetime import datetime
from pathlib import Path

from facilitation.threads.irc import parse_line, parse_lines, read_links, read_log


def test_short_format_gives_nick_text_and_minute() -> None:
    msg = parse_line(7, "[03:42] <Hikaru79> yohannes, why not WinRAR?")
    assert (msg.id, msg.author, msg.text) == ("7", "Hikaru79", "yohannes, why not WinRAR?")
    assert msg.ts is not None
    assert (msg.ts.hour, msg.ts.minute) == (3, 42)
    assert not msg.system


def test_long_format_gives_date_and_seconds() -> None:
    msg = parse_line(0, "#ubuntu-dev 2010-01-02 [13:04:05] <bob> alice: try apt")
    assert msg.author == "bob"
    assert msg.text == "alice: try apt"
    assert msg.ts == datetime(2010, 1, 2, 13, 4, 5)


def test_system_lines_keep_the_previous_time_and_name_the_new_nick() -> None:
    msgs = parse_lines(
        [
            "[10:00] <ann> hi",
            "=== ann is now known as annie",
            "=== bob [~b@host] has joined #ubuntu",
        ]
    )
    assert [m.system for m in msgs] == [False, True, True]
    assert msgs[1].author == "annie"
    assert msgs[2].author == "bob"
    assert msgs[1].ts == msgs[0].ts


def test_actions_and_midnight() -> None:
    msgs = parse_lines(["[23:59] <ann> late", "[00:01] * bob waves at ann"])
    assert msgs[1].author == "bob"
    assert msgs[1].text == "* bob waves at ann"
    assert msgs[0].ts is not None
    assert msgs[1].ts is not None
    assert (msgs[1].ts - msgs[0].ts).total_seconds() == 120


def test_read_log_and_links(tmp_path: Path) -> None:
    (tmp_path / "a.ascii.txt").write_text("[01:00] <x> one\n[01:01] <y> x: two\n")
    (tmp_path / "a.annotation.txt").write_text("0 0 -\n0 1 -\n")
    assert [m.author for m in read_log(tmp_path / "a.ascii.txt")] == ["x", "y"]
    assert read_links(tmp_path / "a.annotation.txt") == [(0, 0), (1, 0)]
