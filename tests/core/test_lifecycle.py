from __future__ import annotations

from bot.app import Roundtable
from bot.clock import FakeClock
from bot.events import SessionChanged
from facilitation.core import CoreModule
from tests.factories import Script, config, message, run_script, texts


async def test_an_event_starts_pauses_resumes_and_ends() -> None:
    s = Script()
    s.say("u_a", "hello, before anything starts")
    s.say("u_mod", '/event start "Heat and health"')
    s.say("u_a", "hi all")
    s.say("u_mod", "/event pause")
    s.say("u_mod", "/event pause")
    s.say("u_mod", "/event resume")
    s.say("u_mod", "/event end")
    s.say("u_a", "bye")
    actions, bot = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)])
    said = texts(actions)
    assert said[0].startswith("Welcome to “Heat and health”")
    assert "/optout" in said[0] and "pseudonyms" in said[0]
    assert said[1].startswith("We're taking a short break")
    assert said[2] == "We're already on a break."
    assert said[3].startswith("We're back")
    assert said[4].startswith("That's the end of “Heat and health”")
    [session] = bot.sessions.all()
    assert (session.slug, session.state) == ("heat-and-health", "ended")


async def test_lifecycle_changes_are_logged_with_the_session() -> None:
    s = Script()
    s.say("u_a", "before")
    s.say("u_mod", '/event start "Panel"')
    s.say("u_a", "during")
    s.say("u_mod", "/event end")
    s.say("u_a", "after")

    async def inspect(bot, adapter):  # type: ignore[no-untyped-def]
        rows = await bot.db.fetchall("SELECT kind, text, session_id FROM events ORDER BY seq")
        inspect.rows = [(r["kind"], r["text"], r["session_id"]) for r in rows]  # type: ignore[attr-defined]

    await run_script(s.lines, modules=lambda sv: [CoreModule(sv)], keep_open=inspect)
    rows = inspect.rows  # type: ignore[attr-defined]
    assert rows[0] == ("MessagePosted", "before", None)
    # the start command arrives before the event exists; the end command is inside it
    assert rows[1] == ("CommandIssued", '/event start "Panel"', None)
    assert ("CommandIssued", "/event end", 1) in rows
    assert ("SessionChanged", None, 1) in rows
    assert ("MessagePosted", "during", 1) in rows
    assert rows[-1] == ("MessagePosted", "after", None)
    assert SessionChanged.__name__ in {r[0] for r in rows}


async def test_a_planned_event_takes_its_id_and_series_from_config() -> None:

    cfg = config(
        {
            "events": [
                {
                    "id": "heat-2026",
                    "title": "Heat",
                    "series": "riverside",
                    "channels": ["replay:demo:main"],
                }
            ]
        }
    )
    s = Script()
    s.say("u_mod", "/event start")
    _, bot = await run_script(s.lines, cfg=cfg, modules=lambda sv: [CoreModule(sv)])
    [session] = bot.sessions.all()
    assert (session.slug, session.title, session.series) == ("heat-2026", "Heat", "riverside")


async def test_platform_chatter_outside_event_channels_is_not_logged() -> None:

    cfg = config({"events": [{"id": "panel", "channels": ["slack:*:C1"]}]})
    async with Roundtable(
        cfg, clock=FakeClock(), db_path=":memory:", modules=lambda s: [CoreModule(s)]
    ) as bot:
        assert (
            await bot.bus.publish(message("in the event channel", platform="slack", channel="C1"))
            is True
        )
        assert await bot.bus.publish(message("elsewhere", platform="slack", channel="C2")) is False
        assert await bot.bus.publish(message("/help", platform="slack", channel="C2")) is True
        assert (
            await bot.bus.publish(message("hi bot", platform="slack", channel="D1", private=True))
            is True
        )
        await bot.drain()
        rows = await bot.db.fetchall("SELECT text FROM events ORDER BY seq")
    assert [r["text"] for r in rows] == ["in the event channel", "/help", "hi bot"]


async def test_the_same_title_started_again_gets_a_new_slug_each_time() -> None:
    s = Script(gap=1)
    for _ in range(3):
        s.say("u_mod", '/event start "Panel"')
        s.say("u_mod", "/event end")
    _, bot = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)])
    slugs = [session.slug for session in bot.sessions.all()]
    assert slugs == ["panel", "panel-20260312-1800", "panel-20260312-1800-2"]
