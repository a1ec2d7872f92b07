"""Room questions: put to the room, answered by a participant, credited to the room."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.forget import Person
from bot.store import Database
from facilitation.core import CoreModule
from facilitation.ledger.module import LedgerModule
from facilitation.questions import QuestionsModule
from facilitation.questions.memory import QuestionMemory, RoomAsk
from tests.factories import Script
from tests.ledger.conftest import ledger_config
from tests.ledger.conftest import run as ledger_run
from tests.questions.conftest import cfg, rows, run, said

SEED = "does anybody know where I can buy mucuna seed near Embu?"


def started() -> Script:
    s = Script()
    s.say("u_mod", '/event start "Soil panel"')
    s.say("u_pan", "Hi all, I'm Pan, I work on soil fertility")
    return s


async def answers(bot: Any) -> list[tuple[int, str, str]]:
    return await rows(
        bot,
        "SELECT q.number, a.message_id, a.answerer FROM question_answers a"
        " JOIN questions q ON q.id = a.question_id ORDER BY a.id",
    )


async def test_a_question_to_the_room_answered_by_reply_is_a_room_question() -> None:
    s = started()
    q = s.say("u_wanjiru", SEED, name="Wanjiru")
    s.say("u_mod", "/queue")
    a1 = s.say("u_otieno", "try KALRO Embu, they had some last season", reply_to=q)
    a2 = s.say("u_gladys", "our group buys it from the agrovet by the market", reply_to=q)
    s.say("u_sam", "What is the best cover crop for the short rains?")
    s.say("u_mod", "/queue")
    s.say("u_mod", "/event end")
    actions, bot = await run(s.lines)
    texts = said(actions)
    queues = [t for t in texts if "short rains" in t and "left open" not in t]
    assert queues and all("mucuna" not in t for t in texts if "queue" in t.lower())
    assert await answers(bot) == [(1, a1, "room"), (1, a2, "room")]
    got = await rows(bot, "SELECT number, state, answered_by, source FROM questions")
    assert (1, "answered", "room", "room") in got
    end = next(t for t in texts if "left open" in t)
    room_part, _, open_part = end.partition("left open")
    assert "#1" in room_part and "mucuna" in room_part
    assert "mucuna" not in open_part and "short rains" in open_part


async def test_a_participant_naming_the_asker_answers_a_room_question() -> None:
    s = started()
    s.say("u_wanjiru", SEED, name="Wanjiru Kamau")
    s.say("u_sam", "Good afternoon from Nakuru everyone")
    a = s.say("u_otieno", "Wanjiru, try KALRO Embu, they had some last season")
    _, bot = await run(s.lines)
    assert await answers(bot) == [(1, a, "room")]


async def test_the_next_message_answering_a_room_question_is_its_answer() -> None:
    s = started()
    s.say("u_wanjiru", SEED, name="Wanjiru")
    a = s.say("u_otieno", "KALRO Embu had some last season, ask at the front desk")
    s.say("u_sam", "I have only seen it sold online, the shipping was slow though")  # not next
    _, bot = await run(s.lines)
    assert await answers(bot) == [(1, a, "room")]


async def test_a_room_question_nobody_answers_leaves_no_trace_in_the_queue() -> None:
    s = started()
    s.say("u_wanjiru", SEED, name="Wanjiru")
    s.say("u_wanjiru", "thanks all, I will look around")  # the asker herself
    s.say("u_mod", "/event end")
    actions, bot = await run(s.lines)
    assert await rows(bot, "SELECT number FROM questions") == []
    assert "mucuna" not in said(actions)[-1]


async def test_chatter_the_room_answers_is_not_a_room_question(embedder_provider: Any) -> None:
    s = started()
    q = s.say("u_elif", "sorry my internet dropped. did I miss much?")
    s.say("u_gladys", "only introductions and the jar test so far 😊", reply_to=q)
    s.say("u_sofia", "is anyone else here from south america? would love to connect")
    s.say("u_elif", "not me but warm greetings from Izmir to all of you 😄")
    s.say("u_mod", "/event end")
    _, bot = await run(s.lines, cfg(models={"enabled": True}), embedder=embedder_provider)
    assert await rows(bot, "SELECT number FROM questions") == []
    assert await answers(bot) == []


async def test_a_panellists_next_message_answers_the_queue_not_a_room_question() -> None:
    s = started()
    s.say("u_sam", "What is the best cover crop for the short rains?", name="Sam")
    q = s.say("u_wanjiru", SEED, name="Wanjiru")
    s.say("u_otieno", "try KALRO Embu, they had some last season", reply_to=q)
    a = s.say("u_pan", "lablab after the harvest is my pick, it fixes nitrogen too")
    _, bot = await run(s.lines)
    got = await answers(bot)
    assert (1, a, "panel") in got and (2, a, "panel") not in got


async def test_questions_csv_credits_a_room_question_to_the_room(tmp_path: Path) -> None:

    def modules(services: Any) -> list[Any]:
        return [CoreModule(services), QuestionsModule(services), LedgerModule(services)]

    s = Script()
    s.say("u_mod", '/event start "Talks"')
    q = s.say("u_wanjiru", SEED, name="Wanjiru")
    s.say("u_otieno", "try KALRO Embu, they had some last season", reply_to=q)
    s.say("u_mod", "/event end")
    await ledger_run(s.lines, ledger_config(tmp_path), tmp_path / "rt.db", modules=modules)
    path = tmp_path / "out" / "talks" / "export" / "questions.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [(r["id"], r["answered_by"]) for r in got] == [("1", "room")]


async def test_forgetting_the_asker_drops_their_room_asks(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "m.db")
    memory = QuestionMemory(db)
    await memory.setup()
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    mine = RoomAsk("replay", "m1", 1, "replay:c:g", "c", "g", None, "u_a", "Ana", SEED, at)
    theirs = RoomAsk("replay", "m2", 1, "replay:c:g", "c", "g", None, "u_b", "Bo", "Ana, why?", at)
    await memory.add_room_ask(mine)
    await memory.add_room_ask(theirs)
    assert "Ana" in (await memory.recall("replay", "u_a")).names
    await memory.forget(Person("replay", "u_a", names=frozenset({"Ana"})))
    assert memory.room_ask("replay", "m1") is None
    again = QuestionMemory(db)
    await again.setup()  # a restart reads the same
    assert again.room_ask("replay", "m1") is None
    left = again.room_ask("replay", "m2")
    assert left is not None and "Ana" not in left.text
    await db.close()


async def test_a_message_that_only_follows_or_names_the_asker_later_is_no_answer() -> None:
    s = started()
    s.say("u_harriet", SEED, name="Harriet")
    s.say("u_sofia", "same here, our nursery hit 29 one night in July so we moved rooms")
    s.say("u_harriet", "I will try our own group first then, they usually share seed")
    s.say("u_ruth", "Harriet, I will lend you two of our volunteers for the stall")  # since then
    _, bot = await run(s.lines)
    assert await answers(bot) == []
    assert await rows(bot, "SELECT number FROM questions") == []
