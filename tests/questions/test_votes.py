"""Votes by reaction and /upvote: one per person, removable, never the asker's own."""

from __future__ import annotations

from tests.factories import Script
from tests.questions.conftest import rows, run, said


def event_with_question() -> tuple[Script, str]:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    mid = s.say("u_a", "/ask What can tenants do right now?")
    return s, mid


async def votes(bot: object) -> list[tuple[str, str]]:
    return await rows(bot, "SELECT voter, via FROM question_votes ORDER BY voter")


async def test_reaction_votes_once_per_person_and_removal_removes_it() -> None:
    s, mid = event_with_question()
    s.react("u_b", mid)
    s.react("u_b", mid, "👍🏽")  # same person, another skin tone: still one vote
    s.react("u_c", mid)
    s.react("u_d", mid, "🎉")  # not the vote emoji
    s.react("u_c", mid, remove=True)
    _, bot = await run(s.lines)
    assert await votes(bot) == [("u_b", "reaction")]


async def test_the_askers_own_vote_is_not_counted() -> None:
    s, mid = event_with_question()
    s.react("u_a", mid)
    s.say("u_a", "/upvote 1")
    actions, bot = await run(s.lines)
    assert await votes(bot) == []
    assert "That's your own question, so it already counts." in said(actions)


async def test_upvote_command_counts_like_a_reaction() -> None:
    s, mid = event_with_question()
    s.say("u_b", "/upvote 1")
    s.say("u_b", "/upvote 1")
    s.react("u_b", mid)  # already voted by command
    s.react("u_b", mid, remove=True)  # removing a reaction leaves the /upvote vote
    s.say("u_c", "/upvote 9")
    s.say("u_c", "/upvote one")
    actions, bot = await run(s.lines)
    texts = said(actions)
    assert "You've already voted for question 1." in texts
    assert any(t.startswith("I can't find question 9") for t in texts)
    assert any("should be a number" in t for t in texts)
    assert await votes(bot) == [("u_b", "command")]


async def test_votes_on_a_closed_question_are_refused() -> None:
    s, _ = event_with_question()
    s.say("u_pan", "/answer 1 Curtains shut in the day.")
    s.say("u_b", "/upvote 1")
    actions, bot = await run(s.lines)
    texts = said(actions)
    assert any("answered question 1" in t and "Curtains shut" in t for t in texts)
    assert "Question 1 has been answered already, so it takes no more votes." in texts
    assert await votes(bot) == []


async def test_ranking_puts_votes_first_and_lifts_people_not_yet_heard() -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    q1 = s.say("u_a", "/ask First question about heat and sleep?")
    s.say("u_b", "/ask Second question about medicines?")
    q3 = s.say("u_a", "/ask Third question about windows and security?")
    s.react("u_c", q3)
    s.react("u_d", q3)
    s.say("u_pan", "answer to the first", reply_to=q1)
    s.say("u_mod", "/queue")
    actions, _ = await run(s.lines)
    queue = said(actions)[-1].splitlines()
    assert queue[1].startswith("#3 ") and "2 votes" in queue[1]
    assert queue[2].startswith("#2 ")
