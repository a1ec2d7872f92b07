"""Online conversation disentanglement: link each message as it arrives.

Each message is linked to the earlier message it responds to, or to itself when
it starts a new conversation, looking only at the last ``window`` messages and
never at later ones. Platform reply links and native threads are trusted as they
are; otherwise a learned scorer (see ``scorer.py``) weighs addressing, mentions,
same-speaker continuity, timing, question/answer shape and meaning (MiniLM
embeddings) against every candidate.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from bot.embeddings import AsyncEmbedder, Embedder
from facilitation.threads.features import History, Query
from facilitation.threads.message import Link, ThreadMessage
from facilitation.threads.nicks import NickBook
from facilitation.threads.scorer import Scorer

__all__ = ["DEFAULT_BOTS", "Disentangler"]

FloatArray = npt.NDArray[np.float32]
DEFAULT_BOTS = frozenset({"ubottu", "ubotu"})


def _minutes(ts: datetime) -> float:
    aware = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    return aware.timestamp() / 60.0


class _Bounded(OrderedDict[str, str]):
    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def put(self, key: str, value: str) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > self.capacity:
            self.popitem(last=False)


class Disentangler:
    """Links the messages of one channel, in arrival order.

    Args:
        scorer: the learned pair scorer (``Scorer.load()`` for the shipped one).
        embedder: turns texts into vectors; ``None`` turns meaning off.
        window: how many earlier messages are candidates.
        bots: author names of bots (their messages are scored as such).
        second_link: also link the runner-up candidate when its probability is at
            least this (a message may answer two people); ``None`` never does.
        memory: how many message ids keep their conversation id for reply links
            to messages that left the window.
    """

    def __init__(
        self,
        scorer: Scorer,
        embedder: Embedder | None = None,
        *,
        window: int = 100,
        bots: frozenset[str] = DEFAULT_BOTS,
        second_link: float | None = None,
        memory: int = 20000,
    ) -> None:
        self.scorer = scorer
        self.embedder = embedder
        self.dim = embedder.dim if embedder is not None else 384
        self.history = History(window, self.dim)
        self.nicks = NickBook(scorer.reserved)
        self.bots = frozenset(b.lower() for b in bots)
        self.second_link = second_link
        self._authors: dict[str, int] = {}
        self._ids: deque[str] = deque(maxlen=window)
        self._in_thread: deque[bool] = deque(maxlen=window)
        self._conversation = _Bounded(memory)
        self._thread_last = _Bounded(memory)
        self._last_minutes = 0.0

    # -- public API -------------------------------------------------------
    def link(self, msg: ThreadMessage, embedding: FloatArray | None = None) -> Link:
        """Decide ``msg`` now, from the messages before it."""
        emb = embedding if embedding is not None else self.embed([msg])[0]
        return self._decide(msg, emb)

    def link_many(
        self, msgs: Sequence[ThreadMessage], embeddings: FloatArray | None = None
    ) -> list[Link]:
        """Link a batch in order, embedding it in one pass.

        Each message is still decided from the earlier ones only: the batch
        changes how embeddings are computed, never a decision.
        """
        embs = embeddings if embeddings is not None else self.embed(msgs)
        return [self._decide(m, e) for m, e in zip(msgs, embs, strict=True)]

    async def alink_many(
        self, msgs: Sequence[ThreadMessage], embedder: AsyncEmbedder
    ) -> list[Link]:
        """:meth:`link_many` with the embeddings computed off the event loop."""
        texts = [self._text(m) for m in msgs]
        vecs = await embedder.embed([t for t in texts if t])
        return self.link_many(msgs, self._scatter(texts, vecs))

    def embed(self, msgs: Sequence[ThreadMessage]) -> FloatArray:
        """Vectors for ``msgs`` (zeros for system lines, or when meaning is off)."""
        texts = [self._text(m) for m in msgs]
        if self.embedder is None:
            return np.zeros((len(msgs), self.dim), np.float32)
        return self._scatter(texts, self.embedder.embed([t for t in texts if t]))

    def conversation_of(self, message_id: str) -> str | None:
        """The conversation id given to ``message_id`` (while remembered)."""
        return self._conversation.get(message_id)

    # -- steps, also used by training ----------------------------------------
    def observe(self, msg: ThreadMessage, emb: FloatArray) -> Query:
        """Turn ``msg`` into the facts features need (learns its nick first)."""
        author = self._authors.setdefault(msg.author, len(self._authors))
        if not msg.system or msg.author:
            self.nicks.add(msg.author, msg.author)
            if msg.author_name:
                self.nicks.add(msg.author_name, msg.author)
        named, opens = self.nicks.targets(msg.text) if not msg.system else (frozenset(), False)
        named = named | frozenset(msg.mentions)
        targets = frozenset(self._authors.setdefault(a, len(self._authors)) for a in named)
        targets = targets - {author}
        if msg.ts is not None:
            self._last_minutes = _minutes(msg.ts)
        name = (msg.author_name or msg.author).lower()
        return self.history.query(
            author=author,
            minutes=self._last_minutes,
            system=msg.system,
            bot=name in self.bots,
            text=msg.text,
            targets=targets,
            opens=opens,
            emb=emb,
        )

    def commit(self, msg: ThreadMessage, q: Query, antecedents: tuple[str, ...]) -> Link:
        """Record the decision for ``msg`` and add it to the window."""
        first = antecedents[0]
        conversation = msg.id if first == msg.id else self._conversation.get(first, first)
        self._conversation.put(msg.id, conversation)
        if msg.thread is not None:
            self._thread_last.put(msg.thread, msg.id)
        self.history.push(q)
        self._ids.append(msg.id)
        self._in_thread.append(msg.thread is not None)
        return Link(msg.id, antecedents, conversation)

    def candidate_ids(self, positions: npt.NDArray[np.int64], msg: ThreadMessage) -> list[str]:
        """Message ids for feature-row positions (the last one is ``msg`` itself)."""
        base = self.history.count - len(self._ids)
        return [self._ids[int(p) - base] for p in positions[:-1]] + [msg.id]

    # -- internals -------------------------------------------------------
    def _text(self, msg: ThreadMessage) -> str:
        return "" if msg.system else msg.text.strip()

    def _scatter(self, texts: list[str], vecs: FloatArray) -> FloatArray:
        out = np.zeros((len(texts), self.dim), np.float32)
        rows = [i for i, t in enumerate(texts) if t]
        if rows:
            out[rows] = vecs
        return out

    def _trusted(self, msg: ThreadMessage) -> tuple[str, str] | None:
        if msg.reply_to is not None and msg.reply_to != msg.id:
            return msg.reply_to, "reply"
        if msg.thread is not None:
            last = self._thread_last.get(msg.thread)
            if last is not None:
                return last, "thread"
            if msg.thread in self._conversation:
                return msg.thread, "thread"
        return None

    def _decide(self, msg: ThreadMessage, emb: FloatArray) -> Link:
        q = self.observe(msg, emb)
        trusted = self._trusted(msg)
        if trusted is not None:
            link = self.commit(msg, q, (trusted[0],))
            return Link(link.message_id, link.antecedents, link.conversation, 1.0, trusted[1])
        positions, x = self.history.features(q)
        probs = self.scorer.probabilities(x)
        if msg.thread is None and any(self._in_thread):
            # a message in the main channel does not answer one inside a native thread
            mask = np.append(np.fromiter(self._in_thread, bool), False)
            probs = np.where(mask, 0.0, probs).astype(np.float32)
        ids = self.candidate_ids(positions, msg)
        ranked = np.argsort(-probs)
        best = int(ranked[0])
        chosen = [ids[best]]
        if self.second_link is not None and len(ranked) > 1:
            runner = int(ranked[1])
            if probs[runner] >= self.second_link and ids[runner] != msg.id and best != len(ids) - 1:
                chosen.append(ids[runner])
        link = self.commit(msg, q, tuple(chosen))
        return Link(link.message_id, link.antecedents, link.conversation, float(probs[best]))
