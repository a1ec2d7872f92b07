"""The live map of conversations, /threads and the private /catchup digest."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.prompts import Prompts
from facilitation.threads.message import Link, ThreadMessage
from facilitation.threads.threadmap import ThreadMap, catchup_text, threads_text
from tests.threads.conftest import START


def _feed(tmap: ThreadMap, rows: list[tuple[int, str, str, str]]) -> None:
    """rows: (minute, author, text, conversation)."""
    for i, (minute, author, text, conv) in enumerate(rows):
        msg = ThreadMessage(
            id=f"m{i}",
            author=author,
            author_name=author,
            text=text,
            ts=START + timedelta(minutes=minute),
        )
        tmap.add(msg, Link(msg.id, (conv,), conv))


def _map() -> tuple[ThreadMap, FakeClock]:
    clock = FakeClock(START + timedelta(minutes=20))
    tmap = ThreadMap(clock, idle_minutes=30)
    _feed(
        tmap,
        [
            (0, "ann", "how do we measure the reach of the research?", "c1"),
            (1, "bob", "ann: we counted participants per platform", "c1"),
            (2, "cat", "anyone know when the panel starts?", "c2"),
            (3, "dan", "cat: at six, after the coffee break", "c2"),
            (5, "cat", "dan: thanks", "c2"),
            (12, "bob", "reach across platforms differs a lot", "c1"),
            (15, "eve", "participants from policy teams were new this time", "c1"),
        ],
    )
    return tmap, clock


def _link(message_id: str) -> str:
    return f"<https://chat.example/{message_id}>"


def test_map_lists_open_conversations_latest_first_with_people_and_words() -> None:
    tmap, _ = _map()
    assert [c.id for c in tmap.open_conversations()] == ["c1", "c2"]
    c1 = tmap.get("c1")
    assert c1 is not None
    assert set(c1.people) == {"ann", "bob", "eve"}
    assert "participants" in tmap.keywords(c1) or "reach" in tmap.keywords(c1)
    text = threads_text(Prompts.load(), tmap, link_for=_link)
    lines = text.splitlines()
    assert len(lines) == 3
    assert "bob" in lines[1]
    assert "https://chat.example/m6" in lines[1]


def test_idle_conversations_close() -> None:
    tmap, clock = _map()
    clock.advance(33 * 60)  # c2's last message is now 48 minutes old, c1's 38
    assert tmap.open_conversations() == []
    assert threads_text(Prompts.load(), tmap) == Prompts.load()("threads.map.empty")


def test_catchup_since_my_last_message_lists_what_moved() -> None:
    tmap, _ = _map()
    # dan last spoke at minute 3: c2 moved once since (cat), c1 twice (bob, eve)
    text = catchup_text(Prompts.load(), tmap, author="dan", link_for=_link)
    lines = text.splitlines()
    assert lines[0] == "Here's what you missed since your last message:"
    assert len(lines) == 3
    assert "ann" in lines[1]
    assert "2 new messages" in lines[1]
    assert "1 new message)" in lines[2]
    assert "https://chat.example/m4" in lines[2]


def test_catchup_for_the_last_minutes_skips_older_conversations() -> None:
    tmap, _ = _map()
    text = catchup_text(Prompts.load(), tmap, author="zed", minutes=10)
    lines = text.splitlines()
    assert "10 minutes" in lines[0]
    assert len(lines) == 2  # only c1 moved in the last 10 minutes
    assert "2 new messages" in lines[1]


def test_catchup_does_not_report_my_own_monologue() -> None:
    clock = FakeClock(START + timedelta(minutes=5))
    tmap = ThreadMap(clock)
    _feed(tmap, [(0, "ann", "hello?", "c1"), (1, "ann", "anyone here?", "c1")])
    text = catchup_text(Prompts.load(), tmap, author="ann", minutes=30)
    assert text == "Nothing new in the last 30 minutes. You're all caught up."
