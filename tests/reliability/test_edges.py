"""Times no chat could have are refused at the edge, and a long span never blows up."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Roundtable
from bot.clock import FakeClock
from facilitation.ledger.data import Message
from facilitation.report.analysis import timeline
from tests.factories import T0, config, message


def _msg(ts: datetime, n: int) -> Message:
    return Message(
        seq=n,
        platform="replay",
        message_id=f"m{n}",
        channel="main",
        thread=None,
        conversation=None,
        ts=ts,
        author=("replay", f"u{n}"),
        author_name=f"u{n}",
        text="hi",
        reply_to=None,
        mentions=(),
        links=(),
    )


@pytest.mark.parametrize("years", [1, 80, 7000])
def test_a_timeline_over_any_span_has_at_most_40_bins(years: int) -> None:
    first = datetime(1971, 1, 1, tzinfo=UTC)
    messages = [_msg(first, 1), _msg(first + timedelta(days=365 * years), 2)]
    line = timeline(messages)
    assert 2 <= len(line.starts) <= 41 and sum(line.messages) == 2


async def test_the_bot_drops_an_event_from_year_9999_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = config({"models": {"enabled": False}})
    async with Roundtable(
        cfg, clock=FakeClock(T0), db_path=":memory:", modules=lambda s: []
    ) as bot:
        far = replace(message("from the future"), ts=datetime(9999, 12, 31, tzinfo=UTC))
        near = message("from today")
        with caplog.at_level(logging.WARNING, logger="roundtable"):
            assert await bot.bus.publish(far) is False
            assert await bot.bus.publish(near) is True
        await bot.drain()
        rows = await bot.db.fetchall("SELECT text FROM events")
    assert [r["text"] for r in rows] == ["from today"]
    assert "implausible" in caplog.text
