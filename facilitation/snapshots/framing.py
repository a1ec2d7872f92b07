"""How a passage is said in the chat: a template from prompts/, its source always cited.

With a generative model configured, the passage may also be said in plainer
words, but the original passage and its source stay in the message. A
rephrasing that adds numbers or names the passage doesn't have, that times
out or that fails, is dropped and the passage is quoted as it is.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, Protocol

from bot.prompts import Prompts
from facilitation.snapshots.store import StoredPassage
from facilitation.summaries.abstractive import generated_text as _generated_text
from facilitation.summaries.abstractive import load_pipeline
from facilitation.summaries.grounding import check_grounding

__all__ = ["Framer", "ModelRephraser", "Rephraser", "Trigger"]

log = logging.getLogger("roundtable.snapshots")

Trigger = Literal["auto", "request", "scheduled"]
Generator = Callable[..., Any]


class Rephraser(Protocol):
    async def rephrase(self, text: str) -> str | None:
        """The passage in plain words, or ``None`` to quote it as it is."""
        ...


class Framer:
    """Fills the snapshot templates (``prompts/snapshots.toml``)."""

    def __init__(self, prompts: Prompts, rephraser: Rephraser | None = None) -> None:
        self._prompts = prompts
        self._rephraser = rephraser

    def source(self, passage: StoredPassage) -> str:
        """ "Title, section “A › B”, page 3 (link)": where the passage came from, once."""
        page = self._prompts("snapshots.page", page=passage.page) if passage.page else ""
        title = passage.title
        if passage.heading:
            title = self._prompts("snapshots.source_section", title=title, section=passage.heading)
        where = ", ".join(part for part in (title, page) if part)
        if passage.url:
            return self._prompts("snapshots.source_link", where=where, url=passage.url)
        return where

    async def frame(self, passage: StoredPassage, trigger: Trigger) -> str:
        plain = await self._rephraser.rephrase(passage.text) if self._rephraser else None
        key = f"snapshots.{trigger}" + ("_plain" if plain else "")
        return self._prompts(key, text=passage.text, plain=plain or "", source=self.source(passage))


class ModelRephraser:
    """Plain-language rephrasing with a text-generation chat model, never trusted blindly.

    Args:
        model: a hub name or local folder, loaded on first use in a worker thread.
        prompts: holds ``snapshots.rephrase_system`` and ``snapshots.rephrase_user``.
        timeout_s: past this, the passage is quoted as it is.
        loader: builds the generator (tests pass a fake).
    """

    def __init__(
        self,
        model: str,
        prompts: Prompts,
        *,
        timeout_s: float = 20.0,
        max_new_tokens: int = 120,
        loader: Callable[[str], Generator] | None = None,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_new_tokens = max_new_tokens
        self._prompts = prompts
        self._loader = loader
        self._generator: Generator | None = None
        self._load_lock = threading.Lock()
        self._busy = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rephrase")

    async def rephrase(self, text: str) -> str | None:
        if self._busy:
            return None  # a timed-out call still holds the worker; don't pile up
        messages = [
            {"role": "system", "content": self._prompts("snapshots.rephrase_system")},
            {"role": "user", "content": self._prompts("snapshots.rephrase_user", text=text)},
        ]
        self._busy = True
        job = asyncio.get_running_loop().run_in_executor(self._pool, self._generate, messages)
        job.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            output = await asyncio.wait_for(asyncio.shield(job), self.timeout_s)
        except TimeoutError:
            log.warning("rephrasing timed out after %g s; quoting instead", self.timeout_s)
            return None
        except Exception as exc:
            log.warning("rephrasing failed (%s); quoting instead", exc)
            return None
        return self._checked(output, text)

    def _checked(self, output: str, text: str) -> str | None:

        output = " ".join(output.split())
        if not output or len(output) > 1.5 * len(text):
            return None
        verdict = check_grounding(output, text, min_support=0.5)
        if not verdict.ok:
            log.info("rephrasing dropped: %s", verdict.reason)
            return None
        return output

    def _generate(self, messages: list[dict[str, str]]) -> str:
        try:
            with self._load_lock:
                if self._generator is None:
                    if self._loader is None:
                        self._loader = load_pipeline
                    self._generator = self._loader(self.model)
            result = self._generator(messages, max_new_tokens=self.max_new_tokens, do_sample=False)
            return _generated_text(result).strip()
        finally:
            self._busy = False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
