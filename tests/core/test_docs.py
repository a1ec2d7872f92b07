"""The README and the example config describe what exists."""

from __future__ import annotations

from pathlib import Path

from bot.app import Roundtable
from bot.config import Config

ROOT = Path(__file__).resolve().parents[2]


async def test_the_readme_lists_every_chat_command() -> None:
    readme = (ROOT / "README.md").read_text()
    async with Roundtable(Config(), db_path=":memory:") as bot:
        names = [name for name, _ in bot.commands.top_level()]
    assert len(names) > 20
    missing = [name for name in names if f"`/{name}" not in readme]
    assert missing == []


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./scripts/demo.sh" in readme
    assert "./scripts/test.sh" in readme
    assert "./scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
