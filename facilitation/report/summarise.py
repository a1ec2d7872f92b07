"""The summariser the report uses: extractive by default, abstractive when configured.

Summaries run off the event loop. Without an embedding model (models switched
off) a summary falls back to the key phrases and the most appreciated messages,
so a report is still written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.embeddings import Embedder
from bot.prompts import Prompts
from facilitation.base import EmbedderProvider
from facilitation.report.config import ReportConfig
from facilitation.summaries import (
    AbstractiveSummariser,
    ExtractiveSettings,
    ExtractiveSummariser,
    KeyphraseExtractor,
    Summary,
    SummarySentence,
    Turn,
    summary_prompts_from,
)

__all__ = ["ReportSummariser", "fallback_summary"]


def fallback_summary(turns: Sequence[Turn], max_sentences: int, keyphrases: int = 8) -> Summary:
    """Key phrases and the most appreciated (then longest) messages, quoted."""
    phrases = KeyphraseExtractor(top=keyphrases).extract([t.text for t in turns])
    ranked = sorted(
        range(len(turns)),
        key=lambda i: (-turns[i].weight, -min(len(turns[i].text.split()), 30), i),
    )
    picked = sorted(i for i in ranked[:max_sentences] if len(turns[i].text.split()) >= 4)
    sentences = tuple(
        SummarySentence(
            text=f'{turns[i].speaker}: "{_short(turns[i].text)}"',
            source=turns[i].text,
            speaker=turns[i].speaker,
            message_id=turns[i].message_id,
            turn_index=i,
        )
        for i in picked
    )
    text = " ".join(s.text for s in sentences)
    return Summary(sentences, keyphrases=phrases, text=text, note="no embedding model")


def _short(text: str, words: int = 40) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + "…"


class ReportSummariser:
    """Summarises turns for digests and reports, never on the event loop.

    Args:
        cfg: the ``[report]`` section (``summariser`` and ``timeout_seconds``).
        embedder: the shared embedding model provider.
        prompts: the prompt book (framing and abstractive prompt).
    """

    def __init__(self, cfg: ReportConfig, embedder: EmbedderProvider, prompts: Prompts) -> None:
        self.cfg = cfg
        self._provider = embedder
        self._framing, self._prompt = summary_prompts_from(prompts)
        self._extractive: ExtractiveSummariser | None = None
        self._abstractive: AbstractiveSummariser | None = None

    async def _get(self) -> ExtractiveSummariser | None:
        if self._extractive is None:
            found = await self._provider.get()
            if found is None:
                return None
            inner: Embedder = found.embedder
            # No bonus for early sentences: an event opens with greetings, not its topic.
            settings = ExtractiveSettings(position_weight=0.0)
            # Built off the loop: it loads its lexicon as the provider loads the model.
            self._extractive = await asyncio.to_thread(
                ExtractiveSummariser, inner, framing=self._framing, settings=settings
            )
            if self.cfg.summariser != "extractive":
                self._abstractive = AbstractiveSummariser(
                    self.cfg.summariser,
                    self.cfg.timeout_seconds,
                    self._extractive,
                    self._prompt,
                )
        return self._extractive

    async def summarise(
        self, turns: Sequence[Turn], max_sentences: int, max_words: int | None = None
    ) -> Summary:
        """A summary of ``turns``; ``note`` says when a fallback answered."""
        extractive = await self._get()
        if extractive is None:
            return await asyncio.to_thread(fallback_summary, list(turns), max_sentences)
        if self._abstractive is not None:
            return await self._abstractive.summarise(turns, max_sentences, max_words)
        return await asyncio.to_thread(extractive.summarise, list(turns), max_sentences, max_words)

    async def gist(
        self, turns: Sequence[Turn], max_words: int = 30, focus: Sequence[str] = ()
    ) -> Summary:
        """One sentence for one conversation (always extractive: cheap and grounded).

        With ``focus`` (the conversation's label), the sentence is one about it.
        """
        extractive = await self._get()
        if extractive is None:
            return await asyncio.to_thread(fallback_summary, list(turns), 1, 3)
        return await asyncio.to_thread(
            extractive.summarise, list(turns), 1, max_words, tuple(focus)
        )

    async def keyphrases(self, turns: Sequence[Turn], top: int = 15) -> tuple[str, ...]:
        """The key phrases of ``turns`` (no model needed)."""
        texts = [t.text for t in turns]
        return await asyncio.to_thread(KeyphraseExtractor(top=top).extract, texts)

    def close(self) -> None:
        if self._abstractive is not None:
            self._abstractive.close()
