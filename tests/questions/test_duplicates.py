"""Duplicates: merged with a tally and credit; moderators merge and split by hand."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions import DirectMessage
from bot.embeddings import cosine
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.queue import for_matching
from tests.factories import Script
from tests.questions.conftest import cfg, rows, run, said

# (a, b): the same question in other words / a different question on the same topic
PARAPHRASES = [
    ("When will the final report be out?", "When is the final report going to be published?"),
    ("How did you recruit the young carers?", "How were the young carers recruited?"),
    ("Is this being recorded?", "Will there be a recording of this session?"),
    (
        "Is the council planning to run the cool spaces again this summer?",
        "anyone know if the council's doing the cool spaces again this year?",
    ),
    (
        "I wonder whether the cooling centres actually reached older people. Most of our"
        " members had never heard of them",
        "Did many older people actually use the cool spaces? My mum is 81 and had no idea"
        " they existed",
    ),
]
DIFFERENT = [
    ("Which medicines matter most in a heatwave?", "Which councils are doing this well?"),
    (
        "Is the council planning to run the cool spaces again this summer?",
        "Did many older people actually use the cool spaces?",
    ),
    (
        "Is there any legal duty on landlords to deal with overheating?",
        "can the council make landlords put shading on the buildings",
    ),
    ("Will the sensor data be made open?", "Jun did you measure humidity as well?"),
    (
        "Pat, is it the hot nights or the hot days that show up in admissions?",
        "Pat, did the hospital data show anything for younger people?",
    ),
]


async def test_paraphrases_merge_or_are_suggested_and_different_questions_never_merge(
    embedder_provider: Any,
) -> None:
    emb = await embedder_provider.get()
    cfg_ = QuestionsConfig()

    async def sim(a: str, b: str) -> float:
        vecs = await emb.embed([for_matching(a), for_matching(b)])
        return float(cosine(vecs[:1], vecs[1:])[0, 0])

    assert all([await sim(a, b) >= cfg_.suggest_threshold for a, b in PARAPHRASES])
    assert all([await sim(a, b) < cfg_.duplicate_threshold for a, b in DIFFERENT])
    assert cfg_.suggest_threshold < cfg_.duplicate_threshold


async def test_a_paraphrase_is_merged_with_a_tally_and_the_askers_credited(
    embedder_provider: Any,
) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_alex", "/ask Is the council planning to run the cool spaces again this summer?")
    s.say("u_kwame", "will the council do the cool spaces again this year?")
    s.say("u_ruth", "/ask Is the council going to run the cool spaces again this summer?")
    s.say("u_alex", "/ask Will the council run cool spaces again this summer?")
    s.say("u_mod", "/queue")
    actions, bot = await run(s.lines, cfg(models={"enabled": True}), embedder=embedder_provider)
    texts = said(actions)
    assert sum("very like this (question 1)" in t for t in texts) == 2
    assert "You've already asked that one: it's question 1." in texts
    assert "also asked by 2 others" in texts[-1]
    got = await rows(bot, "SELECT number, state, merged_into FROM questions ORDER BY number")
    # the repeat is kept, merged, so its message still stands for question 1
    assert got == [(1, "open", None), (2, "merged", 1), (3, "merged", 1), (4, "merged", 1)]


async def test_without_models_only_near_exact_repeats_merge() -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_a", "/ask When will the final report be out?")
    s.say("u_b", "/ask when will the final report be out")
    s.say("u_c", "/ask When is the final report going to be published?")
    _, bot = await run(s.lines)
    got = await rows(bot, "SELECT number, state FROM questions ORDER BY number")
    assert got == [(1, "open"), (2, "merged"), (3, "open")]


async def test_merge_and_split_by_hand_move_votes_and_credit() -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_a", "/ask Who pays for the shutters?")
    q2 = s.say("u_b", "/ask Will shading costs be passed on to tenants?")
    s.react("u_c", q2)
    s.say("u_mod", "/merge 2 1")
    s.react("u_d", q2)  # a vote on the merged question counts for the one it joined
    s.say("u_mod", "/queue")
    s.say("u_mod", "/split 2")
    s.say("u_mod", "/split 2")
    s.say("u_mod", "/merge 1 1")
    actions, bot = await run(s.lines)
    texts = said(actions)
    assert "Merged question 2 into question 1. Also asked by one other person." in texts
    queue = next(t for t in texts if t.startswith("Open questions"))
    assert "#1 Who pays for the shutters? (A · 2 votes · also asked by one other person)" in queue
    assert "#2" not in queue
    assert "Question 2 wasn't merged into another." in texts
    assert "Those are the same question." in texts
    got = await rows(bot, "SELECT number, state, merged_into FROM questions ORDER BY number")
    assert got == [(1, "open", None), (2, "open", None)]


@pytest.mark.parametrize("threshold", [0.0, 1.5])
def test_the_threshold_is_validated(threshold: float) -> None:
    with pytest.raises(ValueError, match="duplicate_threshold"):
        QuestionsConfig(duplicate_threshold=threshold)


async def test_a_suggested_merge_goes_to_the_moderator_alone_with_the_command_ready(
    embedder_provider: Any,
) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_a", "/ask " + PARAPHRASES[4][0])
    s.say("u_b", "/ask " + PARAPHRASES[4][1])
    s.say("u_mod", "/queue")
    actions, bot = await run(s.lines, cfg(models={"enabled": True}), embedder=embedder_provider)
    assert await rows(bot, "SELECT number, state FROM questions ORDER BY number") == [
        (1, "open"),
        (2, "open"),
    ]
    private = [a for a in actions if isinstance(a, DirectMessage)]
    assert [(a.user, a.text) for a in private if "/merge" in a.text] == [
        ("u_mod", "#2 may be the same as #1. To merge them: /merge 2 1")
    ]
    public = [t for t in said(actions) if t not in {a.text for a in private}]
    assert any(t.startswith("Open questions") for t in public)
    assert not any("/merge" in t for t in public)


async def test_two_vague_questions_never_merge_however_alike(embedder_provider: Any) -> None:
    s = Script()
    s.say("u_mod", '/event start "Ubuntu help"')
    s.say("u_kiz", "/ask how do i find out")
    s.say("u_yog", "/ask how do i find out?")
    s.say("u_a", "/ask Is this being recorded?")
    s.say("u_b", "/ask is this session being recorded?")
    _, bot = await run(s.lines, cfg(models={"enabled": True}), embedder=embedder_provider)
    got = await rows(bot, "SELECT number, state, merged_into FROM questions ORDER BY number")
    # a vague one still merges into a question that says what it asks
    assert got == [(1, "open", None), (2, "open", None), (3, "open", None), (4, "merged", 3)]
