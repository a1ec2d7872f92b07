"""The bot keeps model maths to ``[models] threads`` (spinning threads stall the loop)."""

from __future__ import annotations

from threadpoolctl import threadpool_info, threadpool_limits

from bot.app import Roundtable
from bot.clock import FakeClock
from tests.factories import config


async def test_the_bot_limits_blas_threads_to_the_configured_count() -> None:
    with threadpool_limits(limits=None):  # restores the process's own limits afterwards
        cfg = config({"models": {"enabled": False, "threads": 1}})
        async with Roundtable(cfg, clock=FakeClock(), db_path=":memory:", modules=lambda s: []):
            blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
            assert blas, "numpy's BLAS was not found"
            assert all(p["num_threads"] == 1 for p in blas)
