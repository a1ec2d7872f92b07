from __future__ import annotations

from pathlib import Path

from bot.config import parse_config
from bot.doctor import doctor
from bot.runner import run


async def test_doctor_is_happy_with_the_embedded_defaults(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    assert await doctor(None, environ={}, echo=lines.append) == 0
    assert lines[-1] == "All good."
    assert any("console room" in line for line in lines)


async def test_doctor_names_missing_and_malformed_tokens(tmp_path: Path) -> None:
    path = tmp_path / "rt.toml"
    path.write_text(
        f'[store]\npath = "{tmp_path / "rt.db"}"\n'
        '[telegram]\ntoken_env = "TG_TOKEN"\n'
        '[slack]\nmode = "socket"\n'
    )
    lines: list[str] = []
    code = await doctor(
        path, environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "nope"}, echo=lines.append
    )
    assert code == 1
    problems = [line for line in lines if line.startswith("✗ token")]
    assert any("TG_TOKEN" in p for p in problems)
    assert any("SLACK_APP_TOKEN" in p and "xapp-" in p for p in problems)
    assert lines[-1].endswith("2 things to fix.")


async def test_doctor_reports_a_broken_config(tmp_path: Path) -> None:
    path = tmp_path / "rt.toml"
    path.write_text("[bot]\nname = 3\n")
    lines: list[str] = []
    assert await doctor(path, environ={}, echo=lines.append) == 1
    assert "bot.name" in lines[0]


async def test_run_refuses_clearly_when_a_token_is_missing(
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    cfg = parse_config({"telegram": {}, "store": {"path": str(tmp_path / "rt.db")}}, "rt.toml")
    assert await run(cfg) == 2
    err = capsys.readouterr().err
    assert "can't connect yet" in err
    assert "TELEGRAM_BOT_TOKEN" in err
