"""The queue's rules, apart from chat: submit (with duplicate merging), vote, answer, rank.

Nothing here speaks to users; :mod:`facilitation.questions.module` and
:mod:`facilitation.questions.commands` turn outcomes into messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from bot.clock import Clock
from bot.embeddings import meaning
from facilitation.base import EmbedderProvider
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.memory import QuestionMemory
from facilitation.questions.pairs import content_words
from facilitation.questions.ranking import Ranked, rank
from facilitation.questions.store import Question, QuestionStore, States

__all__ = ["Asked", "Outcome", "QuestionQueue", "Tally", "for_matching"]

_WORD = re.compile(r"[a-z0-9']+")

for_matching = meaning
"""The words that carry a question's meaning (the core's :func:`bot.embeddings.meaning`)."""


@lru_cache(maxsize=4096)
def _vague(text: str) -> bool:
    """A question naming at most one thing once filler is set aside."""
    return len(content_words(for_matching(text))) <= 1


@dataclass(frozen=True, slots=True)
class Asked:
    """A question as it arrives: who, where, what."""

    session_id: int
    platform: str
    community: str
    channel: str
    thread: str | None
    asker: str
    asker_name: str
    text: str
    message_id: str | None
    source: str  # "ask", "detected" or "private"
    anonymous: bool = False
    exempt: bool = False  # staff are not rate-limited


@dataclass(frozen=True, slots=True)
class Outcome:
    """``kind``: added, pending, merged, merged_answered, repeat or limited.

    ``question`` is the one to name (for a merge, the question it joined).
    """

    kind: str
    question: Question | None = None
    also: int = 0
    similar: Question | None = None  # a possible duplicate, suggested to moderators


@dataclass(frozen=True, slots=True)
class Tally:
    votes: int
    also: int
    voices: frozenset[tuple[str, str]]  # everyone credited as asking


class QuestionQueue:
    """One queue per session, all state in the store."""

    def __init__(
        self,
        store: QuestionStore,
        cfg: QuestionsConfig,
        clock: Clock,
        embedder: EmbedderProvider,
        *,
        keep_anonymous: bool = False,
        person_of: Callable[[str, str], str] | None = None,
        memory: QuestionMemory,
    ) -> None:
        self.store = store
        # linked accounts (/link) are one person: one vote, and their own question
        self._person_of = person_of or (lambda platform, user: f"{platform}:{user}")
        self.cfg = cfg
        self._clock = clock
        self._embedder = embedder
        self._keep_anonymous = keep_anonymous
        self._vectors: dict[int, npt.NDArray[np.float32]] = {}
        self._memory = memory  # which question each asker deleted last, and when

    def forget_vector(self, qid: int) -> None:
        self._vectors.pop(qid, None)

    def _people(self, accounts: set[tuple[str, str]] | frozenset[tuple[str, str]]) -> set[str]:
        return {self._person_of(*a) if a[0] != "#row" else f"#row:{a[1]}" for a in accounts}

    async def tally(self, root: Question) -> Tally:
        group = [q for q in await self.store.group(root) if q.state != States.WITHDRAWN]
        voices = frozenset(q.voice for q in group)
        voters = await self.store.voters([q.id for q in group])
        askers = self._people(voices)
        return Tally(len(self._people(voters) - askers), len(askers) - 1, voices)

    async def submit(self, asked: Asked) -> Outcome:
        now = self._clock.now()
        if not asked.exempt:
            since = now - timedelta(seconds=self.cfg.rate_window_seconds)
            recent = await self.store.count_recent(
                asked.session_id, asked.platform, asked.asker, since
            )
            if recent >= self.cfg.max_per_person:
                return Outcome("limited")
        revived = await self._replace_deleted(asked)
        if revived is not None:
            return Outcome("added", revived)
        candidates = [
            q
            for q in await self.store.in_session(asked.session_id)
            if q.merged_into is None and (q.state in States.LIVE or q.state == States.ANSWERED)
        ]
        twin, similarity = await self._find_duplicate(asked.text, candidates)
        keep_asker = not asked.anonymous or self._keep_anonymous
        row = {
            "session_id": asked.session_id,
            "platform": asked.platform,
            "community": asked.community,
            "channel": asked.channel,
            "thread": asked.thread,
            "asker": asked.asker if keep_asker else None,
            "asker_name": "" if asked.anonymous else asked.asker_name,
            "anonymous": int(asked.anonymous),
            "text": asked.text,
            "original_text": asked.text,
            "message_id": asked.message_id,
            "source": asked.source,
            "asked_at": now.isoformat(),
        }
        if twin is not None and similarity >= self.cfg.duplicate_threshold:
            tally = await self.tally(twin)
            if (asked.platform, asked.asker) in tally.voices:
                # kept (merged) so the message still stands for the question
                await self.store.add({**row, "state": States.MERGED, "merged_into": twin.id})
                return Outcome("repeat", twin)
            await self.store.add({**row, "state": States.MERGED, "merged_into": twin.id})
            # an earlier vote by this person is not counted twice: tally() counts
            # voters who are not also askers
            kind = "merged_answered" if twin.state == States.ANSWERED else "merged"
            return Outcome(kind, twin, (await self.tally(twin)).also)
        state = States.PENDING if self.cfg.premoderation else States.OPEN
        q = await self.store.add({**row, "state": state})
        if twin is not None and similarity >= self.cfg.suggest_threshold:
            await self.store.suggest(q.id, twin.id, similarity, now)
            return Outcome("pending" if state == States.PENDING else "added", q, similar=twin)
        return Outcome("pending" if state == States.PENDING else "added", q)

    async def _replace_deleted(self, asked: Asked) -> Question | None:
        """A question reposted within ten minutes of deleting one takes its place (and votes)."""
        found = self._memory.deleted(asked.session_id, asked.platform, asked.asker)
        if found is not None:
            await self._memory.set_deleted(asked.session_id, asked.platform, asked.asker, None)
        if found is None or self._clock.now() - found[1] > timedelta(minutes=10):
            return None
        q = await self.store.by_id(found[0])
        if q is None or q.state != States.DELETED:
            return None
        state = States.PENDING if self.cfg.premoderation else States.OPEN
        await self.store.update(
            q.id,
            text=asked.text,
            original_text=asked.text,
            message_id=asked.message_id,
            state=state,
        )
        if asked.message_id:
            await self.store.map_message(asked.platform, asked.message_id, q.id, "asked")
        self.forget_vector(q.id)
        return await self.store.by_id(q.id)

    async def _find_duplicate(
        self, text: str, candidates: list[Question]
    ) -> tuple[Question | None, float]:
        """The most similar earlier question and its similarity (MiniLM cosine).

        Without models only near-identical wording counts (word overlap >= 0.9).
        """
        if not candidates:
            return None, 0.0
        emb = await self._embedder.get() if self.cfg.duplicate_threshold < 1 else None
        if emb is None:
            mine = set(_WORD.findall(text.lower()))
            for q in candidates:
                theirs = set(_WORD.findall(q.text.lower()))
                union = mine | theirs
                if union and len(mine & theirs) / len(union) >= 0.9:
                    return q, 1.0
            return None, 0.0
        missing = [q for q in candidates if q.id not in self._vectors]
        # The message's one vector, shared with the other modules (bot.embeddings).
        vecs = await emb.messages([text, *(q.text for q in missing)])
        for q, vec in zip(missing, vecs[1:], strict=True):
            self._vectors[q.id] = vec
        matrix = np.stack([self._vectors[q.id] for q in candidates])
        sims = matrix @ vecs[0]
        if _vague(text):
            # two vague questions ("how do i find out?", "is that right?") look alike to
            # the model whatever they ask about: never a duplicate of one another
            sims = np.where([_vague(q.text) for q in candidates], -1.0, sims)
        best = int(np.argmax(sims))
        return candidates[best], float(sims[best])

    async def vote(self, q: Question, platform: str, voter: str, via: str) -> str:
        """``counted``, ``own``, ``already`` or ``closed``."""
        root = await self.store.root(q)
        if root.state not in States.LIVE:
            return "closed"
        tally = await self.tally(root)
        person = self._person_of(platform, voter)
        if person in self._people(tally.voices):
            return "own"
        voters = await self.store.voters([g.id for g in await self.store.group(root)])
        if person in self._people(voters):
            return "already"
        added = await self.store.add_vote(root.id, platform, voter, via, self._clock.now())
        return "counted" if added else "already"

    async def unvote(self, q: Question, platform: str, voter: str) -> bool:
        root = await self.store.root(q)
        removed = False
        for member in await self.store.group(root):
            removed = (
                await self.store.remove_vote(member.id, platform, voter, "reaction") or removed
            )
        return removed

    async def ranked(self, session_id: int) -> list[Ranked]:
        questions = await self.store.in_session(session_id)
        heard = await self.store.answered_voices(session_id)
        entries = []
        for q in questions:
            if q.state not in States.QUEUED:
                continue
            tally = await self.tally(q)
            entries.append((q, tally.votes, tally.also, q.voice not in heard))
        return rank(entries, self._clock.now(), self.cfg)
