"""Every text the bot says, from editable TOML templates in ``prompts/``.

Each ``prompts/NAME.toml`` file holds a table of ``str.format`` templates; a
template is addressed as ``NAME.key`` (nested tables add more dots). An
organiser can copy any file into their own folder (``bot.prompts_dir`` in the
config) and edit it: keys found there replace the bundled ones.

A count is written with its plural forms, which :mod:`bot.plural` applies:
``{votes:one=# vote|other=# votes}``.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import prompts
from bot.plural import PluralError, check, fill

__all__ = ["PromptError", "Prompts", "bundled_prompts_dir"]


class PromptError(KeyError):
    pass


def bundled_prompts_dir() -> Path:
    return Path(prompts.__file__).parent


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            _flatten(name, value, out, source)
        elif isinstance(value, str):
            out[name] = value
        else:
            raise PromptError(f"{source}: {name} must be text, not {type(value).__name__}")


class Prompts:
    """The bot's texts, looked up by key and filled in with ``str.format``."""

    def __init__(self, templates: Mapping[str, str], language: str = "en") -> None:
        self._templates = dict(templates)
        self.language = language
        for key, template in self._templates.items():
            try:
                check(template)
            except PluralError as exc:
                raise PromptError(f"prompt {key!r}: {exc}") from None

    @classmethod
    def load(cls, *dirs: Path | None, language: str = "en") -> Prompts:
        """Load the bundled templates, then each folder in ``dirs`` over them."""
        templates: dict[str, str] = {}
        for folder in (bundled_prompts_dir(), *dirs):
            if folder is None:
                continue
            for path in sorted(Path(folder).glob("*.toml")):
                with path.open("rb") as fh:
                    try:
                        data = tomllib.load(fh)
                    except tomllib.TOMLDecodeError as exc:
                        raise PromptError(f"{path}: not valid TOML: {exc}") from exc
                _flatten(path.stem, data, templates, path)
        return cls(templates, language)

    def keys(self) -> list[str]:
        return sorted(self._templates)

    def has(self, key: str) -> bool:
        return key in self._templates

    def raw(self, key: str) -> str:
        try:
            return self._templates[key]
        except KeyError:
            raise PromptError(f"no prompt named {key!r}") from None

    def fields(self, key: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.raw(key)) if f}

    def __call__(self, key: str, /, **values: Any) -> str:
        """The template ``key`` filled with ``values``."""
        template = self.raw(key)
        try:
            return fill(template, self.language, **values).strip()
        except KeyError as exc:
            raise PromptError(f"prompt {key!r} needs a value for {exc.args[0]!r}") from None
        except PluralError as exc:
            raise PromptError(f"prompt {key!r}: {exc}") from None
