"""The dashboard shows what the installed modules export, and nothing of those that aren't."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from tests.dashboard.conftest import Room, open_room

CHAT = (
    ("u_ann", "Has anyone measured bedroom temperatures on the top floor?"),
    ("u_bob", "We measured bedroom temperatures: 31 degrees on the top floor at night."),
    ("u_ann", "31 degrees on the top floor is far too hot for sleeping at night."),
)


async def _organiser_page(room: Room, client: TestClient) -> str:
    await room.say("u_mod", '/event start "Heat panel"')
    await room.say("u_cat", "/ask Will the cooling centres open at night?")
    for author, text in CHAT:
        await room.say(author, text)
    await room.sign_in(client, "u_org")
    resp = await client.get("/e/panel")
    assert resp.status == 200
    return await resp.text()


async def test_every_installed_module_has_its_section(tmp_path: Path) -> None:
    async with open_room(tmp_path) as room:
        server = TestServer(room.dash.app())
        async with TestClient(server) as client:
            room.dash.base_url = str(server.make_url("")).rstrip("/")
            page = await _organiser_page(room, client)
            assert 'data-question-id="1"' in page
            assert 'data-section="conversations"' in page and "bedroom" in page
            assert 'data-section="figures"' in page and "Figures so far" in page
            assert (await client.get("/e/panel/export.zip")).status == 200


async def test_a_module_left_out_offers_nothing(tmp_path: Path) -> None:
    without = frozenset({"threads", "ledger", "report"})
    async with open_room(tmp_path, without=without) as room:
        assert {m.name for m in room.bot.modules}.isdisjoint(without)
        server = TestServer(room.dash.app())
        async with TestClient(server) as client:
            room.dash.base_url = str(server.make_url("")).rstrip("/")
            page = await _organiser_page(room, client)
            assert 'data-question-id="1"' in page  # the queue still shows
            assert 'data-section="conversations"' not in page
            assert 'data-section="figures"' not in page
            assert 'data-section="snapshots"' not in page
            export = await client.get("/e/panel/export.zip")
            assert export.status == 404
            assert "switched on" in await export.text()
            await room.say("u_mod", "/event end")
            assert (await client.get("/e/panel/report.html")).status == 404
