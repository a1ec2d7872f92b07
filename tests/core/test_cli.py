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
