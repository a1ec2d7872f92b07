"""Privacy by design: pseudonyms and spreadsheet-safe cells (retention: ``EventLog.blank_text``)."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Mapping

from facilitation.ledger.secret import resolve_secret
from facilitation.ledger.store import PersonKey

__all__ = ["Identities", "resolve_secret", "safe_cell"]

_FORMULA_STARTS = frozenset("=+-@")
_CONTROL_STARTS = ("\t", "\r", "\n")


def _invisible(ch: str) -> bool:
    """Spaces, line breaks, zero-width and other format characters a spreadsheet skips."""
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def safe_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (OWASP: prefix a quote).

    A cell is neutralised when its first visible character, after spaces, line
    breaks and zero-width characters, is ``= + - @`` in any width (the full-width
    ``＝`` folds to ``=``), or when it starts with a tab, carriage return or line
    feed. Only text is changed; numbers stay numbers (so -0.4 is still a number).
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_CONTROL_STARTS):
        return "'" + value
    first = next((ch for ch in value if not _invisible(ch)), "")
    if first and unicodedata.normalize("NFKC", first)[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


class Identities:
    """How people appear in exports: stable pseudonyms, or real ids and names.

    A pseudonym is a keyed hash (HMAC-SHA256) of ``platform:user``: the same
    person gets the same pseudonym in every export of a deployment, so series
    analysis still works, and nobody without the key can reverse it.
    """

    def __init__(
        self, secret: str, *, real_names: bool = False, names: Mapping[PersonKey, str] | None = None
    ) -> None:
        self._key = secret.encode()
        self.real_names = real_names
        self._names = dict(names or {})
        self._cache: dict[PersonKey, str] = {}

    def learn(self, names: Mapping[PersonKey, str]) -> None:
        self._names.update(names)

    def pseudonym(self, who: PersonKey) -> str:
        found = self._cache.get(who)
        if found is None:
            digest = hmac.new(self._key, f"{who[0]}:{who[1]}".encode(), hashlib.sha256)
            found = self._cache[who] = "p-" + digest.hexdigest()[:10]
        return found

    def ident(self, who: PersonKey) -> str:
        return f"{who[0]}:{who[1]}" if self.real_names else self.pseudonym(who)

    def name(self, who: PersonKey) -> str:
        if self.real_names:
            return self._names.get(who) or who[1]
        return self.pseudonym(who)
