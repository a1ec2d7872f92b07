"""The rolling digest's mark is a claim: of two workers due at once, one posts."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Database
from facilitation.report.store import ReportStore
from tests.factories import T0


async def test_only_the_first_move_of_the_digest_mark_lands(store_target: str) -> None:
    db = await Database.open(store_target)
    try:
        first, second = ReportStore(db), ReportStore(db)
        await first.setup()
        # no digest yet: both believe the mark is the event's start
        assert await first.claim_digest(7, T0, T0 + timedelta(minutes=15), 40)
        assert not await second.claim_digest(7, T0, T0 + timedelta(minutes=15), 41)
        assert await first.last_digest(7) == (T0 + timedelta(minutes=15), 40)
        # the next one: only a worker that knows where the mark is now may move it
        later = T0 + timedelta(minutes=30)
        assert not await second.claim_digest(7, T0, later, 90)
        assert await second.claim_digest(7, T0 + timedelta(minutes=15), later, 90)
        assert await first.last_digest(7) == (later, 90)
    finally:
        await db.close()
