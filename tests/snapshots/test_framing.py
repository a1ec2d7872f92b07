"""Framing: templates cite the source; a model's rephrasing is checked or dropped."""

from __future__ import annotations

import threading
from typing import Any

from bot.prompts import Prompts
from facilitation.snapshots.framing import Framer, ModelRephraser
from facilitation.snapshots.store import StoredPassage

PASSAGE = StoredPassage(
    7,
    "default",
    "Too hot to sleep",
    "https://example.org/sleep",
    "/r/sleep.pdf",
    "Findings",
    3,
    "Top-floor bedrooms went over 28°C on 41% of summer nights.",
)


async def test_quoted_as_is_with_title_section_page_and_link() -> None:
    text = await Framer(Prompts.load()).frame(PASSAGE, "auto")
    assert text == (
        "📚 From the research: Top-floor bedrooms went over 28°C on 41% of summer nights.\n"
        "— Too hot to sleep, section “Findings”, page 3 (https://example.org/sleep)"
    )


def _rephraser(reply: str | Exception, **kw: Any) -> ModelRephraser:
    def generator(messages: list[dict[str, str]], **_: Any) -> Any:
        assert "41% of summer nights" in messages[-1]["content"]
        if isinstance(reply, Exception):
            raise reply
        return [{"generated_text": [*messages, {"role": "assistant", "content": reply}]}]

    return ModelRephraser("tiny", Prompts.load(), loader=lambda _m: generator, **kw)


async def test_grounded_rephrasing_is_used_and_the_original_kept() -> None:
    model = _rephraser("Top-floor bedrooms were too hot on 41% of summer nights.")
    try:
        text = await Framer(Prompts.load(), model).frame(PASSAGE, "auto")
    finally:
        model.close()
    assert "in short: Top-floor bedrooms were too hot on 41% of summer nights." in text
    assert "“Top-floor bedrooms went over 28°C on 41% of summer nights.”" in text
    assert "(https://example.org/sleep)" in text


async def test_invented_numbers_errors_and_timeouts_fall_back_to_quoting() -> None:
    for reply in ("Top-floor bedrooms were too hot on 90% of nights.", RuntimeError("boom")):
        model = _rephraser(reply)
        try:
            assert await model.rephrase(PASSAGE.text) is None
        finally:
            model.close()
    release = threading.Event()

    def slow(messages: list[dict[str, str]], **_: Any) -> Any:
        release.wait(5)
        return [{"generated_text": "Top-floor bedrooms were hot."}]

    model = ModelRephraser("tiny", Prompts.load(), timeout_s=0.05, loader=lambda _m: slow)
    try:
        assert await model.rephrase(PASSAGE.text) is None
        assert await model.rephrase(PASSAGE.text) is None  # still busy: no pile-up
    finally:
        release.set()
        model.close()
