"""Shared helpers for the question queue tests: a bot with core + questions only."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from bot.actions import Action, DirectMessage, React, Reply, Say
from bot.config import Config
from facilitation.base import Services
from facilitation.core import CoreModule
from facilitation.questions import QuestionsModule
from tests.factories import config, run_script


def modules(services: Services) -> list[Any]:
    return [CoreModule(services), QuestionsModule(services)]


def cfg(questions: dict[str, Any] | None = None, **more: Any) -> Config:
    """Test config: models off (near-exact duplicates only) unless a test loads MiniLM."""
    base: dict[str, Any] = {"models": {"enabled": False}}
    if questions:
        base["questions"] = questions
    base.update(more)
    return config(base)


async def run(lines: list[str], c: Config | None = None, **kw: Any) -> tuple[list[Action], Any]:
    """Replay through core + questions on a fresh database file (kept for :func:`rows`)."""
    db = Path(tempfile.mkdtemp(prefix="rt-questions-")) / "t.db"
    kw.setdefault("modules", modules)
    return await run_script(lines, cfg=c or cfg(), db_path=str(db), **kw)


def said(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say | Reply | DirectMessage)]


def reacts(actions: list[Action]) -> list[tuple[str, str]]:
    return [(a.message_id, a.emoji) for a in actions if isinstance(a, React)]


async def rows(bot: Any, sql: str) -> list[Any]:
    """Query the (closed) bot's database file."""
    with sqlite3.connect(bot.db.path) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
