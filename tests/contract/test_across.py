"""One event across platforms, over the real client libraries and the fakes.

The same bot serves a Discord channel, a Slack channel and a Telegram group that
belong to one event: one queue (a question has the same number everywhere), panel
answers and the bot's queue posts in every channel, attributed and mention-safe,
within each platform's length limit; linked accounts vote once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.multi import event_across, settle
from tests.fakes.discord_fake import CHANNEL_ID

QUESTION = "How will the heat plan reach people who live alone? @everyone"
SECOND = "Can landlords be made to fit shading on south-facing flats?"
NAMES = {"discord": "Discord", "slack": "Slack", "telegram": "Telegram"}


@pytest.fixture
async def warm(embedder_provider: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    embedder = await embedder_provider.get()
    if embedder is not None:
        await embedder.embed(["warming up"])
    return embedder_provider


@pytest.fixture(params=[("discord", "slack"), ("telegram", "discord")], ids=lambda p: "+".join(p))
async def pair(
    request: pytest.FixtureRequest, tmp_path: Path, warm: Any
) -> AsyncIterator[dict[str, Any]]:
    async with event_across(request.param, tmp_path, warm) as across:
        yield across


@pytest.fixture
async def three(tmp_path: Path, warm: Any) -> AsyncIterator[dict[str, Any]]:
    async with event_across(("discord", "slack", "telegram"), tmp_path, warm) as across:
        yield across


async def count(h: Any, sql: str, *params: Any) -> int:
    row = await h.bot.db.fetchone(sql, params)
    return int(row[0])


async def no_problems(across: dict[str, Any]) -> None:
    for h in across.values():
        assert await h.problems() == []


def no_mass_mention(texts: list[str]) -> None:
    for text in texts:
        assert "@everyone" not in text and "@here" not in text and "<!" not in text


async def test_two_platforms_share_the_queue_the_panel_and_the_end(pair: dict[str, Any]) -> None:
    (a_name, a), (b_name, b) = pair.items()
    await a.command("moderator", '/event start "Contract test"')
    await settle(pair)
    assert any("/optout" in t for t in b.bot_texts()), b.bot_texts()  # the welcome, there too

    # Asked on B: question 1 everywhere, and the copy on A says where it came from.
    await b.command("asker", f"/ask {QUESTION}")
    await settle(pair)
    mirrored = [t for t in a.bot_texts() if "Question 1 from" in t]
    assert len(mirrored) == 1 and f"on {NAMES[b_name]}" in mirrored[0], a.bot_texts()
    assert "heat plan" in mirrored[0]
    no_mass_mention(a.bot_texts())
    if a_name == "discord":
        assert not any(m["pings_everyone"] or m["pings_users"] for m in a.fake.sent)

    # A vote on the copy counts for the question.
    copy = a.bot_message("Question 1 from")
    await a.react("voter", copy)
    await settle(pair)
    assert await count(a, "SELECT COUNT(*) FROM question_votes") == 1

    # A second question, asked on A, is number 2 on B.
    await a.command("voter", f"/ask {SECOND}")
    await settle(pair)
    assert any("Question 2 from" in t and "shading" in t for t in b.bot_texts()), b.bot_texts()

    # The panellist answers on A by replying to the copy: relayed to B, attributed.
    await a.reply("panellist", copy, "Yes: the council phones everyone on its list.")
    await settle(pair)
    assert await count(a, "SELECT COUNT(*) FROM questions WHERE state = 'answered'") == 1
    relayed = [t for t in b.bot_texts() if "answering question 1" in t]
    assert relayed and f"(panel, on {NAMES[a_name]})" in relayed[0], b.bot_texts()
    assert "phones everyone" in relayed[0]

    # The end: the list of open questions, with the invitation to answer later, everywhere.
    await b.command("moderator", "/event end")
    await settle(pair)
    for h in (a, b):
        assert any("/answer N" in t and "#2" in t for t in h.bot_texts()), h.bot_texts()

    # After the end, the panel answers question 2: every channel, and the asker privately.
    await b.command("panellist", "/answer 2 Not yet, but the council is asking for that power.")
    await settle(pair)
    for h in (a, b):
        late = [t for t in h.bot_texts() if "After “Contract test”" in t]
        assert late and "question 2" in late[0] and "asking for that power" in late[0]
    assert any("Good news" in t and "asking for that power" in t for t in a.bot_dms("voter"))
    await no_problems(pair)


async def test_three_platforms_one_number_linked_accounts_vote_once(
    three: dict[str, Any],
) -> None:
    discord, slack, telegram = three["discord"], three["slack"], three["telegram"]
    await telegram.command("moderator", '/event start "Contract test"')
    await settle(three)
    await telegram.command("asker", f"/ask {QUESTION}")
    await settle(three)
    await discord.command("asker", f"/ask {SECOND}")
    await settle(three)
    for h in (discord, slack):
        assert any("Question 1 from" in t and "on Telegram" in t for t in h.bot_texts())
    for h in (slack, telegram):
        assert any("Question 2 from" in t and "on Discord" in t for t in h.bot_texts())
        no_mass_mention(h.bot_texts())

    # Noor links her Telegram and Slack accounts with a one-time code.
    await telegram.command("voter", "/link")
    await settle(three)
    code = re.search(r"\b([A-Z2-9]{6})\b", telegram.bot_dms("voter")[-1])
    assert code is not None, telegram.bot_dms("voter")
    await discord.command("voter", "/link ZZZZZZ")  # a wrong code: a clear reply
    await slack.command("voter", f"/link {code.group(1)}")
    await settle(three)
    assert any("doesn't match" in t for t in discord.bot_dms("voter"))
    assert any("linked" in t and "Slack" in t for t in slack.bot_dms("voter"))
    await slack.command("voter", f"/link {code.group(1)}")  # used once only
    await settle(three)
    assert "doesn't match" in slack.bot_dms("voter")[-1]

    # She votes on Slack (a 👍 on the copy), then again on Telegram: one vote.
    await slack.react("voter", slack.bot_message("Question 1 from"))
    await settle(three)
    await telegram.command("voter", "/upvote 1")
    await settle(three)
    assert any("already voted" in t for t in telegram.bot_dms("voter")), telegram.bot_dms("voter")
    await discord.command("voter", "/upvote 1")  # her Discord account is not linked
    await settle(three)
    await discord.command("moderator", "/queue")
    await settle(three)
    line = next(ln for ln in discord.bot_texts()[-1].splitlines() if ln.startswith("#1 "))
    assert "2 votes" in line, discord.bot_texts()[-1]
    # the moderator's queue is shown to the whole event
    assert any("2 votes" in t for t in slack.bot_texts())

    # A long panel answer on Slack reaches Discord in pieces within its 2,000 characters.
    long_answer = "We will write to everyone on the list. " * 80 + "The end."
    await slack.command("panellist", f"/answer 1 {long_answer}")
    await settle(three)
    pieces = [m["content"] for m in discord.fake.sent if m["channel_id"] == CHANNEL_ID]
    assert all(len(p) <= 2000 for p in pieces)
    assert any(p.rstrip().endswith("The end.") for p in pieces)
    assert any("The end." in t for t in telegram.bot_texts())
    await no_problems(three)
