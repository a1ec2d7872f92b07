"""Snapshots waiting for approval: shown to moderators, shared or skipped with a click."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.actions import Say
from tests.dashboard.conftest import open_room
from tests.snapshots.conftest import write_corpus
from tests.snapshots.test_module import COOL_1, COOL_2, MEDS_1, MEDS_2

JSON = {"Accept": "application/json"}


async def test_share_and_skip_waiting_snapshots(tmp_path: Path) -> None:
    settings = {
        "corpus": [str(write_corpus(tmp_path / "corpus"))],
        "threshold": 0.15,  # the reranker's probability (see [snapshots] threshold)
        "window": 2,
        "min_messages": 2,
        "min_gap_minutes": 10,
        "require_approval": True,
    }
    async with open_room(tmp_path, snapshots=settings) as room:
        server = TestServer(room.dash.app())
        async with TestClient(server) as client:
            room.dash.base_url = str(server.make_url("")).rstrip("/")
            await room.say("u_mod", '/event start "Heat panel"')
            await room.say("u_ann", COOL_1)
            await room.say("u_bob", COOL_2)  # a snapshot is held as #1
            room.clock.advance(700)
            await room.say("u_ann", MEDS_1)
            await room.say("u_bob", MEDS_2)  # and #2
            csrf = await room.sign_in(client, "u_bob")
            page = await (await client.get("/e/panel")).text()
            assert "Snapshots to approve" not in page and "6% of visits" not in page
            resp = await client.post(
                "/e/panel/snapshots/1/share", data={"csrf": csrf}, headers=JSON
            )
            assert resp.status == 403

            csrf = await room.sign_in(client, "u_mod")
            page = await (await client.get("/e/panel")).text()
            assert 'data-snapshot-id="1"' in page and 'data-snapshot-id="2"' in page
            assert "6% of visits" in page
            before = len(room.adapter.sent)
            resp = await client.post(
                "/e/panel/snapshots/1/share", data={"csrf": csrf}, headers=JSON
            )
            assert resp.status == 200, await resp.text()
            shared = [a for a in room.adapter.sent[before:] if isinstance(a, Say)]
            assert any("6% of visits" in a.text for a in shared)
            resp = await client.post("/e/panel/snapshots/2/skip", data={"csrf": csrf}, headers=JSON)
            assert resp.status == 200
            states = await room.rows("SELECT id, state FROM snapshot_posts ORDER BY id")
            assert [s for _, s in states][:2] == ["posted", "skipped"]
            resp = await client.post(
                "/e/panel/snapshots/1/share", data={"csrf": csrf}, headers=JSON
            )
            assert resp.status == 404  # not waiting any more
            page = await (await client.get("/e/panel")).text()
            assert "No snapshot is waiting." in page
