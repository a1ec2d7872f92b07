from __future__ import annotations

import io

from adapters.console import ConsoleAdapter
from bot.app import Roundtable
from bot.clock import FakeClock
from facilitation.core import CoreModule
from tests.factories import config


async def test_a_console_session_with_two_people() -> None:
    typed = (
        "\n".join(
            [
                ":as u_mod",
                '/event start "Console chat"',
                ":as maya",
                "hello everyone",
                ":react 2",
                ":reply 2 me too",
                ":dm /help",
                ":bogus",
                "/event end",
                ":quit",
                "never read",
            ]
        )
        + "\n"
    )
    out = io.StringIO()
    bot = Roundtable(
        config({"roles": {"moderators": ["console:u_mod"]}}),
        clock=FakeClock(),
        db_path=":memory:",
        modules=lambda s: [CoreModule(s)],
    )
    await bot.setup()
    console = ConsoleAdapter(stdin=io.StringIO(typed), out=out, settle=bot.drain)
    try:
        await bot.attach(console)
        await console.wait()
        await bot.drain()
        rows = await bot.db.fetchall("SELECT kind, author, text, reply_to FROM events")
    finally:
        await bot.aclose()
    screen = out.getvalue()
    assert "🤖 Welcome to “Console chat”" in screen
    assert "#2 maya: hello everyone" in screen
    assert "🤖 → maya (private): Here's what you can do" in screen
    assert "I didn't understand that" in screen
    assert "Sorry, /event end is for moderators" in screen  # maya is not a moderator
    kinds = [(r["kind"], r["author"]) for r in rows]
    assert ("ReactionAdded", "maya") in kinds
    assert any(r["reply_to"] == "c2" and r["text"] == "me too" for r in rows)
    assert all(r["text"] != "never read" for r in rows)
