"""The threads module on the real loop: conversation ids stored, /catchup and /threads."""

from __future__ import annotations

from typing import Any

from bot.actions import DirectMessage, Reply
from facilitation.core import CoreModule
from facilitation.questions import QuestionsModule
from facilitation.threads.module import ThreadsModule
from tests.factories import Script, run_script


def _modules(services: Any) -> list[Any]:
    return [CoreModule(services), ThreadsModule(services)]


async def test_conversations_are_stored_and_catchup_is_private(embedder_provider: Any) -> None:
    s = Script(gap=20)
    s.say("u_mod", '/event start "Threads"')
    a1 = s.say("u_ann", "has anyone measured bedroom temperatures in tower blocks?")
    s.say("u_bob", "yes we logged them every ten minutes all summer", reply_to=a1)
    s.say("u_cat", "off topic but is the recording going to be shared afterwards?")
    s.say("u_dan", "the recording goes on the website tomorrow", reply_to="m0004")
    s.say("u_ann", "thanks bob, how hot did the top floors get?", reply_to="m0003")
    s.say("u_eve", "/catchup 30")
    s.say("u_eve", "/threads")

    async def look(bot: Any, adapter: Any) -> None:
        rows = await bot.db.fetchall(
            "SELECT message_id, conversation FROM events WHERE kind = 'MessagePosted'"
        )
        look.conv = {r["message_id"]: r["conversation"] for r in rows}  # type: ignore[attr-defined]

    actions, _ = await run_script(
        s.lines, modules=_modules, embedder=embedder_provider, keep_open=look
    )
    conv = look.conv  # type: ignore[attr-defined]
    assert conv["m0002"] == conv["m0003"] == conv["m0006"]  # reply links are trusted
    assert conv["m0004"] == conv["m0005"]
    assert conv["m0002"] != conv["m0004"]
    catchup = [a for a in actions if isinstance(a, DirectMessage)]
    assert len(catchup) == 1
    assert catchup[0].user == "u_eve"
    assert catchup[0].text.startswith("Here's what you missed in the last 30 minutes")
    assert catchup[0].text.count("•") == 2
    [threads] = [a for a in actions if isinstance(a, Reply)]
    assert threads.text.startswith("Open conversations right now:")
    assert threads.text.count("•") == 2


async def test_catchup_with_nothing_new(embedder_provider: Any) -> None:
    s = Script()
    s.say("u_mod", '/event start "Quiet"')
    s.say("u_ann", "/catchup")
    actions, _ = await run_script(s.lines, modules=_modules, embedder=embedder_provider)
    [dm] = [a for a in actions if isinstance(a, DirectMessage)]
    assert "You're all caught up" in dm.text


async def test_catchup_right_after_saying_hello_looks_back_further(
    embedder_provider: Any,
) -> None:
    s = Script(gap=60)
    s.say("u_mod", '/event start "Back"')
    s.say("u_ann", "what did the sensors show about the top floors?")
    s.say("u_bob", "they were much hotter at night", reply_to="m0002")
    s.say("u_eve", "sorry, stepped away for a bit")
    s.say("u_eve", "/catchup", after=20)
    actions, _ = await run_script(s.lines, modules=_modules, embedder=embedder_provider)
    [dm] = [a for a in actions if isinstance(a, DirectMessage)]
    assert dm.text.startswith("Here's what you missed in the last 15 minutes")
    assert "•" in dm.text


async def test_catchup_says_who_answered_my_question_while_i_was_away(
    embedder_provider: Any,
) -> None:

    def modules(services: Any) -> list[Any]:
        return [CoreModule(services), QuestionsModule(services), ThreadsModule(services)]

    s = Script(gap=30)
    s.say("u_mod", '/event start "Heat panel"')
    q1 = s.say("u_ann", "/ask What can tenants do right now about hot flats?")
    s.say("u_ann", "back in a bit, putting the kettle on")
    s.say("u_pan", "Curtains shut in the day, windows open at night.", reply_to=q1)
    s.say("u_ann", "/catchup")
    actions, _ = await run_script(s.lines, modules=modules, embedder=embedder_provider)
    [dm] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "u_ann"]
    lines = dm.text.splitlines()
    answered = [line for line in lines if "answered your question" in line]
    assert len(answered) == 1
    assert answered[0].startswith("✅ Pan answered")
    assert '"What can tenants do right now about hot flats?"' in answered[0]
    assert '"Curtains shut in the day, windows open at night."' in answered[0]


async def test_catchup_follows_my_question_into_the_one_it_was_merged_into(
    embedder_provider: Any,
) -> None:

    def modules(services: Any) -> list[Any]:
        return [CoreModule(services), QuestionsModule(services), ThreadsModule(services)]

    s = Script(gap=30)
    s.say("u_mod", '/event start "Heat panel"')
    q1 = s.say("u_bob", "/ask What can tenants do right now about hot flats?")
    s.say("u_ann", "/ask Is there anything renters can do today when the flat overheats?")
    s.say("u_mod", "/merge 2 1")
    s.say("u_ann", "back in a bit, putting the kettle on")
    s.say("u_pan", "Curtains shut in the day, windows open at night.", reply_to=q1)
    s.say("u_ann", "/catchup")
    actions, _ = await run_script(s.lines, modules=modules, embedder=embedder_provider)
    [dm] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "u_ann"]
    [answered] = [line for line in dm.text.splitlines() if "answered your question" in line]
    assert answered.startswith("✅ Pan answered")
    assert '"Is there anything renters can do today when the flat overheats?"' in answered
    assert '"Curtains shut in the day, windows open at night."' in answered
