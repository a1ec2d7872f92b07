"""A real bot (core, questions, report, ledger, dashboard) on a database file, with its
dashboard served by aiohttp's test server, and a chat room to talk to it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.replay import ReplayAdapter
from bot.actions import DirectMessage
from bot.app import Roundtable
from bot.clock import FakeClock
from bot.events import MessagePosted, extract_links
from facilitation.base import Services
from facilitation.core import CoreModule
from facilitation.dashboard.module import DashboardModule
from facilitation.ledger.module import LedgerModule
from facilitation.questions import QuestionsModule
from facilitation.report.module import ReportModule
from facilitation.snapshots.module import SnapshotsModule
from facilitation.threads.module import ThreadsModule
from tests.factories import T0, config
from tests.snapshots.conftest import FakeProvider

LINK = re.compile(r"http://\S+/login\?token=\S+")


@dataclass
class Room:
    """The event channel ``replay:c:main`` and the people in it."""

    bot: Roundtable
    adapter: ReplayAdapter
    dash: DashboardModule
    clock: FakeClock
    wall: FakeClock
    n: int = 0

    async def say(self, author: str, text: str, *, private: bool = False) -> str:
        self.n += 1
        self.clock.advance(5)
        mid = f"m{self.n}"
        await self.bot.bus.publish(
            MessagePosted(
                platform="replay",
                community="c",
                channel=f"dm-{author}" if private else "main",
                ts=self.clock.now(),
                author=author,
                author_name=author.removeprefix("u_").title(),
                message_id=mid,
                text=text,
                private=private,
                links=extract_links(text),
            )
        )
        await self.bot.drain()
        return mid

    async def link(self, author: str) -> str:
        """Ask for a dashboard link in the channel; return the link sent by DM."""
        before = len(self.adapter.sent)
        await self.say(author, "/dashboard")
        dms = [
            a
            for a in self.adapter.sent[before:]
            if isinstance(a, DirectMessage) and a.user == author
        ]
        assert dms, f"no DM for {author}: {self.adapter.sent[before:]}"
        found = LINK.search(dms[-1].text)
        assert found is not None
        return found.group(0)

    async def sign_in(self, client: TestClient, author: str) -> str:
        """Sign ``client`` in as ``author``; return the page's CSRF token."""
        client.session.cookie_jar.clear()
        link = await self.link(author)
        path = link.split("//", 1)[1].split("/", 1)[1]
        resp = await client.get("/" + path)
        assert resp.status == 200, await resp.text()
        return csrf_of(await resp.text())

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.bot.db.fetchall(sql, params)]

    async def state(self, n: int) -> str:
        [(state,)] = await self.rows("SELECT state FROM questions WHERE number = ?", n)
        return str(state)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf" value="([^"]+)"', html
    )
    assert found is not None, html[:500]
    return found.group(1)


def dashboard_config(tmp_path: Path, **more: Any) -> Any:
    base: dict[str, Any] = {
        "models": {"enabled": False},
        "bot": {"out_dir": str(tmp_path / "out")},
        "roles": {
            "organisers": ["replay:u_org"],
            "moderators": ["replay:u_mod"],
            "panellists": ["replay:u_pan"],
        },
        "events": [
            {"id": "panel", "title": "Heat panel", "series": "talks", "channels": ["replay:c:main"]}
        ],
        "report": {"post_on_end": False},
    }
    base.update(more)
    return config(base)


@asynccontextmanager
async def open_room(
    tmp_path: Path,
    *,
    snapshots: dict[str, Any] | None = None,
    without: frozenset[str] = frozenset(),
) -> AsyncIterator[Room]:
    """The bot in a room; with ``snapshots`` settings, the snapshots module too (fake
    embedder, no poller); ``without`` leaves the modules of those names out."""
    clock, wall = FakeClock(T0), FakeClock(T0)
    holder: dict[str, DashboardModule] = {}

    def modules(s: Services) -> list[Any]:
        mods: list[Any] = [
            CoreModule(s),
            ThreadsModule(s),
            QuestionsModule(s),
            ReportModule(s),
            LedgerModule(s),
        ]
        if snapshots is not None:
            mods.insert(1, SnapshotsModule(s, progress=lambda _p: None, poll_seconds=None))
        holder["dash"] = DashboardModule(s, wall_clock=wall)
        return [*(m for m in mods if m.name not in without), holder["dash"]]

    more = {"snapshots": snapshots} if snapshots is not None else {}
    bot = Roundtable(
        dashboard_config(tmp_path, **more),
        clock=clock,
        db_path=tmp_path / "t.db",
        modules=modules,
        embedder=FakeProvider() if snapshots is not None else None,
    )
    await bot.setup()
    adapter = ReplayAdapter([], clock=clock, settle=bot.drain, out=None)
    await bot.attach(adapter)
    try:
        yield Room(bot, adapter, holder["dash"], clock, wall)
    finally:
        await bot.aclose()


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    async with open_room(tmp_path) as opened:
        yield opened


@pytest.fixture
async def client(room: Room) -> AsyncIterator[TestClient]:
    server = TestServer(room.dash.app())
    async with TestClient(server) as c:
        room.dash.base_url = str(server.make_url("")).rstrip("/")
        yield c
