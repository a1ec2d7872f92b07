"""Abstractive summaries with any text-generation chat model, never trusted blindly.

The model (a hub name or a local folder) loads lazily through transformers'
``pipeline("text-generation")`` in one worker thread, so the event loop never
blocks. Every call has a time-out. The extractive summariser answers instead
when the model cannot load, raises, runs out of time, is still busy with an
earlier call, or writes something the transcript does not support
(:mod:`facilitation.summaries.grounding`).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from facilitation.summaries.extractive import ExtractiveSummariser
from facilitation.summaries.grounding import check_grounding
from facilitation.summaries.prompts import AbstractivePrompt
from facilitation.summaries.summary import Summary, SummarySentence, Turn

__all__ = ["AbstractiveSummariser", "Generator", "load_pipeline"]

Generator = Callable[..., Any]
"""Called as ``generator(messages, max_new_tokens=..., do_sample=False)``, like a pipeline."""

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def load_pipeline(model: str) -> Generator:
    """A CPU ``text-generation`` pipeline for ``model`` (hub name or local folder)."""
    from transformers import pipeline  # noqa: PLC0415  # lazy: transformers takes seconds to import; only with an abstractive model

    return pipeline("text-generation", model=model, device="cpu")


class AbstractiveSummariser:
    """Summarises with a chat model, falling back to extractive summaries.

    Args:
        model: a hub name or a local folder of a chat (causal LM) model.
        timeout_s: seconds one call may take, loading included.
        fallback: answers whenever the model cannot be trusted or is too slow.
        prompt_template: the chat prompt; a plain string is the user message.
        max_new_tokens: generation length cap.
        max_transcript_chars: transcript given to the model at most; a long one
            keeps evenly spaced lines (small models have small context windows).
        min_support: share of content words that must occur in the transcript.
        loader: builds the generator from ``model``; tests may pass a fake.
    """

    def __init__(
        self,
        model: str,
        timeout_s: float,
        fallback: ExtractiveSummariser,
        prompt_template: AbstractivePrompt | str,
        *,
        max_new_tokens: int = 160,
        max_transcript_chars: int = 6000,
        min_support: float = 0.7,
        loader: Callable[[str], Generator] = load_pipeline,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.fallback = fallback
        if isinstance(prompt_template, str):
            prompt_template = AbstractivePrompt(system="", user=prompt_template)
        self.prompt = prompt_template
        self.max_new_tokens = max_new_tokens
        self.max_transcript_chars = max_transcript_chars
        self.min_support = min_support
        self._loader = loader
        self._generator: Generator | None = None
        self._load_error: str | None = None
        self._load_lock = threading.Lock()
        self._busy = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarise")

    async def summarise(
        self, turns: Sequence[Turn], max_sentences: int = 3, max_words: int | None = None
    ) -> Summary:
        """Summarise ``turns``; ``source`` and ``note`` say which path answered and why.

        Args:
            turns: the discussion, in order.
            max_sentences: sentences asked for.
            max_words: words at most; longer model output is trimmed.
        """
        if self._load_error is not None:
            return self._fall_back(turns, max_sentences, max_words, self._load_error)
        if self._busy:
            # A timed-out call still holds the worker thread; queueing would pile up.
            return self._fall_back(turns, max_sentences, max_words, "model busy")
        transcript = self._transcript(turns)
        messages = self._messages(transcript, max_sentences, max_words)
        loop = asyncio.get_running_loop()
        self._busy = True
        job = loop.run_in_executor(self._pool, self._generate, messages)
        # A timed-out job may fail later, with nobody awaiting it: read its error.
        job.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            output = await asyncio.wait_for(asyncio.shield(job), self.timeout_s)
        except TimeoutError:
            return self._fall_back(
                turns, max_sentences, max_words, f"timed out ({self.timeout_s:g} s)"
            )
        except Exception as exc:  # the model's failure must not reach the caller
            return self._fall_back(turns, max_sentences, max_words, _failure(exc, self._load_error))
        verdict = check_grounding(output, transcript, self.min_support)
        if not verdict.ok:
            return self._fall_back(turns, max_sentences, max_words, f"ungrounded: {verdict.reason}")
        return self._summary(output, turns, max_words)

    def close(self) -> None:
        """Stop the worker thread (a running generation finishes first)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _generate(self, messages: list[dict[str, str]]) -> str:
        try:
            generator = self._ensure_loaded()
            result = generator(messages, max_new_tokens=self.max_new_tokens, do_sample=False)
            return generated_text(result).strip()
        finally:
            # Cleared by the worker itself: the loop that asked may be gone by now.
            self._busy = False

    def _ensure_loaded(self) -> Generator:
        with self._load_lock:
            if self._generator is None:
                try:
                    self._generator = self._loader(self.model)
                except Exception as exc:
                    self._load_error = f"load failed: {type(exc).__name__}: {exc}"[:300]
                    raise
            return self._generator

    def _transcript(self, turns: Sequence[Turn]) -> str:
        lines = [self.prompt.line.format(speaker=t.speaker, text=t.text) for t in turns]
        total = sum(len(line) + 1 for line in lines)
        if total > self.max_transcript_chars:
            step = total / self.max_transcript_chars
            lines = [lines[int(i * step)] for i in range(int(len(lines) / step))]
        return "\n".join(lines)

    def _messages(
        self, transcript: str, max_sentences: int, max_words: int | None
    ) -> list[dict[str, str]]:
        user = self.prompt.user.format(
            transcript=transcript,
            max_sentences=max_sentences,
            max_words=max_words or 25 * max_sentences,
        )
        messages = [{"role": "user", "content": user}]
        if self.prompt.system:
            messages.insert(0, {"role": "system", "content": self.prompt.system})
        return messages

    def _summary(self, output: str, turns: Sequence[Turn], max_words: int | None) -> Summary:
        text = " ".join(output.split())
        if max_words is not None and len(text.split()) > max_words:
            text = " ".join(text.split()[:max_words]) + "…"
        sentences = tuple(SummarySentence(text=s) for s in _SENTENCE_RE.split(text) if s)
        keyphrases = self.fallback.keyphrases(turns)
        return Summary(sentences, keyphrases=keyphrases, text=text, source="abstractive")

    def _fall_back(
        self, turns: Sequence[Turn], max_sentences: int, max_words: int | None, why: str
    ) -> Summary:
        summary = self.fallback.summarise(turns, max_sentences, max_words)
        return replace(summary, source="extractive", note=why)


def generated_text(result: Any) -> str:
    """The assistant's reply from a pipeline result (chat or plain-text form)."""
    item = result[0] if isinstance(result, list) and result else result
    text = item.get("generated_text", "") if isinstance(item, dict) else item
    if isinstance(text, list):  # chat input: the whole conversation comes back
        last = text[-1] if text else {}
        return str(last.get("content", "")) if isinstance(last, dict) else str(last)
    return str(text)


def _failure(exc: Exception, load_error: str | None) -> str:
    return load_error or f"model failed: {type(exc).__name__}: {exc}"[:300]
