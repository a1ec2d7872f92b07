"""Counts written right: "1 vote", "2 votes", "no votes yet".

A template field may carry plural forms, gettext-style but inline, so one
sentence can hold several counts and an organiser edits it in one place::

    "{people:one=# person|other=# people} took part, {questions:0=no questions|other=# asked}."

Each form is ``KEY=text``, forms are separated by ``|``. ``KEY`` is a CLDR plural
category (``zero``, ``one``, ``two``, ``few``, ``many``, ``other``), chosen by
babel's plural rules for the prompts' language, or an exact number (``0=``), which
wins over the category. ``#`` in a form is the count (written ``1,234``).
``other`` is required: it is what every language falls back to.

:func:`fill` is the one helper that applies them: :class:`bot.prompts.Prompts`,
the report templates (the ``plural`` filter) and the summaries' framing all
call it.
"""

from __future__ import annotations

import re
import string
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

__all__ = [
    "CATEGORIES",
    "PluralError",
    "check",
    "fill",
    "is_plural_spec",
    "plural",
    "plural_fields",
]

CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_SPEC_RE = re.compile(rf"^(?:{'|'.join(CATEGORIES)}|\d+)=")


class PluralError(ValueError):
    pass


def is_plural_spec(spec: str) -> bool:
    """Whether a field's format spec holds plural forms (``one=...|other=...``)."""
    return bool(_SPEC_RE.match(spec))


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def _forms(spec: str) -> dict[str, str]:
    forms: dict[str, str] = {}
    for part in spec.split("|"):
        key, sep, text = part.partition("=")
        key = key.strip()
        if not sep or not (key in CATEGORIES or key.isdigit()):
            raise PluralError(f"plural form {part!r} should look like one=# vote")
        forms[key] = text
    if "other" not in forms:
        raise PluralError(f"plural forms {spec!r} need an other= form")
    return forms


def plural(count: int, spec: str, language: str = "en") -> str:
    """``count`` written with the form of ``spec`` it takes (``#`` is the number).

    Args:
        count: how many.
        spec: ``one=# vote|other=# votes`` (see the module's docstring).
        language: the language whose plural rules choose the form.
    """
    forms = _forms(spec)
    n = int(count)
    locale = _locale(language)
    form = forms.get(str(n)) or forms.get(locale.plural_form(n)) or forms["other"]
    return form.replace("#", format_decimal(n, locale=locale))


class _Formatter(string.Formatter):
    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> Any:
        if is_plural_spec(format_spec):
            if isinstance(value, bool) or not isinstance(value, int):
                raise PluralError(f"a count must be a whole number, not {value!r}")
            return plural(value, format_spec, self.language)
        return super().format_field(value, format_spec)


def fill(template: str, /, language: str = "en", **values: Any) -> str:
    """``template`` filled like ``str.format``, with plural forms applied."""
    return _Formatter(language).vformat(template, (), values)


def plural_fields(template: str) -> dict[str, str]:
    """The fields of ``template`` that carry plural forms, with their spec."""
    return {
        name: spec
        for _, name, spec, _ in string.Formatter().parse(template)
        if name and spec and is_plural_spec(spec)
    }


def check(template: str) -> None:
    """Raise :class:`PluralError` if a plural field in ``template`` is malformed."""
    for spec in plural_fields(template).values():
        _forms(spec)
