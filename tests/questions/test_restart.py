"""The queue lives in the store: a restart mid-event resumes the same queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.replay import ReplayAdapter, parse_transcript
from bot.app import Roundtable
from bot.clock import FakeClock
from tests.factories import Script
from tests.questions.conftest import cfg, modules, said


async def replay(lines: list[str], db: Path) -> list[Any]:
    events = list(parse_transcript(lines))
    clock = FakeClock(events[0].ts)
    async with Roundtable(cfg(), clock=clock, db_path=db, modules=modules) as bot:
        adapter = ReplayAdapter(events, clock=clock, settle=bot.drain, out=None)
        await bot.attach(adapter)
        await adapter.wait()
        await bot.drain()
    return adapter.sent


async def test_restart_mid_event_keeps_numbers_votes_and_states(tmp_path: Path) -> None:
    db = tmp_path / "event.db"
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    q1 = s.say("u_a", "/ask What can tenants do right now?")
    s.say("u_b", "/ask Which medicines matter most?")
    s.react("u_c", q1)
    s.say("u_mod", "/pin 2")
    first_half = list(s.lines)
    await replay(first_half, db)

    s.lines.clear()
    s.react("u_d", q1)  # a reaction on a message from before the restart
    s.react("u_c", q1)  # the same person again: still one vote
    s.say("u_e", "/ask Is the data open?")
    s.say("u_pan", "Shut the curtains in the day.", reply_to=q1)
    s.say("u_mod", "/queue")
    s.say("u_mod", "/event end")
    sent = await replay(s.lines, db)
    texts = said(sent)
    assert "Added as question 3. Others can 👍 it." in texts
    queue = next(t for t in texts if t.startswith("Open questions")).splitlines()
    assert queue[1].startswith("📌 #2")
    assert queue[2].startswith("#3")
    end = texts[-1]
    assert "#1 What can tenants do right now?" in end.split("Left open")[0]
