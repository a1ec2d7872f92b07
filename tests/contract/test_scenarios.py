"""The same Q&A scenarios on every adapter: the bot must behave alike everywhere.

Each test gets the real bot (every module) attached to one adapter and its fake
(``h``, parametrised over discord, slack, telegram, replay and console), acts
through platform-neutral verbs and checks what the platform received and what
the bot stored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest

from tests.contract.harness import Harness

QUESTION = "How will the heat plan reach people who live alone?"
CHAT_QUESTION = "Will the cooling centres stay open at night?"


async def start_event(h: Harness) -> None:
    await h.command("moderator", '/event start "Contract test"')
    await h.settle()


async def rows(h: Harness, sql: str, *params: Any) -> list[Any]:
    return list(await h.bot.db.fetchall(sql, params))


async def questions(h: Harness) -> list[tuple[int, str, str]]:
    found = await rows(h, "SELECT number, state, source FROM questions ORDER BY number")
    return [(r["number"], r["state"], r["source"]) for r in found]


def queue_texts(h: Harness) -> list[str]:
    return [t for t in h.bot_texts() if "Open questions" in t or "No open questions" in t]


def queue_line(h: Harness, number: int) -> str:
    latest = queue_texts(h)[-1]
    return next(line for line in latest.splitlines() if line.startswith(f"#{number} "))


async def finish(h: Harness) -> None:
    """Nothing failed on the way: no handler error, no failed send, no protocol error."""
    assert await h.problems() == []


async def test_lifecycle_welcome_and_private_help(h: Harness) -> None:
    await start_event(h)
    welcome = [t for t in h.bot_texts() if "/optout" in t]
    assert len(welcome) == 1
    assert "Contract test" in welcome[0]
    await h.command("asker", "/help")
    await h.settle()
    help_texts = h.bot_dms("asker")
    assert any("/ask" in t and "/queue" in t for t in help_texts), help_texts
    await finish(h)


async def test_ask_by_command_and_in_chat(h: Harness) -> None:
    await start_event(h)
    await h.command("asker", f"/ask {QUESTION}")
    await h.settle()
    assert any("question 1" in t for t in h.bot_texts()), h.bot_texts()
    await h.post("voter", CHAT_QUESTION)
    await h.settle()
    assert await questions(h) == [(1, "open", "ask"), (2, "open", "detected")]
    await h.command("voter", "/queue")
    await h.settle()
    listing = queue_texts(h)[-1]
    assert "heat plan" in listing and "cooling centres" in listing
    assert queue_line(h, 1).startswith("#1 ") and queue_line(h, 2).startswith("#2 ")
    await finish(h)


async def test_vote_by_reaction(h: Harness) -> None:
    await start_event(h)
    question = await h.post("asker", CHAT_QUESTION)
    await h.settle()
    assert await questions(h) == [(1, "open", "detected")]

    await h.react("voter", question)
    await h.settle()
    await h.command("moderator", "/queue")
    await h.settle()
    assert "1 vote" in queue_line(h, 1)

    await h.react("asker", question)  # the asker's own 👍 is already counted as theirs
    await h.settle()
    assert (await rows(h, "SELECT COUNT(*) AS n FROM question_votes"))[0]["n"] == 1

    # Every adapter delivers a reaction's removal (Telegram as a changed reaction list).
    await h.unreact("voter", question)
    await h.settle()
    await h.command("moderator", "/queue")
    await h.settle()
    assert "no votes yet" in queue_line(h, 1)
    assert (await rows(h, "SELECT COUNT(*) AS n FROM question_votes"))[0]["n"] == 0
    await finish(h)


async def test_panellist_reply_answers_the_question(h: Harness) -> None:
    await start_event(h)
    question = await h.post("asker", CHAT_QUESTION)
    await h.settle()
    answer = await h.reply("panellist", question, "Yes, until ten every night this week.")
    await h.settle()
    assert await questions(h) == [(1, "answered", "detected")]
    linked = await rows(h, "SELECT message_id, author, text FROM question_answers")
    assert [r["message_id"] for r in linked] == [h.message_key(answer)]
    assert "until ten" in linked[0]["text"]
    await h.command("asker", "/queue")
    await h.settle()
    assert "No open questions" in queue_texts(h)[-1]
    await finish(h)


async def test_export_sends_a_zip_privately(h: Harness) -> None:
    await start_event(h)
    await h.post("asker", CHAT_QUESTION)
    await h.settle()
    await h.command("organiser", "/export")
    await h.settle()
    files = h.bot_files()
    assert len(files) == 1, h.bot_texts()
    export = files[0]
    assert export.name.endswith(".zip")
    if h.name != "console":  # the console prints the file's path for whoever is typing
        assert export.private
    with zipfile.ZipFile(io.BytesIO(export.data)) as bundle:
        names = bundle.namelist()
        messages = next(n for n in names if n.endswith("messages.csv"))
        table = list(csv.DictReader(io.StringIO(bundle.read(messages).decode("utf-8"))))
    assert any("cooling centres" in str(row) for row in table)
    assert any("privately" in t for t in h.bot_texts()), h.bot_texts()
    await finish(h)


async def test_redelivered_message_is_stored_once(h: Harness) -> None:
    if h.name == "console":
        pytest.skip("a terminal cannot deliver one message twice")
    await start_event(h)
    question = await h.post("asker", CHAT_QUESTION)
    await h.settle()
    await h.redeliver(question)
    await h.settle()
    stored = await rows(
        h, "SELECT COUNT(*) AS n FROM events WHERE message_id = ?", h.message_key(question)
    )
    assert stored[0]["n"] == 1
    assert h.bot.bus.duplicates >= 1  # the second delivery did reach the bot
    assert await questions(h) == [(1, "open", "detected")]
    await finish(h)


SECOND_QUESTION = "Can landlords be made to fit shading on south-facing flats?"


async def test_detected_questions_and_answers_are_acknowledged_visibly(
    h: Harness, request: pytest.FixtureRequest
) -> None:
    await start_event(h)
    first = await h.post("asker", CHAT_QUESTION)
    await h.settle()
    assert any("question 1" in t for t in h.bot_texts())  # the first one is explained in words
    second = await h.post("asker", SECOND_QUESTION)
    await h.settle()
    # After the first, a detected question is acknowledged by a reaction only.
    on_second = [emoji for handle, emoji in h.bot_reactions() if handle == second]
    assert on_second or any("question 2" in t for t in h.bot_texts())
    await h.reply("panellist", first, "Yes, every night until ten.")
    await h.settle()
    assert await questions(h) == [(1, "answered", "detected"), (2, "open", "detected")]
    # The answer is marked on the question, where everyone can see it.
    assert [e for handle, e in h.bot_reactions() if handle == first] != []
    await finish(h)


async def test_commands_leave_nothing_waiting(h: Harness, request: pytest.FixtureRequest) -> None:
    await start_event(h)
    await h.command("asker", "/help")
    await h.command("asker", "/queue")
    await h.settle()
    assert h.bot_dms("asker") and queue_texts(h)
    assert h.waiting_commands() == []
    await finish(h)
