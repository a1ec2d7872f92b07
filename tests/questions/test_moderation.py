"""Pre-moderation, the moderators' tools, permission refusals and answers."""

from __future__ import annotations

from bot.actions import DirectMessage
from tests.factories import Script
from tests.questions.conftest import cfg, reacts, rows, run, said


def started() -> Script:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    return s


async def test_participants_cannot_use_moderator_or_panel_commands() -> None:
    s = started()
    s.say("u_a", "/ask What can tenants do right now?")
    for cmd in ("/now 1", "/pin 1", "/reject 1", "/merge 1 1", "/answer 1 yes", "/answered 1"):
        s.say("u_b", cmd)
    actions, bot = await run(s.lines)
    refusals = [t for t in said(actions) if t.startswith("Sorry, /")]
    assert len(refusals) == 6
    assert await rows(bot, "SELECT state, pinned FROM questions") == [("open", 0)]


async def test_premoderation_holds_questions_until_approved() -> None:
    s = started()
    s.say("u_a", "/ask What can tenants do right now?")
    s.say("u_jo", "/ask Is the window policy making things worse?", private=True)
    s.say("u_a", "/queue")
    s.say("u_mod", "/queue")
    s.say("u_mod", "/approve 1")
    s.say("u_mod", "/approve 2")
    s.say("u_mod", "/approve 2")
    actions, bot = await run(s.lines, cfg({"premoderation": True}))
    texts = said(actions)
    assert any("once a moderator has had a look" in t for t in texts)
    queues = [t for t in texts if "open questions" in t.lower() or "Waiting" in t]
    assert queues[0].startswith("No open questions yet")  # participants don't see waiting ones
    # the moderator's /queue shows the room the same, and tells the moderator alone what waits
    assert queues[1].startswith("No open questions yet")
    notes = [a for a in actions if isinstance(a, DirectMessage) and "Waiting" in a.text]
    assert [(a.user, a.text) for a in notes] == [("u_mod", "Waiting for approval: #1, #2")]
    first_post = next(i for i, t in enumerate(texts) if t.startswith("Anonymous question"))
    assert first_post > texts.index(notes[0].text)
    assert "Anonymous question (#2): Is the window policy making things worse?" in texts
    assert "Question 2 isn't waiting for approval." in texts
    assert await rows(bot, "SELECT state FROM questions") == [("open",), ("open",)]


async def test_reject_sends_the_reason_privately_to_the_asker() -> None:
    s = started()
    s.say("u_h", "/ask Is anyone here from the council about the bins?")
    s.say("u_mod", "/reject 1 off topic")
    actions, bot = await run(s.lines)
    dms = [a for a in actions if isinstance(a, DirectMessage) and a.user == "u_h"]
    assert dms and dms[0].text.endswith("won't put it to the panel this time: off topic")
    assert await rows(bot, "SELECT state, reject_reason FROM questions") == [
        ("rejected", "off topic")
    ]


async def test_edit_pin_now_answered_reopen() -> None:
    s = started()
    s.say("u_a", "/ask whta can tenants do")
    s.say("u_b", "/ask Which medicines matter most?")
    s.say("u_mod", "/edit 1 What can tenants do right now?")
    s.say("u_mod", "/pin 2")
    s.say("u_mod", "/now 1")
    s.say("u_mod", "/now 2")
    s.say("u_mod", "/queue")
    s.say("u_mod", "/answered 2")
    s.say("u_mod", "/reopen 2")
    actions, bot = await run(s.lines)
    texts = said(actions)
    assert "Now answering question 1 from A: What can tenants do right now?" in texts
    queue = next(t for t in texts if t.startswith("Open questions")).splitlines()
    assert queue[1].startswith("▶️ #2") and queue[2].startswith("#1 What can tenants do right")
    got = await rows(bot, "SELECT number, state, text FROM questions ORDER BY number")
    assert got == [
        (1, "open", "What can tenants do right now?"),
        (2, "open", "Which medicines matter most?"),
    ]


async def test_a_panellist_reply_links_the_answer_and_records_the_time() -> None:
    s = started()
    q1 = s.say("u_a", "/ask What can tenants do right now?")
    s.say("u_b", "I've had the same trouble", reply_to=q1, after=0)  # not a panellist
    s.say("u_pan", "Shut curtains on the sunny side.", reply_to=q1, after=90)
    s.say("u_pan", "And a fan helps up to the mid-30s.", reply_to=q1, after=30)
    s.say("u_b", "/ask Which medicines matter most?")
    s.say("u_pan", "/answer 2 Water tablets and some blood pressure tablets.")
    actions, bot = await run(s.lines)
    assert (q1, "✅") in reacts(actions)
    got = await rows(
        bot,
        "SELECT q.number, q.state, COUNT(a.id),"
        " CAST(ROUND((julianday(q.first_answer_at) - julianday(q.asked_at)) * 86400) AS INT)"
        " FROM questions q JOIN question_answers a ON a.question_id = q.id"
        " GROUP BY q.id ORDER BY q.number",
    )
    assert got == [(1, "answered", 2, 90), (2, "answered", 1, 5)]
