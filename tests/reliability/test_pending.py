"""A stored, unhandled event comes back from the store exactly as it was published.

The pending row keeps only what the events row lacks (see bot.store.codec), so
every kind is checked with every field set away from its default.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import events as ev
from bot.events import Event
from bot.store import Database, SQLiteEventLog
from bot.store.codec import KINDS, encode_event, encode_extra

T = datetime(2026, 3, 12, 18, 0, 5, 123456, tzinfo=UTC)
WHERE = dict(
    platform="discord",
    community="guild 1",
    channel="c-9",
    ts=T,
    author="u_ann",
    author_name="Ann Ó Briain",
    thread="t-1",
    private=True,
    author_roles=frozenset({"moderator", "panellist"}),
    delivery_id="d-77",
)

EVERY_KIND: list[Event] = [
    ev.MessagePosted(**WHERE, message_id="m1", text="héllo 🌡️\nline", reply_to="m0",
                     mentions=("u_bo", "u_cy"), links=("https://x.org/a",), from_bot=True),
    ev.MessageEdited(**WHERE, message_id="m1", text="edited", mentions=("u_bo",),
                     links=("https://y.org",)),
    ev.MessageDeleted(**WHERE, message_id="m1"),
    ev.ReactionAdded(**WHERE, message_id="m1", emoji="👍🏽"),
    ev.ReactionRemoved(**WHERE, message_id="m1", emoji=":+1:"),
    ev.MemberJoined(**WHERE),
    ev.MemberLeft(**WHERE),
    ev.CommandIssued(**WHERE, name="ask", args='"Why?" please', message_id=None,
                     reply_to="m2", mentions=("u_bo",), interaction_id="i-5"),
    ev.SessionChanged(**WHERE, session_id=4, state="ended", title="Heat panel"),
    # defaults everywhere they are allowed
    ev.MessagePosted(platform="slack", community="T", channel="C", ts=T, author="U",
                     message_id="m9", text=""),
    ev.CommandIssued(platform="slack", community="T", channel="C", ts=T, author="U",
                     name="queue"),
]  # fmt: skip


def test_every_kind_of_event_is_covered() -> None:
    assert {type(e).__name__ for e in EVERY_KIND} == set(KINDS)


async def test_pending_events_come_back_equal(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "rt.db")
    log = SQLiteEventLog(db)
    await log.setup()
    stored = await log.append(EVERY_KIND, [None] * len(EVERY_KIND))
    assert all(s.fresh for s in stored)
    back = [event for _, event in await log.pending()]
    assert back == EVERY_KIND
    for original, again in zip(EVERY_KIND, back, strict=True):
        for f in dataclasses.fields(original):
            if f.name != "raw":
                assert type(getattr(again, f.name)) is type(getattr(original, f.name)), f.name
    # a plain message keeps nothing beside its row
    assert encode_extra(EVERY_KIND[-2]) == ""
    await log.close()
    await db.close()


async def test_a_pending_row_written_in_the_old_full_form_still_reads(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "rt.db")
    log = SQLiteEventLog(db)
    await log.setup()
    event = EVERY_KIND[0]
    [done] = await log.append([event], [None])
    await db.execute(
        "UPDATE pending SET payload = ? WHERE seq = ?", (encode_event(event), done.seq)
    )
    assert [e for _, e in await log.pending()] == [event]
    await log.close()
    await db.close()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"author_roles": frozenset({1})}, "author_roles should list texts"),  # type: ignore[arg-type]
        ({"delivery_id": 7}, "delivery_id should be text"),
        ({"author_name": "x\udc00"}, "author_name has a character that is not valid"),
        ({"ts": "2026-03-12"}, "ts should be a time"),
        ({"private": "false"}, "private should be true or false"),
    ],
)
async def test_a_bad_field_is_still_refused(
    tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    db = await Database.open(tmp_path / "rt.db")
    log = SQLiteEventLog(db)
    await log.setup()
    bad = dataclasses.replace(EVERY_KIND[0], **change)  # type: ignore[arg-type]
    [result] = await log.append([bad], [None])
    assert result.refused is not None and reason in result.refused
    assert await log.pending() == []
    await log.close()
    await db.close()
