"""Signing in, CSRF, roles and bad input: each refused with a 4xx and a clear message."""

from __future__ import annotations

import html

from aiohttp.test_utils import TestClient

from bot.actions import DirectMessage, Reply, Say
from tests.dashboard.conftest import Room, csrf_of


async def start(room: Room) -> None:
    await room.say("u_mod", '/event start "Heat panel"')


async def test_dashboard_sends_a_private_link_that_signs_in(room: Room, client: TestClient) -> None:
    await start(room)
    before = len(room.adapter.sent)
    link = await room.link("u_mod")
    public = [a for a in room.adapter.sent[before:] if isinstance(a, Say | Reply)]
    assert not any("token=" in a.text for a in public)
    dm = [a for a in room.adapter.sent[before:] if isinstance(a, DirectMessage)]
    assert dm[0].user == "u_mod"
    token = link.split("token=", 1)[1].split("&", 1)[0]
    logged = await room.rows("SELECT COALESCE(text, '') FROM actions")
    assert logged and not [t for (t,) in logged if token in t]  # the link isn't in the log
    path = "/" + link.split("//", 1)[1].split("/", 1)[1]
    resp = await client.get(path, allow_redirects=False)
    assert resp.status == 303
    assert resp.headers["Location"] == "/e/panel"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "token" not in resp.headers["Location"]
    page = await client.get("/e/panel")
    assert page.status == 200
    text = html.unescape(await page.text())
    assert "Heat panel" in text and "signed in as Mod, moderator" in text
    assert page.headers["Referrer-Policy"] == "no-referrer"


async def test_not_signed_in_gets_401_with_how_to_sign_in(room: Room, client: TestClient) -> None:
    await start(room)
    for resp in (
        await client.get("/e/panel"),
        await client.get("/"),
        await client.post("/e/panel/q/1/approve", data={"csrf": "x"}),
    ):
        assert resp.status == 401
        assert "/dashboard" in await resp.text()
    resp = await client.get("/e/panel/sections", headers={"Accept": "application/json"})
    assert resp.status == 401
    assert (await resp.json())["error"] == "Please sign in first."


async def test_forged_and_expired_links_are_refused(room: Room, client: TestClient) -> None:
    await start(room)
    resp = await client.get("/login?token=not-a-real-token", allow_redirects=False)
    assert resp.status == 403
    assert "isn't one I gave out" in html.unescape(await resp.text())
    assert "Set-Cookie" not in resp.headers
    link = await room.link("u_mod")
    room.wall.advance(16 * 60)  # links last 15 minutes of real time
    path = "/" + link.split("//", 1)[1].split("/", 1)[1]
    resp = await client.get(path, allow_redirects=False)
    assert resp.status == 403
    assert "expired" in await resp.text()
    assert (await client.get("/e/panel")).status == 401


async def test_a_session_expires(room: Room, client: TestClient) -> None:
    await start(room)
    await room.sign_in(client, "u_mod")
    assert (await client.get("/e/panel")).status == 200
    room.wall.advance(13 * 3600)
    assert (await client.get("/e/panel")).status == 401


