"""The summaries' wording, read from ``prompts/summaries.toml`` so organisers can edit it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["AbstractivePrompt", "Framing", "default_prompts_path", "load_summary_prompts"]


@dataclass(frozen=True, slots=True)
class Framing:
    """Templates that turn a chosen chat sentence into a sentence about the discussion."""

    statement: str = "{speaker} says {clause}."
    yes_no_question: str = "{speaker} asks whether {clause}."
    wh_question: str = "{speaker} asks {clause}."
    quoted_question: str = '{speaker} asks: "{text}"'
    suggestion: str = "{speaker} suggests {clause}."
    topics: str = "{names} talk about {topics}."
    others: str = "{count} others"
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
