"""Forgetting a person: a registry of every store that holds personal data.

Each component that keeps something about people (the participation log, the
question queue, snapshots, ideas, the ledger, files on disk) registers a
:class:`Forgettable`: it says what it remembers of someone (their names and
the phrases they wrote, so others' copies can be found) and how to forget them.
Nobody deletes rows from another component's tables. When someone opts out:

1. every store is asked to :meth:`~Forgettable.recall` the person, and the
   answers make one :class:`Person` (their id, names and distinctive phrases);
2. every store :meth:`~Forgettable.forget`\\ s them: their rows go, and in what
   remains (others' messages, the bot's own posts quoting them) names become
   ``[name removed]`` and their phrases ``[removed]`` (:meth:`Person.scrub`);
3. the database is scrubbed (:meth:`bot.store.Database.scrub`): free pages
   zeroed, the WAL checkpointed and truncated, so deleted text is not left in
   the file;
4. every :class:`Republisher` rewrites the files it wrote earlier (reports,
   then the bundles that copy reports in), from the store, without the person.

This is a direct call, not a bus event: a bus event is stored in the log, and
the log must not keep who was forgotten.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotation only: bot.store's personal-data readers import this module
    from bot.store.db import Database

__all__ = [
    "REMOVED",
    "REMOVED_NAME",
    "Forgettable",
    "Person",
    "PersonalData",
    "Recall",
    "Republisher",
    "name_patterns",
    "phrases_of",
]

log = logging.getLogger("roundtable.privacy")

REMOVED_NAME = "[name removed]"
REMOVED = "[removed]"
MIN_NAME = 3
"""Names shorter than this are not searched for: they match inside ordinary words."""
MIN_PHRASE = 16
"""Fragments shorter than this are common words ("thanks", "me too"), not theirs."""

_FRAGMENT_SPLIT = re.compile(r"[.!?;,:\n]+|\s[-–—]\s")
_TOKEN = re.compile(r"\w+")
SHINGLE = 6
"""A run of this many of the person's words, found in another text, is a quote of them."""


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = [m.group(0).lower() for m in _TOKEN.finditer(text)]
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def phrases_of(text: str | None) -> set[str]:
    """The distinctive phrases of a text: the whole of it and each clause long enough.

    A digest or a bot post may quote one clause of a message, so clauses are
    searched for as well as whole messages.
    """
    if not text:
        return set()
    found = {text.strip()} if len(text.strip()) >= MIN_PHRASE else set()
    for part in _FRAGMENT_SPLIT.split(text):
        part = part.strip()
        if len(part) >= MIN_PHRASE:
            found.add(part)
    return found


