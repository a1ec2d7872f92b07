"""Helpers for the ledger tests: a real bot (core + ledger) writing to a file database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.actions import Action
from bot.app import Roundtable
from bot.config import Config
from facilitation.core import CoreModule
from facilitation.ledger.module import LedgerModule
from tests.factories import config, run_script

SECRET_ENV = "RT_LEDGER_TEST_SECRET"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "test-key")


def ledger_config(tmp_path: Path, **extra: Any) -> Config:
    """Roles from tests.factories, one planned event in replay:demo:main, out under tmp_path."""
    data: dict[str, Any] = {
        "bot": {"out_dir": str(tmp_path / "out")},
        "models": {"enabled": False},
        "privacy": {"secret_env": SECRET_ENV},
        "events": [
            {
                "id": "talks",
                "title": "Talks",
                "series": "riverside",
                "channels": ["replay:demo:main"],
            }
        ],
        "ledger": {"audience_threshold": 3, "depth_threshold": 2.0},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return config(data)


def core_and_ledger(services: Any) -> list[Any]:
    return [CoreModule(services), LedgerModule(services)]


async def run(
    lines: Sequence[str],
    cfg: Config,
    db: Path,
    inspect: Callable[[Roundtable], Awaitable[None]] | None = None,
    modules: Callable[[Any], list[Any]] = core_and_ledger,
) -> list[Action]:
    async def keep_open(bot: Roundtable, adapter: Any) -> None:
        if inspect is not None:
            await inspect(bot)

    actions, _ = await run_script(
        lines, cfg=cfg, db_path=str(db), modules=modules, keep_open=keep_open
    )
    return actions
