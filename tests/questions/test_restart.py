"""The queue lives in the store: a restart mid-event resumes the same queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.replay import ReplayAdapter, parse_transcript
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.forget import Person
from bot.store import Database
from facilitation.questions.memory import QuestionMemory
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


async def test_a_restart_does_not_hint_again_or_break_the_acknowledgement_pace(
    tmp_path: Path,
) -> None:
    """Who was told, and when the channel last heard from the bot, survive a restart."""
    db = tmp_path / "event.db"
    s = Script(gap=10)
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_a", "How do the council's cooling centres decide their opening hours?")
    first = said(await replay(list(s.lines), db))
    hints = [t for t in first if t.startswith("I put your message")]
    assert len(hints) == 1  # told once, privately
    assert any(t.startswith("Thanks A!") for t in first)

    s.lines.clear()
    s.say("u_a", "Which neighbourhoods lose the most sleep during a heatwave?")
    s.say("u_b", "Are the window sensors in the trial measuring humidity too?", after=120)
    again = said(await replay(s.lines, db))
    # u_a was told before the restart: no second hint; and 10 s after the
    # last acknowledgement the channel gets none in words (a reaction only).
    assert not any("question 2" in t for t in again), again
    # u_b is new and a minute has passed: thanked and told, once.
    assert sum(t.startswith("I put your message") for t in again) == 1
    assert any(t.startswith("Thanks B!") for t in again)


async def test_forgetting_someone_drops_what_the_queue_remembers_of_them(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "m.db")
    memory = QuestionMemory(db)
    await memory.setup()
    await memory.told(1, "replay", "u_a", "hint")
    await memory.told(1, "replay", "u_b", "hint")
    await memory.forget(Person("replay", "u_a"))
    rows = await db.fetchall("SELECT person FROM question_told")
    assert [r["person"] for r in rows] == ["u_b"]
    assert not memory.was_told(1, "replay", "u_a", "hint")
    assert memory.was_told(1, "replay", "u_b", "hint")
    await db.close()
