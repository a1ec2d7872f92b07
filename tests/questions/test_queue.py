"""Asking, acknowledging, withdrawing, anonymous questions, rate limits, the end list."""

from __future__ import annotations

from bot.actions import DirectMessage, Say
from tests.factories import Script
from tests.questions.conftest import cfg, reacts, rows, run, said


def started() -> Script:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    return s


async def test_ask_numbers_in_order_and_detected_questions_get_a_light_ack() -> None:
    s = Script()
    s.say("u_a", "Is anyone there?")  # before the event: not queued
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_a", "/ask What can tenants do right now about hot flats?")
    s.say("u_b", "Evening all, Ben from the council")
    q2 = s.say("u_b", "did the sensors show big differences between types of building?")
    s.say("u_c", "what a great turnout!")
    q3 = s.say("u_c", "I wonder whether the cooling centres reached older people")
    actions, bot = await run(s.lines)
    texts = said(actions)
    assert "Added as question 1. Others can 👍 it." in texts
    assert (q2, "🙋") in reacts(actions) and (q3, "🙋") in reacts(actions)
    # one text ack per channel per minute: the second catch only gets the reaction;
    # the hint about /withdraw goes privately, once per person
    assert sum("in the queue for the panel as question" in t for t in texts) == 1
    hints = [a for a in actions if isinstance(a, DirectMessage) and "/withdraw" in a.text]
    assert sorted(a.user for a in hints) == ["u_b", "u_c"]
    got = await rows(bot, "SELECT number, source, asker FROM questions ORDER BY number")
    assert got == [(1, "ask", "u_a"), (2, "detected", "u_b"), (3, "detected", "u_c")]


async def test_a_false_catch_can_be_withdrawn_by_the_asker_or_a_moderator_only() -> None:
    s = started()
    s.say("u_a", "did the sensors show big differences between types of building?")
    s.say("u_b", "Could the panel say how the flats were chosen?")
    s.say("u_c", "/withdraw 1")  # not theirs
    s.say("u_a", "/withdraw")  # their latest
    s.say("u_mod", "/withdraw 2")
    actions, bot = await run(s.lines)
    texts = said(actions)
    assert "Only the person who asked, or a moderator, can do that to question 1." in texts
    got = await rows(bot, "SELECT number, state FROM questions ORDER BY number")
    assert got == [(1, "withdrawn"), (2, "withdrawn")]


async def test_staff_cues_and_questions_between_participants_are_not_queued() -> None:
    s = started()
    s.say("u_mod", "Jun or Pat, could you take that one?")
    s.say("u_a", "hello, first time here")
    s.say("u_b", "@A are you in Weaver House?", after=1)
    _, bot = await run(s.lines)
    assert await rows(bot, "SELECT number FROM questions") == []


async def test_anonymous_question_by_dm_is_posted_without_a_name() -> None:
    s = started()
    s.say("u_jo", "/ask Is the window policy making things worse?", private=True)
    s.say("u_mod", "/queue")
    actions, bot = await run(s.lines)
    posts = [a for a in actions if isinstance(a, Say) and a.text.startswith("Anonymous")]
    assert posts and posts[0].text == (
        "Anonymous question (#1): Is the window policy making things worse?"
    )
    assert posts[0].target.channel == "main"
    dms = [a for a in actions if isinstance(a, DirectMessage) and a.user == "u_jo"]
    assert "without your name" in dms[0].text
    assert "(anonymous · no votes yet)" in said(actions)[-1]
    got = await rows(bot, "SELECT asker, asker_name, anonymous FROM questions")
    assert got == [(None, "", 1)]
    # nothing else in the store ties u_jo to the question: not the command's row,
    # not the receipt the bot sent them
    theirs = await rows(
        bot,
        "SELECT kind, text FROM events WHERE author = 'u_jo' OR channel = 'dm-u_jo'"
        " UNION ALL SELECT kind, text FROM actions"
        " WHERE recipient = 'u_jo' OR channel = 'dm-u_jo'",
    )
    assert theirs == []
    assert await rows(
        bot, "SELECT author, text FROM events WHERE kind = 'CommandIssued' AND private = 1"
    ) == [("", None)]


async def test_the_anonymous_link_is_kept_only_when_the_organiser_allows() -> None:
    s = started()
    s.say("u_jo", "/ask Is the window policy making things worse?", private=True)
    _, bot = await run(s.lines, cfg(privacy={"keep_anonymous_askers": True}))
    assert await rows(bot, "SELECT asker, anonymous FROM questions") == [("u_jo", 1)]
    texts = await rows(bot, "SELECT text FROM events WHERE author = 'u_jo'")
    assert texts == [("/ask Is the window policy making things worse?",)]


async def test_per_person_rate_limit() -> None:
    s = started()
    for i in range(4):
        s.say("u_a", f"/ask Question number {i} about something else entirely, topic {i}?")
    s.say("u_mod", "/ask A moderator is not limited, is that right?")
    actions, bot = await run(s.lines, cfg({"max_per_person": 3}))
    assert any("asked a few in a row" in t for t in said(actions))
    assert len(await rows(bot, "SELECT id FROM questions")) == 4


async def test_end_of_event_lists_answered_and_open_questions() -> None:
    s = started()
    q1 = s.say("u_a", "/ask What can tenants do right now?")
    s.say("u_b", "/ask Which medicines matter most in a heatwave?")
    s.say("u_pan", "Curtains shut in the day, windows open at night.", reply_to=q1)
    s.say("u_mod", "/event end")
    actions, _ = await run(s.lines)
    end = said(actions)[-1]
    assert end.startswith("What the panel answered (1):")
    assert "#1 What can tenants do right now?" in end
    assert "One question was left open" in end and "#2 Which medicines" in end
