"""After a restart the live conversation map is rebuilt from the log, as if never stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.actions import Reply
from facilitation.core import CoreModule
from facilitation.threads.module import ThreadsModule
from tests.factories import Script, config, run_script


def _modules(services: Any) -> list[Any]:
    return [CoreModule(services), ThreadsModule(services)]


def _script() -> tuple[list[str], list[str]]:
    s = Script(gap=20)
    s.say("u_mod", '/event start "Threads"')
    a = s.say("u_ann", "has anyone measured bedroom temperatures in tower blocks?")
    b = s.say("u_bob", "yes we logged them every ten minutes all summer", reply_to=a)
    c = s.say("u_cat", "off topic but is the recording going to be shared afterwards?")
    s.say("u_ann", "how hot did the top floors get at night?", reply_to=b)
    before = list(s.lines)
    s.lines.clear()
    s.say("u_bob", "over thirty degrees on the top floor most nights", reply_to="m0005")
    s.say("u_dan", "the recording goes on the website tomorrow", reply_to=c)
    s.say("u_eve", "did anyone try shading the windows from outside?")
    s.say("u_eve", "/threads")
    return before, list(s.lines)


async def _conversations(bot: Any, adapter: Any) -> None:
    rows = await bot.db.fetchall(
        "SELECT message_id, conversation FROM events WHERE kind = 'MessagePosted' ORDER BY seq"
    )
    _conversations.found = [(r["message_id"], r["conversation"]) for r in rows]  # type: ignore[attr-defined]


async def test_a_restart_keeps_conversations_and_the_threads_view(tmp_path: Path) -> None:
    cfg = config({"models": {"enabled": False}})
    before, after = _script()

    once, _ = await run_script(
        before + after,
        cfg=cfg,
        db_path=str(tmp_path / "once.db"),
        modules=_modules,
        keep_open=_conversations,
    )
    want = _conversations.found  # type: ignore[attr-defined]

    split = str(tmp_path / "split.db")
    await run_script(before, cfg=cfg, db_path=split, modules=_modules)
    again, _ = await run_script(
        after, cfg=cfg, db_path=split, modules=_modules, keep_open=_conversations
    )
    got = _conversations.found  # type: ignore[attr-defined]

    assert got == want
    conv = dict(got)
    assert conv["m0006"] == conv["m0002"]  # a reply to a message from before the restart
    assert conv["m0007"] == conv["m0004"]
    [want_threads] = [a.text for a in once if isinstance(a, Reply)]
    [got_threads] = [a.text for a in again if isinstance(a, Reply)]
    assert got_threads == want_threads
    assert got_threads.count("•") >= 2
