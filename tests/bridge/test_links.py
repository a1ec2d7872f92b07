"""/link: one-time codes, their mistakes, and opting out unlinks (through the real bot)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.forget import Person
from bot.people import LinkBook
from bot.store import Database
from tests.factories import T0, Script, config, run_script, texts


@pytest.fixture
async def links(tmp_path: Path) -> AsyncIterator[LinkBook]:
    db = await Database.open(tmp_path / "rt.db")
    book = LinkBook(db)
    await book.setup()
    yield book
    await db.close()


async def test_a_code_links_two_platforms_once_and_expires(links: LinkBook) -> None:
    code = await links.issue("telegram", "7", T0)
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert (await links.redeem(code, "telegram", "7", T0)).kind == "same_account"
    assert (await links.redeem(code, "telegram", "8", T0)).kind == "same_platform"
    assert (await links.redeem("ABCDEF", "slack", "U1", T0)).kind == "wrong"
    result = await links.redeem(code.lower(), "slack", "U1", T0 + timedelta(minutes=1))
    assert result.kind == "linked"
    assert set(result.accounts) == {("telegram", "7"), ("slack", "U1")}
    assert links.person_of("slack", "U1") == links.person_of("telegram", "7")
    assert (await links.redeem(code, "discord", "9", T0)).kind == "wrong"  # used up

    late = await links.issue("discord", "9", T0)
    assert (await links.redeem(late, "slack", "U1", T0 + timedelta(hours=1))).kind == "expired"
    assert links.person_of("discord", "9") != links.person_of("slack", "U1")

    # A restart keeps the link; forgetting one account unlinks it (and a pair falls apart).
    again = LinkBook(links._db)
    await again.setup()
    assert again.person_of("slack", "U1") == again.person_of("telegram", "7")
    removed = await again.forget(Person("telegram", "7"))
    assert removed["links"] == 1
    assert again.person_of("slack", "U1") == "slack:U1"
    rows = await again._db.fetchall("SELECT * FROM people_links")
    assert rows == []


async def test_guessing_codes_is_stopped(links: LinkBook) -> None:
    code = await links.issue("telegram", "7", T0)
    for _ in range(5):
        assert (await links.redeem("AAAAAA", "slack", "U1", T0)).kind == "wrong"
    assert (await links.redeem(code, "slack", "U1", T0)).kind == "too_many"
    # A restart gives no fresh tries; they come back once a code's lifetime has passed.
    again = LinkBook(links._db)
    await again.setup()
    assert (await again.redeem(code, "slack", "U1", T0 + timedelta(minutes=1))).kind == "too_many"
    later = await again.issue("telegram", "7", T0 + timedelta(minutes=16))
    result = await again.redeem(later, "slack", "U1", T0 + timedelta(minutes=16))
    assert result.kind == "linked"


async def test_forgetting_an_account_drops_its_wrong_guesses(links: LinkBook) -> None:
    await links.redeem("AAAAAA", "slack", "U1", T0)
    removed = await links.forget(Person("slack", "U1"))
    assert removed["link_tries"] == 1
    assert await links._db.fetchall("SELECT * FROM people_link_tries") == []


async def test_opted_out_people_cannot_link_and_opting_out_drops_their_code() -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat panel"')
    s.say("u_ann", "/link")
    s.say("u_bo", "/link")
    s.say("u_bo", "/optout")
    s.say("u_bo", "/link")
    seen: dict[str, list[str]] = {}

    async def check(bot: Any, _adapter: Any) -> None:
        rows = await bot.db.fetchall("SELECT platform, user FROM people_codes")
        seen["codes"] = [f"{r['platform']}:{r['user']}" for r in rows]

    actions, _ = await run_script(s.lines, cfg=config(), keep_open=check)
    said = texts(actions)
    assert sum("Your code is" in t for t in said) == 2
    assert any("You've opted out" in t for t in said)
    assert seen["codes"] == ["replay:u_ann"]  # Bo's code went with the opt-out
