"""The opt-out list, kept as keyed hashes: it can be checked, not read.

To keep someone who opted out out of the log, the bot must recognise them (and
their name in others' messages) later, but the list itself must not name them.
So it holds keyed hashes (BLAKE2b under the pseudonym key, which lives outside
the database): of ``platform:user``, and of each name, lower-cased, words joined
by one space. A message is checked by hashing its runs of up to four words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.forget import MIN_NAME, REMOVED_NAME
from facilitation.ledger.store import PersonKey

__all__ = ["Hasher", "NameFilter", "OptedOut", "name_key"]

_WORD = re.compile(r"\w+")
MAX_NAME_WORDS = 4


def name_key(name: str) -> str:
    """A name as it is hashed: lower-case words joined by one space."""
    return " ".join(_WORD.findall(name.lower()))


class Hasher:
    """Keyed hashes under the deployment's pseudonym key."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(secret.encode()).digest()

    def _hash(self, kind: bytes, value: str) -> str:
        h = hashlib.blake2b(value.encode(), key=self._key, digest_size=16, person=kind)
        return h.hexdigest()

    def person(self, who: PersonKey) -> str:
        return self._hash(b"rt-person", f"{who[0]}:{who[1]}")

    def channel(self, platform: str, channel: str) -> str:
        return self._hash(b"rt-channel", f"{platform}:{channel}")

    def name(self, name: str) -> str:
        return self._hash(b"rt-name", name_key(name))

    def names(self, names: Iterable[str]) -> list[str]:
        """Hashes of names and of their first words ("Cat Jones" is "Cat" too)."""
        keys = set()
        for n in names:
            key = name_key(n)
            if len(key) >= MIN_NAME:
                keys.add(key)
            first = key.split(" ", 1)[0]
            if len(first) >= MIN_NAME:
                keys.add(first)
        return sorted(self._hash(b"rt-name", k) for k in keys)


@dataclass
class OptedOut:
    """Who opted out, as a container of ``(platform, user)`` (``who in opted_out``)."""

    hasher: Hasher
    keys: set[str] = field(default_factory=set)

    def __contains__(self, who: object) -> bool:
        if not isinstance(who, tuple) or len(who) != 2:
            return False
        return bool(self.keys) and self.hasher.person((str(who[0]), str(who[1]))) in self.keys

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class NameFilter:
    """Replaces the names of people who opted out in new messages."""

    hasher: Hasher
    keys: set[str] = field(default_factory=set)

    def redact(self, text: str) -> str:
        if not self.keys or not text:
            return text
        words = list(_WORD.finditer(text))
        out: list[str] = []
        last = 0
        i = 0
        while i < len(words):
            hit = 0
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                span = words[i : i + n]
                key = " ".join(w.group(0).lower() for w in span)
                if len(key) >= MIN_NAME and self.hasher.name(key) in self.keys:
                    hit = n
                    break
            if hit:
                start = words[i].start()
                if start > 0 and text[start - 1] == "@":
                    start -= 1
                out.append(text[last:start] + REMOVED_NAME)
                last = words[i + hit - 1].end()
                i += hit
            else:
                i += 1
        out.append(text[last:])
        return "".join(out)
