"""One parametrised fixture: the real bot running on each adapter in turn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.harness import Harness
from tests.contract.harness_console import ConsoleHarness
from tests.contract.harness_discord import DiscordHarness
from tests.contract.harness_replay import ReplayHarness
from tests.contract.harness_slack import SlackHarness
from tests.contract.harness_telegram import TelegramHarness

HARNESSES: dict[str, type[Harness]] = {
    "discord": DiscordHarness,
    "slack": SlackHarness,
    "telegram": TelegramHarness,
    "replay": ReplayHarness,
    "console": ConsoleHarness,
}


@pytest.fixture(params=list(HARNESSES))
async def h(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    embedder_provider: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Harness]:
    """The bot with all modules, attached to one adapter and its fake."""
    # PTB 22.8 warns about its own deprecated retry_after property; opt in to the new one.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    # Load MiniLM (once per run) before the clock of any scenario's settle starts.
    embedder = await embedder_provider.get()
    if embedder is not None:
        await embedder.embed(["warming up"])
    factory: Any = HARNESSES[request.param]
    async with factory.running(tmp_path, embedder_provider) as harness:
        yield harness
