"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

A moderator and a participant each sign in with the link the bot sends by DM; a new
question asked in the chat appears on both pages without a reload; the participant
votes from the keyboard; the moderator approves and merges with clicks; after the
event the report downloads.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.conftest import Room

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.async_api import Browser, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium: install Debian's chromium package (scripts/test.sh does, as root)",
    ),
    pytest.mark.skipif(
        async_playwright is None, reason="Playwright is missing: pip install -e '.[dev]'"
    ),
]


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    assert CHROMIUM is not None
    async with async_playwright() as p:
        # a fresh profile each time (Playwright's own temporary --user-data-dir)
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def open_as(browser: Browser, room: Room, who: str, width: int = 1280) -> Page:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = await context.new_page()
    await page.goto(await room.link(who))
    await page.evaluate("window.notReloaded = true")
    return page


async def test_live_queue_vote_approve_merge_and_download(
    room: Room, browser: Browser, tmp_path: Path
) -> None:
    questions: Any = next(m for m in room.bot.modules if m.name == "questions")
    questions.queue.cfg = questions.cfg.model_copy(update={"premoderation": True})
    await room.say("u_mod", '/event start "Heat panel"')
    await room.say("u_ann", "/ask Will the cooling centres open at night?")
    room.dash.base_url = await room.dash.serve(host="127.0.0.1", port=0)

    mod = await open_as(browser, room, "u_mod")
    ann = await open_as(browser, room, "u_bob", width=390)
    await expect(mod.locator("h1")).to_have_text("Heat panel")
    pending = mod.locator('[data-section="waiting"] [data-question-id="1"]')
    await expect(pending).to_be_visible()
    await expect(ann.locator('[data-question-id="1"]')).to_have_count(0)

    # approve with a click: the question reaches the participant's page, live
    await mod.click("#q-1-approve")
    await expect(mod.locator("#status")).to_contain_text("Question 1")
    await expect(ann.locator('[data-section="queue"] [data-question-id="1"]')).to_be_visible()

    # a question asked in the chat appears without a reload
    await room.say("u_cat", "/ask Can the cooling centres stay open after 8pm?")
    await mod.click("#q-2-approve")
    for page in (mod, ann):
        await expect(page.locator('[data-section="queue"] [data-question-id="2"]')).to_be_visible()

    # the participant votes from the keyboard
    await ann.focus("#q-1-vote")
    await ann.keyboard.press("Enter")
    await expect(ann.locator('[data-question-id="1"] .voted')).to_be_visible()
    await expect(mod.locator('[data-question-id="1"] .votes')).to_have_text("1 vote")
    assert await room.rows("SELECT voter FROM question_votes") == [("u_bob",)]

    # the moderator merges #2 into #1
    await mod.click("#q-2-more summary")
    await mod.fill("#q-2-into", "1")
    await mod.click("#q-2-merge")
    await expect(mod.locator('[data-question-id="2"] .q-meta')).to_contain_text("merged into #1")
    await expect(ann.locator('[data-question-id="1"] .q-meta')).to_contain_text("merged in: #2")
    assert await room.state(2) == "merged"

    for page in (mod, ann):
        assert await page.evaluate("window.notReloaded") is True

    # readable at 390 px: nothing wider than the screen, for the busiest page too
    await mod.set_viewport_size({"width": 390, "height": 844})
    for page in (mod, ann):
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await mod.set_viewport_size({"width": 1280, "height": 900})

    # after the event, the report downloads
    await room.say("u_pan", "Yes: two centres stayed open until ten in the pilot.")
    await room.say("u_mod", "/event end")
    link = mod.locator("#download-report")
    await expect(link).to_be_visible()
    async with mod.expect_download() as info:
        await link.click()
    download = await info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.name == "panel-report.html"
    assert "Heat panel" in saved.read_text(encoding="utf-8")
