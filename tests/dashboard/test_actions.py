"""Each button runs the chat command and the queue changes as it would from the chat."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from typing import Any

from aiohttp.test_utils import TestClient
from bs4 import BeautifulSoup

from bot.actions import DirectMessage, Say
from facilitation.dashboard.auth import Viewer
from facilitation.dashboard.config import DashboardConfig
from tests.dashboard.conftest import Room, dashboard_config

JSON = {"Accept": "application/json"}


async def act(client: TestClient, csrf: str, n: int, action: str, **form: str) -> str:
    resp = await client.post(f"/e/panel/q/{n}/{action}", data={"csrf": csrf, **form}, headers=JSON)
    body = await resp.json()
    assert resp.status == 200, body
    assert body["ok"] is True
    return str(body["message"])


async def queue_of_three(room: Room) -> None:
    await room.say("u_mod", '/event start "Heat panel"')
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    await room.say("u_bob", "/ask How do landlords get told about overheating flats?")
    await room.say("u_cat", "/ask Can cooling centres stay open after 8pm?")


async def test_vote_pin_now_answered(room: Room, client: TestClient) -> None:
    await queue_of_three(room)
    csrf = await room.sign_in(client, "u_dan")
    assert "1 vote" in await act(client, csrf, 2, "vote")
    assert await room.rows("SELECT voter FROM question_votes") == [("u_dan",)]
    await act(client, csrf, 2, "vote")  # a second click doesn't count twice
    assert len(await room.rows("SELECT voter FROM question_votes")) == 1
    page = await (await client.get("/e/panel")).text()
    assert "You voted ✓" in page

    csrf = await room.sign_in(client, "u_mod")
    await act(client, csrf, 3, "pin")
    assert await room.rows("SELECT pinned FROM questions WHERE number = 3") == [(1,)]
    before = len(room.adapter.sent)
    await act(client, csrf, 2, "now")
    assert await room.state(2) == "now"
    said = [a for a in room.adapter.sent[before:] if isinstance(a, Say)]
    assert said and "landlords" in said[0].text  # the room hears what's being answered
    await act(client, csrf, 2, "answered")
    assert await room.state(2) == "answered"
    await act(client, csrf, 2, "reopen")
    assert await room.state(2) == "open"


async def test_edit_merge_split_reject(room: Room, client: TestClient) -> None:
    await queue_of_three(room)
    csrf = await room.sign_in(client, "u_mod")
    await act(client, csrf, 1, "edit", text="Will cooling centres open at night in July?")
    assert await room.rows("SELECT text FROM questions WHERE number = 1") == [
        ("Will cooling centres open at night in July?",)
    ]
    await act(client, csrf, 3, "merge", into="1")
    assert await room.state(3) == "merged"
    page = await (await client.get("/e/panel")).text()
    assert "merged into #1" in page and "merged in: #3" in page
    await act(client, csrf, 3, "split")
    assert await room.state(3) == "open"
    before = len(room.adapter.sent)
    await act(client, csrf, 2, "reject", reason="Off topic for tonight")
    assert await room.state(2) == "rejected"
    dms = [a for a in room.adapter.sent[before:] if isinstance(a, DirectMessage)]
    assert dms[0].user == "u_bob" and "Off topic for tonight" in dms[0].text


async def test_approve_with_premoderation(room: Room, client: TestClient) -> None:
    await room.say("u_mod", '/event start "Heat panel"')
    # premoderation is read from the questions config at submit time
    questions = next(m for m in room.bot.modules if m.name == "questions")
    questions.queue.cfg = questions.cfg.model_copy(update={"premoderation": True})
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    assert await room.state(1) == "pending"
    csrf = await room.sign_in(client, "u_bob")
    page = await (await client.get("/e/panel")).text()
    assert "cooling centres" not in page  # waiting questions are for moderators
    csrf = await room.sign_in(client, "u_mod")
    page = await (await client.get("/e/panel")).text()
    assert "Waiting for approval" in page and "/q/1/approve" in page
    assert await act(client, csrf, 1, "approve") == room.bot.prompts("questions.approved", n=1)
    assert await room.state(1) == "open"


async def test_forms_work_without_javascript(room: Room, client: TestClient) -> None:
    await queue_of_three(room)
    csrf = await room.sign_in(client, "u_mod")
    resp = await client.post("/e/panel/q/1/pin", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/e/panel#q-1"
    page = await (await client.get("/e/panel")).text()
    assert 'class="flash ok"' in page  # the command's answer is shown once
    page = await (await client.get("/e/panel")).text()
    assert 'class="flash ok"' not in page


async def test_the_anonymous_asker_never_appears(room: Room, client: TestClient) -> None:
    await room.say("u_mod", '/event start "Heat panel"')
    await room.say("u_secret", "/ask Is it safe to report my landlord?", private=True)
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    for who in ("u_org", "u_mod", "u_bob"):
        await room.sign_in(client, who)
        page = await (await client.get("/e/panel")).text()
        sections = await (await client.get("/e/panel/sections", headers=JSON)).text()
        assert "report my landlord" in page
        assert "Asked anonymously" in page
        for text in (page, sections):
            assert "u_secret" not in text and "Secret" not in text
        assert "Asked by Ann" in page


async def test_the_stream_sends_a_new_question(room: Room, client: TestClient) -> None:
    await room.say("u_mod", '/event start "Heat panel"')
    await room.sign_in(client, "u_bob")
    resp = await client.get("/e/panel/stream")
    assert resp.headers["Content-Type"] == "text/event-stream"

    async def next_sections() -> dict[str, str]:
        data = None
        while True:
            line = (await resp.content.readline()).decode()
            if line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "\n" and data is not None:
                return dict(data)

    first = await asyncio.wait_for(next_sections(), 10)
    assert "No open questions yet" in first["queue"]
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    update = await asyncio.wait_for(next_sections(), 10)
    assert 'data-question-id="1"' in update["queue"]
    assert "answered" not in update  # only what changed is sent
    resp.close()


async def test_downloads_after_the_event(room: Room, client: TestClient) -> None:
    await queue_of_three(room)
    await room.say("u_pan", "Yes: the pilot kept two centres open until ten.")
    csrf = await room.sign_in(client, "u_mod")
    page = await (await client.get("/e/panel")).text()
    assert "Figures so far" in page and "On the matrix:" in page
    assert (await client.get("/e/panel/report.html")).status == 404
    await room.say("u_mod", "/event end")
    page = await (await client.get("/e/panel")).text()
    assert "Ended" in page and "/q/1/pin" not in page  # an ended queue has no buttons
    resp = await client.post("/e/panel/q/1/pin", data={"csrf": csrf}, headers=JSON)
    assert resp.status == 409
    report = await client.get("/e/panel/report.html?download=1")
    assert report.status == 200
    assert "attachment" in report.headers["Content-Disposition"]
    assert "Heat panel" in await report.text()
    assert (await client.get("/e/panel/report.md")).status == 200
    export = await client.get("/e/panel/export.zip")
    assert export.status == 200
    names = zipfile.ZipFile(io.BytesIO(await export.read())).namelist()
    assert "panel/questions.csv" in names and "panel/messages.csv" in names
    series = await client.get("/e/panel/series.zip")
    assert series.status == 200
    names = zipfile.ZipFile(io.BytesIO(await series.read())).namelist()
    assert "series-talks/events.csv" in names and "series-talks/matrix.png" in names


def test_the_example_dashboard_section_is_valid(tmp_path: object) -> None:
    cfg = dashboard_config(tmp_path, dashboard={"port": 9000, "public_url": "https://x.org/"})  # type: ignore[arg-type]
    assert cfg.section("dashboard", DashboardConfig).public_url == "https://x.org"


async def test_batched_tallies_match_the_queue(room: Room, client: TestClient) -> None:
    """The page reads votes for the whole event at once; it must agree with the queue."""
    await queue_of_three(room)
    await room.say("u_dan", "/ask Who pays for the fans in council flats?")
    for voter, n in (("u_eve", 2), ("u_fay", 2), ("u_gus", 3), ("u_cat", 1), ("u_ann", 4)):
        await room.say(voter, f"/upvote {n}")
    await room.say("u_mod", "/merge 3 1")
    await room.say("u_mod", "/pin 4")
    await room.say("u_mod", "/withdraw 2")
    questions: Any = next(m for m in room.bot.modules if m.name == "questions")
    session = room.bot.sessions.all()[0]
    viewer = Viewer("replay", "u_gus", "Gus")  # voted for #3 before it joined #1
    cards = await room.dash.sources.cards(session, viewer)
    ranked = await questions.queue.ranked(session.id)
    queued = [c for c in cards if c.state in ("open", "now")]
    assert [c.number for c in queued] == [r.question.number for r in ranked]
    assert [(c.votes, c.also) for c in queued] == [(r.votes, r.also) for r in ranked]
    for c in cards:
        q = await questions.store.get(session.id, c.number)
        if q.merged_into is None:
            tally = await questions.queue.tally(q)
            assert (c.votes, c.also) == (tally.votes, tally.also), c.number
    by_number = {c.number: c for c in cards}
    assert by_number[1].merged == (3,) and by_number[3].merged_into == 1
    assert by_number[1].voted is True and by_number[4].voted is False
    assert by_number[2].state == "withdrawn" and by_number[2].votes == 0


async def test_every_control_is_labelled(room: Room, client: TestClient) -> None:

    await queue_of_three(room)
    await room.say("u_mod", "/merge 3 1")
    await room.sign_in(client, "u_org")
    soup = BeautifulSoup(await (await client.get("/e/panel")).text(), "html.parser")
    assert soup.html is not None and soup.html.get("lang") == "en"
    assert soup.find("main") is not None and len(soup.find_all("h1")) == 1
    labels = {label.get("for") for label in soup.find_all("label")}
    fields = [
        f
        for f in soup.find_all(["input", "textarea", "select"])
        if f.get("type") not in ("hidden", "submit")
    ]
    assert len(fields) >= 6
    assert [f.get("id") for f in fields if f.get("id") not in labels] == []
    buttons = soup.find_all("button")
    assert len(buttons) >= 10
    assert [b for b in buttons if not b.get_text(strip=True)] == []
    for b in buttons:  # the accessible name includes the visible words
        name = b.get("aria-label") or b.get_text(strip=True)
        assert b.get_text(strip=True) in name
    ids = [t.get("id") for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
