"""The Jinja2 environment of every page Roundtable writes (the report, the series, the dashboard).

Autoescape is on for HTML: people's words are always escaped; only SVG that
matplotlib drew is marked safe, by the code that drew it. Templates live in
``facilitation/report/templates/``; an organiser's folder given first overrides
any of them by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.plural import plural
from facilitation.report.markup import inline_html
from facilitation.report.verdict import number, percent

__all__ = ["TEMPLATES", "environment"]

TEMPLATES = Path(__file__).parent / "templates"


def _hhmm(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def _date(value: datetime | None) -> str:
    return value.strftime("%d %b %Y") if value is not None else ""


def _chat(text: str | None) -> Markup:
    """What someone wrote in chat: their Markdown rendered, any raw HTML escaped."""

    return Markup(inline_html(text or ""))  # inline_html escapes what it does not render


def _plural(value: int, spec: str) -> str:
    return plural(int(value), spec)


def environment(extra: Sequence[Path] = ()) -> Environment:
    """A Jinja2 environment with the bundled templates (after ``extra`` folders).

    Filters: ``chat`` (a chat message's Markdown, escaped), ``plural``
    (``{{ n | plural("one=# vote|other=# votes") }}``, the same helper as the
    prompts), ``number``, ``percent``, ``hhmm``, ``date``.
    """
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader([*map(str, extra), str(TEMPLATES)])]),
        autoescape=select_autoescape(["html", "htm", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        chat=_chat, plural=_plural, number=number, percent=percent, hhmm=_hhmm, date=_date
    )
    return env
