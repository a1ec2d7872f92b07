"""Who a message addresses: ``nick: ...``, ``nick, ...`` or a known nick in the text.

Matching follows Kummerfeld et al. (2019): a token (lower-cased, punctuation peeled
off either end) names someone when it equals a nick seen so far, is longer than two
characters, and is not a word people use in chat more often than as a name.
"""

from __future__ import annotations

import string
from collections import OrderedDict
from collections.abc import Iterable

__all__ = ["NickBook", "core_nick"]

_PUNCT = string.punctuation


def core_nick(nick: str) -> str:
    """``|trey|`` is often written ``trey``: strip punctuation from both ends."""
    return nick.lower().strip(_PUNCT)


class NickBook:
    """Nicks seen so far in a channel, mapped to author ids (bounded, most recent kept).

    Args:
        reserved: words never taken as a nick unless used as ``word:`` at the start.
        capacity: how many nicks to remember.
    """

    def __init__(self, reserved: Iterable[str] = (), capacity: int = 5000) -> None:
        self._reserved = frozenset(w.lower() for w in reserved)
        self._nicks: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def add(self, nick: str, author: str) -> None:
        """Remember that ``nick`` (and its core form) names ``author``."""
        for key in {nick.lower(), core_nick(nick)}:
            if not key or key.isdigit():
                continue
            self._nicks[key] = author
            self._nicks.move_to_end(key)
        while len(self._nicks) > self._capacity:
            self._nicks.popitem(last=False)

    def _lookup(self, word: str, *, addressed: bool) -> str | None:
        author = self._nicks.get(word)
        if author is None:
            return None
        if addressed:
            return author
        if len(word) <= 2 or word in self._reserved:
            return None
        return author

    def targets(self, text: str) -> tuple[frozenset[str], bool]:
        """Authors that ``text`` names, and whether it opens by addressing one.

        Returns:
            (author ids named, True when the first token is ``nick:`` or ``nick,``).
        """
        found: set[str] = set()
        opens = False
        for i, token in enumerate(text.split()):
            low = token.lower()
            addressed = i == 0 and len(low) > 1 and low[-1] in ":,"
            hit = self._lookup(low, addressed=False)
            if hit is None:
                peeled = low.rstrip(_PUNCT)
                hit = self._lookup(peeled, addressed=addressed) if peeled != low else None
            if hit is None:
                peeled = low.strip(_PUNCT)
                hit = self._lookup(peeled, addressed=addressed) if peeled else None
            if hit is not None:
                found.add(hit)
                opens = opens or i == 0
        return frozenset(found), opens
