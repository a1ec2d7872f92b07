from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "x"],
        ["export", "x", "--out", "unused"],
        ["evaluate", "--series", "s"],
        ["ingest"],
        ["doctor"],
    ],
)
def test_every_command_names_a_config_mistake_and_exits_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rt.toml"
    bad.write_text("[bot]\nnmae = 1\n")
    code = main([*argv, "-c", str(bad)])
    out = capsys.readouterr()
    assert code in (1, 2)
    assert "bot.nmae: unknown key (did you mean 'name'?)" in out.err + out.out


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "replay" in capsys.readouterr().out


def test_a_replay_without_config_can_name_its_moderators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "chat.log"
    log.write_text(
        '[18:00] <sam> /event start "Night owls"\n[18:01] <ana> hello\n[18:02] <sam> /event end\n'
    )
    light = tmp_path / "light.toml"  # no roles; models and the report off, to run fast
    light.write_text("[models]\nenabled = false\n[report]\nwrite_on_end = false\n")
    db = str(tmp_path / "r.db")
    assert main(["replay", str(log), "-c", str(light), "--db", db]) == 0
    assert "is for moderators" in capsys.readouterr().out  # nobody may start it
    again = ["replay", str(log), "-c", str(light), "--db", str(tmp_path / "r2.db")]
    assert main([*again, "--moderators", "sam"]) == 0
    shown = capsys.readouterr().out
    assert "Welcome to “Night owls”" in shown and "is for moderators" not in shown
