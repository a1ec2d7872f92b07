"""Ideas with champions, follow-ups days on, "since last time", /remindme: replays over weeks."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.actions import DirectMessage, Say
from tests.factories import T0, Script, config, run_script, texts

DAY = 86400.0


def cfg(tmp_path: Path, **extra: Any) -> Any:
    events = [
        {
            "id": "heat",
            "title": "Heat panel",
            "series": "heat",
            "channels": ["replay:demo:main", *extra.pop("more_places", [])],
        }
    ]
    return config(
        {
            "bot": {"out_dir": str(tmp_path / "out")},
            "models": {"enabled": False},
            "events": events,
            **extra,
        }
    )


def first_event(s: Script) -> None:
    s.say("u_mod", "/event start Heat panel")
    s.say("u_ann", "/idea A reading group on the cooling findings")
    s.say("u_bo", "/idea Ask the council for shade maps of every ward")
    s.say("u_bo", "/ask Will the cooling centres stay open at night?")
    s.say("u_ann", "/remindme")
    s.say("u_mod", "/event end")


async def timers(bot: Any) -> dict[str, tuple[str, str, str | None, str | None]]:
    rows = await bot.db.fetchall("SELECT key, state, due, fired_at, note FROM timers")
    return {r["key"]: (r["state"], r["due"], r["fired_at"], r["note"]) for r in rows}


async def test_champions_updates_and_follow_ups_over_a_month(tmp_path: Path) -> None:
    s = Script()
    first_event(s)
    s.say("u_cy", "/champion 1", after=DAY)
    s.say("u_cy", "/champion 1")
    s.say("u_dee", "/optout")
    s.say("u_dee", "/champion 2")  # opted out: refused, nothing stored
    s.say("u_eve", "/update 1 I went to one too")  # not a champion
    s.say("u_cy", "/champion 9")  # no such idea
    s.say("u_cy", "/update 1 We meet on Thursdays at the library.", after=2 * DAY)
    s.say("u_ann", "hello, anyone around?", after=5 * DAY)  # day 8: the 7-day follow-up is due
    s.say("u_ann", "still here", after=23 * DAY)  # day 31: the 30-day one
    seen: dict[str, Any] = {}

    async def keep(bot: Any, _adapter: Any) -> None:
        seen["timers"] = await timers(bot)
        seen["champions"] = await bot.db.fetchall("SELECT platform, user FROM report_champions")

    actions, _ = await run_script(s.lines, cfg=cfg(tmp_path), keep_open=keep)
    said = texts(actions)
    assert any("Noted as idea 1" in t for t in said) and any("idea 2" in t for t in said)
    assert any("You're championing idea 1" in t for t in said)
    assert any("already championing idea 1" in t for t in said)
    assert any("You've opted out, so I can't put your name to an idea" in t for t in said)
    assert any("Updates on idea 1 come from its champions" in t for t in said)
    assert any("I can't find idea 9 in “Heat panel”" in t for t in said)
    assert any(t.startswith("📈 News on idea 1") and "Thursdays" in t for t in said)
    assert [(r["platform"], r["user"]) for r in seen["champions"]] == [("replay", "u_cy")]

    posts = [a.text for a in actions if isinstance(a, Say) and a.text.startswith("📬")]
    assert len(posts) == 2, posts
    week, month = posts
    assert "7 days on" in week and "30 days on" in month
    assert "championed by Cy" in week and "Thursdays" in week
    assert "No champion yet: /champion 2" in week
    assert "#1 Will the cooling centres stay open at night?" in week
    asked = [a for a in actions if isinstance(a, DirectMessage) and "How is idea 1" in a.text]
    assert {a.user for a in asked} == {"u_cy"} and len(asked) == 2  # each follow-up asks

    # Each fired at the first moment past its time (the clock follows the transcript).
    state, due, fired, note = seen["timers"]["followup:1:7d"]
    assert state == "done" and "posted in replay:main" in (note or "")
    assert fired is not None and due is not None
    lag = datetime.fromisoformat(fired) - datetime.fromisoformat(due)
    assert timedelta(days=1) <= lag < timedelta(days=1, minutes=1)  # at the day-8 message
    assert seen["timers"]["followup:1:30d"][0] == "done"

    report = (tmp_path / "out" / "heat" / "report.md").read_text()
    assert "championed by Cy" in report and "We meet on Thursdays" in report


async def test_since_last_time_and_the_reminder_at_the_next_event(tmp_path: Path) -> None:
    s = Script()
    first_event(s)
    s.say("u_cy", "/champion 1", after=DAY)
    s.say("u_pan", "/answer 1 Yes, until ten every night.", after=DAY)
    s.say("u_mod", "/event start Heat panel", after=12 * DAY)
    s.say("u_ann", "Hi all, good to be back")
    s.say("u_fay", "First time here!")
    s.say("u_ann", "shall we start?", after=11 * 60)  # the "since last time" post is due
    actions, _ = await run_script(s.lines, cfg=cfg(tmp_path, momentum={"followup_days": []}))
    since = [a.text for a in actions if isinstance(a, Say) and a.text.startswith("🔁")]
    assert len(since) == 1, texts(actions)
    post = since[0]
    assert "“Heat panel”" in post and "answered after the event" in post
    assert "cooling centres" in post and "championed by Cy" in post
    assert "Welcome back, Ann!" in post and "Fay" not in post
    reminded = [a for a in actions if isinstance(a, DirectMessage) and "⏰" in a.text]
    assert [a.user for a in reminded] == ["u_ann"] and "starting now" in reminded[0].text


async def test_a_planned_start_gets_its_reminder_a_day_before(tmp_path: Path) -> None:
    starts = T0 + timedelta(days=14)
    s = Script()
    first_event(s)
    s.say("u_bo", "/remindme")
    s.say("u_ann", "anything new?", after=13 * DAY + 1)
    extra = {
        "momentum": {"followup_days": [], "remind_hours_before": 24},
    }
    config_ = cfg(tmp_path, **extra)
    planned = [
        *config_.events,
        config_.events[0].model_copy(update={"id": "heat-2", "title": "Heat 2", "starts": starts}),
    ]
    config_ = config_.model_copy(update={"events": planned})
    actions, _ = await run_script(s.lines, cfg=config_)
    said = texts(actions)
    assert any("I'll send you a reminder 24 hours before “Heat 2” starts" in t for t in said)
    reminded = [a for a in actions if isinstance(a, DirectMessage) and "⏰" in a.text]
    assert sorted(a.user for a in reminded) == ["u_ann", "u_bo"]
    assert all("Heat 2" in a.text for a in reminded)


async def test_a_follow_up_missed_while_down_is_sent_once_on_return(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = str(tmp_path / "rt.db")
    s = Script()
    first_event(s)
    await run_script(s.lines, cfg=cfg(tmp_path, more_places=["slack:T1:C9"]), db_path=db)
    # The bot was down for ten days; the next thing it sees is a message on day 10.
    later = Script(start=T0 + timedelta(days=10))
    later.say("u_ann", "hello again", mid="later-1")
    with caplog.at_level(logging.INFO):
        actions, _ = await run_script(
            later.lines, cfg=cfg(tmp_path, more_places=["slack:T1:C9"]), db_path=db
        )
    posts = [a for a in actions if isinstance(a, Say) and a.text.startswith("📬")]
    assert len(posts) == 1 and "7 days on" in posts[0].text
    # The event's Slack channel is not connected: the reason is logged, nothing is lost.
    assert any("not posted in slack:T1:C9" in r.getMessage() for r in caplog.records)
    assert any("was due at" in r.getMessage() for r in caplog.records)
    # A third start sends nothing again.
    again = Script(start=T0 + timedelta(days=11))
    again.say("u_ann", "and again", mid="again-1")
    actions, _ = await run_script(
        again.lines, cfg=cfg(tmp_path, more_places=["slack:T1:C9"]), db_path=db
    )
    assert not [a for a in actions if isinstance(a, Say) and a.text.startswith("📬")]


async def test_opting_out_takes_a_champion_off_their_ideas(tmp_path: Path) -> None:
    s = Script()
    first_event(s)
    s.say("u_cy", "/champion 1", after=DAY, name="Cyrus Vale")
    s.say("u_cy", "/update 1 Cyrus here: the library said yes.", name="Cyrus Vale")
    s.say("u_cy", "/remindme", name="Cyrus Vale")
    s.say("u_cy", "/optout", name="Cyrus Vale")
    s.say("u_ann", "hello", after=7 * DAY)
    seen: dict[str, Any] = {}

    async def keep(bot: Any, _adapter: Any) -> None:
        for table in ("report_champions", "report_idea_updates", "momentum_reminders"):
            rows = await bot.db.fetchall(f"SELECT * FROM {table}")
            seen[table] = [dict(r) for r in rows if "u_cy" in tuple(r)]

    actions, _ = await run_script(s.lines, cfg=cfg(tmp_path), keep_open=keep)
    assert seen == {"report_champions": [], "report_idea_updates": [], "momentum_reminders": []}
    week = next(a.text for a in actions if isinstance(a, Say) and a.text.startswith("📬"))
    assert "Cyrus" not in week and "No champion yet: /champion 1" in week
    report = (tmp_path / "out" / "heat" / "report.md").read_text()
    assert "Cyrus" not in report and "library said yes" not in report


async def test_since_last_time_names_nobody_when_the_report_uses_pseudonyms(
    tmp_path: Path,
) -> None:
    s = Script()
    first_event(s)
    s.say("u_mod", "/event start Heat panel", after=12 * DAY)
    s.say("u_ann", "Hi all, good to be back")
    s.say("u_bo", "Me too")
    s.say("u_ann", "shall we start?", after=11 * 60)
    quiet = cfg(tmp_path, momentum={"followup_days": []}, report={"participant_names": "pseudonym"})
    actions, _ = await run_script(s.lines, cfg=quiet)
    post = next(a.text for a in actions if isinstance(a, Say) and a.text.startswith("🔁"))
    assert "Welcome back to the 2 people who came last time too!" in post
    assert "Ann" not in post and "Bo" not in post
