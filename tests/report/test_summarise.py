"""The report's summariser: extractive, the fallback without a model, and a failed model."""

from __future__ import annotations

from typing import Any

from bot.prompts import Prompts
from facilitation.base import EmbedderProvider
from facilitation.report.config import ReportConfig
from facilitation.report.summarise import ReportSummariser
from facilitation.summaries import Turn

TURNS = [
    Turn("Ann", "The cool spaces were too far from most older people's homes.", "m1"),
    Turn(
        "Bob", "Libraries closed at five, before the hottest part of the evening.", "m2", weight=3
    ),
    Turn("Cat", "Trusted messengers like faith groups reached people the leaflets missed.", "m3"),
    Turn("Dan", "ok thanks", "m4"),
]


async def test_without_a_model_the_summary_quotes_appreciated_messages() -> None:
    summariser = ReportSummariser(
        ReportConfig(), EmbedderProvider(None, enabled=False), Prompts.load()
    )
    summary = await summariser.summarise(TURNS, 2)
    assert summary.note == "no embedding model"
    assert "m2" in summary.message_ids
    assert "m4" not in summary.message_ids


async def test_a_model_that_cannot_load_falls_back_to_extractive(embedder_provider: Any) -> None:
    cfg = ReportConfig(summariser="/nonexistent/model", timeout_seconds=20)
    summariser = ReportSummariser(cfg, embedder_provider, Prompts.load())
    try:
        summary = await summariser.summarise(TURNS, 2)
    finally:
        summariser.close()
    assert summary.source == "extractive"
    assert summary.note.startswith("load failed")
    assert 1 <= len(summary.sentences) <= 2
    assert set(summary.message_ids) <= {"m1", "m2", "m3"}
