"""The summaries' wording, read from ``prompts/summaries.toml`` so organisers can edit it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Protocol

__all__ = [
    "AbstractivePrompt",
    "Framing",
    "default_prompts_path",
    "load_summary_prompts",
    "summary_prompts_from",
]


@dataclass(frozen=True, slots=True)
class Framing:
    """Templates that turn a chosen chat sentence into a sentence about the discussion."""

    statement: str = "{speaker} says {clause}."
    yes_no_question: str = "{speaker} asks whether {clause}."
    wh_question: str = "{speaker} asks {clause}."
    quoted_question: str = '{speaker} asks: "{text}"'
    quoted: str = '{speaker}: "{text}"'
    suggestion: str = "{speaker} suggests {clause}."
    topics: str = "{names} talk about {topics}."
    others: str = "{count:one=one other|other=# others}"
    unknown_addressee: str = "the others"
    we: str = "they"
    us: str = "them"
    our: str = "their"


@dataclass(frozen=True, slots=True)
class AbstractivePrompt:
    """The chat messages a text-generation model gets."""

    system: str
    user: str
    line: str = "{speaker}: {text}"


class _PromptBook(Protocol):
    """What :class:`bot.prompts.Prompts` offers (organisers' overrides included)."""

    def has(self, key: str) -> bool: ...

    def raw(self, key: str) -> str: ...


def summary_prompts_from(book: _PromptBook) -> tuple[Framing, AbstractivePrompt]:
    """The framing and prompt from the bot's prompt book (``summaries.*`` keys).

    Keys the book lacks keep the defaults, so an organiser's partial copy works.
    """
    framing = {
        f.name: book.raw(f"summaries.framing.{f.name}")
        for f in fields(Framing)
        if book.has(f"summaries.framing.{f.name}")
    }
    prompt = {
        f.name: book.raw(f"summaries.abstractive.{f.name}")
        for f in fields(AbstractivePrompt)
        if book.has(f"summaries.abstractive.{f.name}")
    }
    if "system" not in prompt or "user" not in prompt:
        raise ValueError("the prompt book lacks summaries.abstractive.system/user")
    return Framing(**framing), AbstractivePrompt(**prompt)


def default_prompts_path() -> Path:
    """``prompts/summaries.toml`` in the repository (installed editable)."""
    return Path(__file__).resolve().parents[2] / "prompts" / "summaries.toml"


def load_summary_prompts(path: Path | None = None) -> tuple[Framing, AbstractivePrompt]:
    """Read the framing templates and the abstractive prompt.

    Args:
        path: the TOML file; ``None`` means :func:`default_prompts_path`.

    Raises:
        ValueError: when the file has a key this code does not know (a typo would
            otherwise be ignored silently) or lacks the abstractive prompt.
    """
    with (path or default_prompts_path()).open("rb") as fh:
        data = tomllib.load(fh)
    framing_data = dict(data.get("framing", {}))
    known = {f.name for f in fields(Framing)}
    unknown = set(framing_data) - known
    if unknown:
        raise ValueError(f"{path}: unknown [framing] keys: {sorted(unknown)}")
    abstractive = dict(data.get("abstractive", {}))
    if "system" not in abstractive or "user" not in abstractive:
        raise ValueError(f"{path}: [abstractive] needs 'system' and 'user'")
    return Framing(**framing_data), AbstractivePrompt(**abstractive)
