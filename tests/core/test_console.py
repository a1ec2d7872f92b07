from __future__ import annotations

import io

from adapters.console import ConsoleAdapter
from bot.app import Roundtable
from bot.clock import FakeClock
from facilitation.core import CoreModule
from facilitation.ledger.module import LedgerModule
from facilitation.report.module import ReportModule
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
    assert any((r["reply_to"] or "").startswith("c2-") and r["text"] == "me too" for r in rows)
    assert all(r["text"] != "never read" for r in rows)


async def _console_run(typed: list[str], db_path: str) -> tuple[str, list[str]]:
    out = io.StringIO()
    bot = Roundtable(
        config({}), clock=FakeClock(), db_path=db_path, modules=lambda s: [CoreModule(s)]
    )
    await bot.setup()
    console = ConsoleAdapter(stdin=io.StringIO("\n".join(typed) + "\n"), out=out, settle=bot.drain)
    try:
        await bot.attach(console)
        await console.wait()
        await bot.drain()
        rows = await bot.db.fetchall(
            "SELECT text FROM events WHERE kind = 'MessagePosted' AND author != 'roundtable'"
        )
    finally:
        await bot.aclose()
    return out.getvalue(), [r["text"] for r in rows]


async def test_the_keyboard_is_the_organiser_and_a_restart_drops_nothing(tmp_path) -> None:
    db = str(tmp_path / "room.db")
    screen, _ = await _console_run(['/event start "First try"', ":as maya", "hi all"], db)
    assert "🤖 Welcome to “First try”" in screen  # no config: the keyboard's owner may start
    assert "is for moderators" not in screen
    screen, texts = await _console_run(["hello again", ":as maya", "/event end"], db)
    assert "is for moderators" in screen  # maya has no role
    # the second run's first message is #1 again, but not a duplicate of the first run's #1
    assert texts.count("hi all") == 1 and "hello again" in texts


async def test_the_end_post_says_where_the_report_is_and_the_organiser_gets_it(tmp_path) -> None:
    out = io.StringIO()
    cfg = config(
        {"bot": {"out_dir": str(tmp_path / "out")}, "models": {"enabled": False}, "roles": {}}
    )
    bot = Roundtable(
        cfg,
        clock=FakeClock(),
        db_path=str(tmp_path / "room.db"),
        modules=lambda s: [CoreModule(s), ReportModule(s), LedgerModule(s)],
    )
    await bot.setup()
    typed = [
        '/event start "Sleep research"',
        ":as maya",
        "I wonder whether dreams sort our memories at night",
        ":as ben",
        ":reply 2 they might, Maya, I read about that last week",
        ":as me",
        "/event end",
    ]
    console = ConsoleAdapter(stdin=io.StringIO("\n".join(typed) + "\n"), out=out, settle=bot.drain)
    try:
        await bot.attach(console)
        await console.wait()
        await bot.drain()
    finally:
        await bot.aclose()
    screen = out.getvalue()
    report = tmp_path / "out" / "sleep-research" / "report.html"
    assert report.is_file()
    assert "2 people took part: 2 messages" in screen  # not "0 people took part"
    assert f"is at {report}" in screen
    # privately, to the organiser at the keyboard
    assert (
        f"🤖 file ready: {report} The report of “Sleep research”. (sent privately to you)" in screen
    )
