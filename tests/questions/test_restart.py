"""The queue lives in the store: a restart mid-event resumes the same queue."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

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


def _delete(s: Script, author: str, message_id: str, after: float = 5.0) -> None:
    s.lines.append(
        json.dumps(
            {"type": "delete", "ts": s._ts(after), "author": author, "message_id": message_id}
        )
    )


def _two_parts(s: Script) -> None:
    s.say("u_a", "A quick question about the cooling centres")
    s.say("u_a", "Will they stay open at night during the heatwave?", after=30)


def _panel_carries_on(s: Script) -> None:
    q1 = s.say("u_a", "How do the cooling centres decide their opening hours?")
    s.say("u_pan", "They follow the heat alerts from the met office, mostly.", reply_to=q1)
    s.say("u_b", "Which neighbourhoods lose the most sleep during a heatwave?")
    s.say("u_pan", "And on top of that the council extends the hours on the worst nights.")


def _deleted_and_asked_again(s: Script) -> None:
    s.say("u_c", "Are the window sensors measuring humidity?")
    s.say("u_b", "Which neighbourhoods lose the most sleep during a heatwave?")
    s.react("u_d", s.say("u_b", "Does shade on the windows help much?"))
    q = s.say("u_a", "Is the trial data going to be published openly?")
    s.react("u_c", q)
    _delete(s, "u_a", q)
    s.say("u_a", "Will the trial data be published openly, and where?", after=60)


def _follow_up_in_an_exchange(s: Script) -> None:
    s.say("u_b", "I put shutters on last summer", name="Bea")
    s.say("u_a", "@Bea you said the shutters on your flat helped a lot")
    s.say("u_b", "how do I check that?", after=20, name="Bea")


def _handed_to_a_colleague(s: Script) -> None:
    s.say("u_mod", "Welcome all, I'm hosting tonight.", name="Njeri Kamau")
    s.say("u_a", "How do the cooling centres decide their opening hours?")
    s.say("u_pan", "That is a really good one and I think my colleague knows it best, njeri?")


def _the_room_answers(s: Script) -> None:
    s.say("u_a", "does anybody know a shop that sells cheap shade netting?", name="Ama")
    s.say("u_b", "Ama, the hardware store by the station has it, ask for 50 percent")


SCENARIOS = {
    "a question the room answers": (_the_room_answers, -1),
    "a question in two parts": (_two_parts, -1),
    "a panellist carrying on from an answer": (_panel_carries_on, -1),
    "a question deleted and asked again": (_deleted_and_asked_again, -1),
    "a short follow-up between two people": (_follow_up_in_an_exchange, -1),
    "a question handed to a colleague by name": (_handed_to_a_colleague, -1),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_a_restart_between_two_messages_changes_nothing_the_queue_does(
    tmp_path: Path, name: str
) -> None:
    """What one message leaves behind for the next is kept in the module's tables.

    The same lines replayed once, and with a restart before the last one, give
    the same posts and the same queue, answers and message map.
    """
    build, cut = SCENARIOS[name]
    s = Script(gap=10)
    s.say("u_mod", '/event start "Heat panel"')
    build(s)
    s.say("u_mod", "/event end")
    lines = list(s.lines)
    cut = len(lines) - 2 if cut == -1 else cut  # just before the scenario's last line

    clean = said(await replay(lines, tmp_path / "clean.db"))
    split = said(await replay(lines[:cut], tmp_path / "split.db"))
    split += said(await replay(lines[cut:], tmp_path / "split.db"))
    assert split == clean
    for table in (
        "SELECT number, text, state, merged_into FROM questions ORDER BY number",
        "SELECT q.number, a.message_id, a.author FROM question_answers a"
        " JOIN questions q ON q.id = a.question_id ORDER BY a.id",
        "SELECT platform, message_id, question_id, kind FROM question_messages ORDER BY message_id",
        "SELECT question_id, voter FROM question_votes ORDER BY voter",
    ):
        assert _rows(tmp_path / "split.db", table) == _rows(tmp_path / "clean.db", table), table


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
