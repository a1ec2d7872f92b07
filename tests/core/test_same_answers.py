"""The same transcript, replayed into SQLite and into PostgreSQL, gives the same answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.replay import parse_transcript
from bot.config import load_config
from bot.demo import DEMO_DIR
from bot.store import Database
from tests.factories import run_script

pytestmark = pytest.mark.slow

LINES = 110  # the demo's first part: asks, votes, /now, an answer, a rejection


def _transcript() -> list[str]:
    lines = (DEMO_DIR / "transcript.jsonl").read_text(encoding="utf-8").splitlines()[:LINES]
    last = list(parse_transcript(lines))[-1].ts
    end = {"id": "end", "ts": last.isoformat(), "author": "u_sam", "name": "Sam"}
    return [*lines, json.dumps({**end, "text": "/event end"})]


def _here(value: Any, out: Path) -> Any:
    """Texts name the output folder, which differs between the two runs."""
    return value.replace(str(out), "OUT") if isinstance(value, str) else value


async def _replay(target: str, out: Path, embedder: Any, monkeypatch: Any) -> dict[str, Any]:
    monkeypatch.setenv("ROUNDTABLE_SECRET", "same-answers")
    cfg = load_config(DEMO_DIR / "config.toml")
    cfg = cfg.model_copy(
        update={
            "bot": cfg.bot.model_copy(update={"out_dir": out}),
        }
    )
    actions, _ = await run_script(_transcript(), cfg=cfg, db_path=target, embedder=embedder)
    db = await Database.open(target)
    try:
        found: dict[str, Any] = {
            "posts": [(type(a).__name__, _here(getattr(a, "text", None), out)) for a in actions],
        }
        queries = {
            "questions": "SELECT id, text, state, asker FROM questions ORDER BY id",
            "votes": "SELECT question_id, voter, via FROM question_votes"
            " ORDER BY question_id, voter",
            "answers": "SELECT * FROM question_answers ORDER BY question_id, id",
            "actions": "SELECT kind, channel, text, status FROM actions ORDER BY seq",
            "metrics": "SELECT session_id, json FROM metrics ORDER BY session_id",
            "sessions": "SELECT slug, state, started_at, ended_at FROM sessions ORDER BY id",
        }
        for name, sql in queries.items():
            found[name] = [tuple(_here(v, out) for v in r) for r in await db.fetchall(sql)]
    finally:
        await db.close()
    found["files"] = {
        str(p.relative_to(out)): p.read_bytes().replace(str(out).encode(), b"OUT")
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix in {".csv", ".json", ".md", ".jsonl", ".txt"}
    }
    return found


async def test_sqlite_and_postgresql_give_the_same_queue_votes_answers_and_report(
    tmp_path: Path, postgres_url: str, embedder_provider: Any, monkeypatch: Any
) -> None:
    lite = await _replay(str(tmp_path / "rt.db"), tmp_path / "lite", embedder_provider, monkeypatch)
    pg = await _replay(postgres_url, tmp_path / "pg", embedder_provider, monkeypatch)
    assert len(lite["questions"]) >= 5 and lite["votes"] and lite["answers"]
    assert lite["files"], "the event's end wrote no report or export"
    for key in ("questions", "votes", "answers", "sessions", "metrics", "actions", "posts"):
        assert pg[key] == lite[key], key
    assert sorted(pg["files"]) == sorted(lite["files"])
    for name, content in lite["files"].items():
        assert pg["files"][name] == content, name
