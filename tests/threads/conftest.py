"""Shared fixtures: the shipped scorer, the bundled MiniLM (loaded once), message builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.embeddings import MiniLMEmbedder
from facilitation.threads.message import ThreadMessage
from facilitation.threads.scorer import Scorer

START = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def scorer() -> Scorer:
    return Scorer.load()


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder(max_length=64, dtype="bfloat16")


def chat(*lines: tuple[str, str], gap: float = 20.0) -> list[ThreadMessage]:
    """Messages ``(author, text)`` posted ``gap`` seconds apart, ids ``m0``, ``m1``, ..."""
    return [
        ThreadMessage(
            id=f"m{i}",
            author=author,
            author_name=author,
            text=text,
            ts=START + timedelta(seconds=gap * i),
        )
        for i, (author, text) in enumerate(lines)
    ]
