"""The abstractive path: a real (tiny, random) chat model, time-outs and fallbacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from facilitation.summaries import (
    AbstractiveSummariser,
    ExtractiveSummariser,
    Turn,
    check_grounding,
)
from facilitation.summaries.abstractive import Generator, load_pipeline
from facilitation.summaries.prompts import load_summary_prompts
from tests.summaries.conftest import TopicEmbedder

TURNS = [
    Turn("Maya", "The soup needs more garlic and a little lemon.", message_id="1"),
    Turn("Sam", "I think the bread should rest for an hour before baking.", message_id="2"),
    Turn("Ana", "Can we cook the soup the night before the party?", message_id="3"),
]


@pytest.fixture
def extractive() -> ExtractiveSummariser:
    return ExtractiveSummariser(TopicEmbedder(["soup", "bread"]))


def _summariser(model: str, timeout: float, fallback: ExtractiveSummariser, **kw: Any) -> Any:
    return AbstractiveSummariser(model, timeout, fallback, load_summary_prompts()[1], **kw)


@pytest.fixture
def closing() -> Iterator[list[AbstractiveSummariser]]:
    made: list[AbstractiveSummariser] = []
    yield made
    for summariser in made:
        summariser.close()


async def test_random_model_output_is_rejected_as_ungrounded(
    tiny_llama: str, extractive: ExtractiveSummariser, closing: list[AbstractiveSummariser]
) -> None:
    summariser = _summariser(tiny_llama, 60, extractive, max_new_tokens=24)
    closing.append(summariser)
    summary = await summariser.summarise(TURNS, max_sentences=2)
    assert summary.source == "extractive"
    assert summary.note.startswith("ungrounded")
    assert summary.sentences  # the extractive summary answered instead
    assert summary.text == extractive.summarise(TURNS, 2).text


async def test_time_out_falls_back_to_extractive(
    tiny_llama: str, extractive: ExtractiveSummariser, closing: list[AbstractiveSummariser]
) -> None:
    summariser = _summariser(tiny_llama, 0.001, extractive, max_new_tokens=24)
    closing.append(summariser)
    summary = await summariser.summarise(TURNS, max_sentences=2)
    assert summary.source == "extractive"
    assert summary.note == "timed out (0.001 s)"
    assert summary.message_ids


async def test_missing_model_falls_back_and_is_not_retried(
    tmp_path: Any, extractive: ExtractiveSummariser, closing: list[AbstractiveSummariser]
) -> None:
    loads: list[str] = []

    def loader(model: str) -> Generator:

        loads.append(model)
        return load_pipeline(model)

    summariser = _summariser(str(tmp_path / "no-such-model"), 30, extractive, loader=loader)
    closing.append(summariser)
    first = await summariser.summarise(TURNS)
    second = await summariser.summarise(TURNS)
    assert first.source == second.source == "extractive"
    assert first.note.startswith("load failed")
    assert second.note == first.note
    assert len(loads) == 1


async def test_grounded_output_is_used(
    extractive: ExtractiveSummariser, closing: list[AbstractiveSummariser]
) -> None:
    seen: list[Any] = []

    def generator(messages: Any, **kwargs: Any) -> Any:
        seen.append(messages)
        reply = "Maya wants more garlic in the soup. Ana asks to cook the soup before the party."
        return [{"generated_text": [*messages, {"role": "assistant", "content": reply}]}]

    summariser = _summariser("fake", 30, extractive, loader=lambda _model: generator)
    closing.append(summariser)
    summary = await summariser.summarise(TURNS, max_sentences=2)
    assert summary.source == "abstractive"
    assert summary.note == ""
    assert [s.text for s in summary.sentences] == [
        "Maya wants more garlic in the soup.",
        "Ana asks to cook the soup before the party.",
    ]
    roles = [m["role"] for m in seen[0]]
    assert roles == ["system", "user"]
    assert "Sam: I think the bread should rest" in seen[0][1]["content"]


async def test_a_busy_model_is_not_queued_behind(
    extractive: ExtractiveSummariser, closing: list[AbstractiveSummariser]
) -> None:
    release = threading.Event()

    def slow(messages: Any, **kwargs: Any) -> Any:
        release.wait(5)
        return [{"generated_text": "Maya wants garlic."}]

    summariser = _summariser("fake", 0.05, extractive, loader=lambda _model: slow)
    closing.append(summariser)
    first = await summariser.summarise(TURNS)
    second = await summariser.summarise(TURNS)
    release.set()
    assert first.note.startswith("timed out")
    assert second.note == "model busy"


async def test_a_model_error_falls_back(
    extractive: ExtractiveSummariser, closing: list[AbstractiveSummariser]
) -> None:
    def broken(messages: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory")

    summariser = _summariser("fake", 5, extractive, loader=lambda _model: broken)
    closing.append(summariser)
    summary = await summariser.summarise(TURNS)
    assert summary.source == "extractive"
    assert summary.note == "model failed: RuntimeError: out of memory"


@pytest.mark.parametrize(
    ("output", "ok", "reason"),
    [
        ("Maya wants more garlic in the soup.", True, ""),
        ("Maya and Bob want garlic.", False, "name not in transcript: Bob"),
        ("Sam says the bread rests for 3 hours.", False, "number not in transcript: 3"),
        ("The weather forecast predicts rainfall across northern regions.", False, "unsupported"),
        ("   ", False, "empty output"),
    ],
)
def test_grounding_check(output: str, ok: bool, reason: str) -> None:
    transcript = "\n".join(f"{t.speaker}: {t.text}" for t in TURNS)
    verdict = check_grounding(output, transcript)
    assert verdict.ok is ok
    assert verdict.reason.startswith(reason)