def name_patterns(names: Iterable[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Whole-word patterns for names (``@name`` too), longest first."""
    unique = {n.strip() for n in names if len(n.strip()) >= MIN_NAME}
    return [
        (n, re.compile(rf"(?<!\w)@?{re.escape(n)}(?!\w)", re.IGNORECASE))
        for n in sorted(unique, key=len, reverse=True)
    ]


@dataclass(frozen=True)
class Recall:
    """What a store remembers that identifies a person in others' data."""

    names: frozenset[str] = frozenset()
    phrases: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Person:
    """Someone being forgotten: who they are on one platform, and how they show up.

    ``names`` are their display names and first names; ``phrases`` what they
    wrote (kept only for this call, never stored). ``keep_questions``: their
    questions stay, without a name.
    """

    platform: str
    user: str
    names: frozenset[str] = frozenset()
    phrases: frozenset[str] = frozenset()
    keep_questions: bool = False
    _patterns: list[tuple[str, re.Pattern[str]]] = field(
        default_factory=list, compare=False, repr=False
    )
    _phrase_re: list[re.Pattern[str]] = field(default_factory=list, compare=False, repr=False)
    _quotes: set[tuple[str, ...]] = field(default_factory=set, compare=False, repr=False)

    def __post_init__(self) -> None:
        for phrase in self.phrases:
            self._quotes.update(_shingles(phrase))
        names = set(self.names)
        for n in self.names:  # "Cat Jones" is also "Cat" in others' messages
            first = n.split()[0] if n.split() else ""
            names.add(first)
        self._patterns.extend(name_patterns(names - {self.user}))
        ordered = sorted(self.phrases, key=len, reverse=True)
        for start in range(0, len(ordered), 200):  # one alternation per 200 phrases
            chunk = ordered[start : start + 200]
            self._phrase_re.append(re.compile("|".join(re.escape(p) for p in chunk), re.IGNORECASE))

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.user)

    @property
    def searchable(self) -> bool:
        """Whether there is anything to look for in others' text (names or phrases)."""
        return bool(self._patterns or self._phrase_re or self._quotes)

    def scrub(self, text: str) -> str:
        """``text`` without this person's phrases and names."""
        if not text:
            return text
        text = self._unquote(text)
        for pattern in self._phrase_re:
            text = pattern.sub(REMOVED, text)
        for _, pattern in self._patterns:
            text = pattern.sub(REMOVED_NAME, text)
        return text

    def _unquote(self, text: str) -> str:
        """Replace every run of words shared with the person's texts (six words or more)."""
        if not self._quotes:
            return text
        words = list(_TOKEN.finditer(text))
        covered = [False] * len(words)
        lowered = [w.group(0).lower() for w in words]
        for i in range(len(words) - SHINGLE + 1):
            if tuple(lowered[i : i + SHINGLE]) in self._quotes:
                covered[i : i + SHINGLE] = [True] * SHINGLE
        if not any(covered):
            return text
        out, last, i = [], 0, 0
        while i < len(words):
            if not covered[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(words) and covered[j + 1]:
                j += 1
            out.append(text[last : words[i].start()] + REMOVED)
            last = words[j].end()
            i = j + 1
        out.append(text[last:])
        return "".join(out)

    def mentions(self, text: str | None) -> bool:
        """Whether ``text`` still holds a trace of this person (a name or phrase)."""
        return bool(text) and self.scrub(text or "") != text


class Forgettable(Protocol):
    """A store that holds personal data (rows in its own tables)."""

    name: str

    async def recall(self, platform: str, user: str) -> Recall:
        """The names and phrases of ``user`` this store holds (before anything is forgotten)."""
        ...

    async def forget(self, person: Person) -> Mapping[str, int]:
        """Remove the person's rows and scrub their traces from the rest; return counts."""
        ...


class Republisher(Protocol):
    """Something that wrote files holding personal data, and can rewrite them.

    ``copies_others`` is true for bundles that include other components' files
    (an export copies the report in): they are rewritten after the others.
    """

    name: str
    copies_others: bool

    async def republish(self, person: Person) -> list[Path]:
        """Rewrite (or delete) the files written earlier; return the paths touched."""
        ...


class PersonalData:
    """The registry: every store and writer of personal data, and forgetting across them."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._stores: list[Forgettable] = []
        self._writers: list[Republisher] = []
        self._opted_out: list[Callable[[str, str], bool]] = []

    def register(self, store: Forgettable) -> None:
        self._stores.append(store)

    def register_optouts(self, check: Callable[[str, str], bool]) -> None:
        """Who keeps the opt-out list says here how to ask it (``check(platform, user)``)."""
        self._opted_out.append(check)

    def opted_out(self, platform: str, user: str) -> bool:
        """Whether ``platform:user`` opted out: nothing new may be kept about them."""
        return any(check(platform, user) for check in self._opted_out)

    def register_files(self, writer: Republisher) -> None:
        self._writers.append(writer)

    @property
    def stores(self) -> list[str]:
        return [s.name for s in self._stores]

    async def person(
        self, platform: str, user: str, names: Iterable[str] = (), *, keep_questions: bool = False
    ) -> Person:
        """Everything every store recalls of ``user``, as one :class:`Person`."""
        all_names = {n for n in names if n}
        phrases: set[str] = set()
        for store in self._stores:
            found = await store.recall(platform, user)
            all_names |= found.names
            phrases |= found.phrases
        all_names.discard(user)
        return Person(
            platform,
            user,
            frozenset(all_names),
            frozenset(phrases),
            keep_questions=keep_questions,
        )

    async def forget_in(self, store: str, person: Person) -> Mapping[str, int]:
        """Forget ``person`` in one store only (no scrub of the file, no files rewritten)."""
        for s in self._stores:
            if s.name == store:
                return await s.forget(person)
        return {}

    async def forget(self, person: Person, *, files: bool = True) -> dict[str, int]:
        """Forget ``person`` in every store, scrub the file, then rewrite the files.

        ``files=False`` stops after the store (fast); call :meth:`republish` after,
        e.g. once the person has been told their data is gone.
        """
        removed: dict[str, int] = {}
        took: dict[str, float] = {}
        for store in self._stores:
            start = time.perf_counter()
            for what, n in (await store.forget(person)).items():
                removed[f"{store.name}.{what}"] = n
            took[store.name] = time.perf_counter() - start
        start = time.perf_counter()
        await self._db.scrub()
        took["scrub"] = time.perf_counter() - start
        if files:
            removed |= await self.republish(person, took)
        log.info("forgot a person in %s", ", ".join(f"{k} {v:.2f} s" for k, v in took.items()))
        return removed

    async def republish(
        self, person: Person, took: dict[str, float] | None = None
    ) -> dict[str, int]:
        """Rewrite every file written earlier (reports first, then bundles copying them)."""
        removed: dict[str, int] = {}
        took = {} if took is None else took
        ordered = sorted(self._writers, key=lambda w: w.copies_others)
        for writer in ordered:
            start = time.perf_counter()
            try:
                removed[f"{writer.name}.files"] = len(await writer.republish(person))
            except OSError as exc:  # a file moved away or made read-only: say so, go on
                log.warning("could not rewrite %s's files: %s", writer.name, exc)
            took[f"{writer.name} files"] = time.perf_counter() - start
        return removed