async def test_an_action_without_its_csrf_token_changes_nothing(
    room: Room, client: TestClient
) -> None:
    await start(room)
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    csrf = await room.sign_in(client, "u_mod")
    for data, headers in (({}, {}), ({"csrf": "wrong"}, {}), ({}, {"X-CSRF-Token": "wrong"})):
        resp = await client.post("/e/panel/q/1/pin", data=data, headers=headers)
        assert resp.status == 403
        assert "security code" in await resp.text()
    assert await room.rows("SELECT pinned FROM questions") == [(0,)]
    resp = await client.post("/e/panel/q/1/pin", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 303
    assert await room.rows("SELECT pinned FROM questions") == [(1,)]


async def test_a_participant_cannot_moderate(room: Room, client: TestClient) -> None:
    await start(room)
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    csrf = await room.sign_in(client, "u_bob")
    page = await (await client.get("/e/panel")).text()
    assert 'data-question-id="1"' in page
    assert "/q/1/vote" in page
    for hidden in ("/q/1/approve", "/q/1/reject", "/q/1/pin", "/q/1/now", "Waiting for approval"):
        assert hidden not in page
    assert "export.zip" not in page and "Figures so far" not in page
    for action in ("pin", "now", "reject", "answered"):
        resp = await client.post(
            f"/e/panel/q/1/{action}",
            data={"csrf": csrf, "reason": "no"},
            headers={"Accept": "application/json"},
        )
        assert resp.status == 403
        assert "is for" in (await resp.json())["error"]
    assert await room.rows("SELECT state, pinned FROM questions") == [("open", 0)]
    assert (await client.get("/e/panel/export.zip")).status == 403
    assert (await client.get("/e/panel/series.zip")).status == 403


async def test_a_role_taken_away_in_chat_is_gone_from_the_page(
    room: Room, client: TestClient
) -> None:
    await start(room)
    await room.say("u_org", "/role add @u_kim moderator")
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    csrf = await room.sign_in(client, "u_kim")
    assert "/q/1/pin" in await (await client.get("/e/panel")).text()
    await room.say("u_org", "/role remove @u_kim moderator")
    resp = await client.post("/e/panel/q/1/pin", data={"csrf": csrf})
    assert resp.status == 403
    assert await room.rows("SELECT pinned FROM questions") == [(0,)]


async def test_unknown_question_event_and_action_are_404(room: Room, client: TestClient) -> None:
    await start(room)
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    csrf = await room.sign_in(client, "u_mod")
    json = {"Accept": "application/json"}
    resp = await client.post("/e/panel/q/99/approve", data={"csrf": csrf}, headers=json)
    assert resp.status == 404
    assert (await resp.json())["error"] == "There's no question 99 in this event."
    resp = await client.post("/e/panel/q/1/merge", data={"csrf": csrf, "into": "42"}, headers=json)
    assert resp.status == 404
    resp = await client.post("/e/panel/q/1/explode", data={"csrf": csrf}, headers=json)
    assert resp.status == 404
    resp = await client.post("/e/nope/q/1/pin", data={"csrf": csrf}, headers=json)
    assert resp.status == 404
    assert "no event" in (await resp.json())["error"]
    resp = await client.post("/e/panel/snapshots/3/share", data={"csrf": csrf}, headers=json)
    assert resp.status == 404
    assert (await client.get("/e/panel/q/1/pin")).status == 405
    assert await room.rows("SELECT state, pinned FROM questions") == [("open", 0)]


async def test_bad_form_input_is_400(room: Room, client: TestClient) -> None:
    await start(room)
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    csrf = await room.sign_in(client, "u_mod")
    json = {"Accept": "application/json"}
    for action, data, problem in (
        ("edit", {"text": "   "}, "new text"),
        ("edit", {"text": "x" * 3000}, "under"),
        ("merge", {"into": "soon"}, "choose the question"),
        ("merge", {"into": "1"}, "itself"),
    ):
        resp = await client.post(
            f"/e/panel/q/1/{action}", data={"csrf": csrf, **data}, headers=json
        )
        assert resp.status == 400, action
        assert problem in (await resp.json())["error"]
    assert await room.rows("SELECT text FROM questions") == [
        ("Will the cooling centres open at night?",)
    ]


async def test_the_next_address_stays_on_the_dashboard(room: Room, client: TestClient) -> None:
    await start(room)
    link = await room.link("u_mod")
    token = link.split("token=", 1)[1].split("&", 1)[0]
    for bad in ("//evil.example/x", "https://evil.example/", "/e/../../x\\y"):
        resp = await client.get(f"/login?token={token}&next={bad}", allow_redirects=False)
        assert resp.status == 303
        assert (
            resp.headers["Location"] in ("/", "/e/../../x\\y")
            and "evil" not in resp.headers["Location"]
        )


async def test_signing_out_ends_the_session(room: Room, client: TestClient) -> None:
    await start(room)
    csrf = await room.sign_in(client, "u_mod")
    assert (await client.post("/logout", data={})).status == 403
    resp = await client.post("/logout", data={"csrf": csrf})
    assert resp.status == 200
    assert (await client.get("/e/panel")).status == 401


async def test_the_index_lists_events(room: Room, client: TestClient) -> None:
    await start(room)
    await room.sign_in(client, "u_mod")
    page = await (await client.get("/")).text()
    assert 'href="/e/panel"' in page
    assert csrf_of(page)
