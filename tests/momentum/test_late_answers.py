"""Open questions stay answerable: /answer N text after /event end (the real bot, replayed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from bot.actions import DirectMessage
from tests.factories import Script, config, run_script, texts


def cfg(tmp_path: Path) -> Any:
    return config(
        {
            "bot": {"out_dir": str(tmp_path / "out")},
            "models": {"enabled": False},
            "events": [{"id": "heat", "title": "Heat panel", "channels": ["replay:demo:main"]}],
        }
    )


def answered_later(tmp_path: Path, slug: str = "heat") -> str:
    return (tmp_path / "out" / slug / "report.md").read_text()


async def test_an_answer_after_the_end_reaches_everyone_the_report_and_the_export(
    tmp_path: Path,
) -> None:
    s = Script()
    s.say("u_mod", "/event start Heat panel")
    s.say("u_ann", "/ask Will the cooling centres stay open at night?")
    s.say("u_bo", "/ask Can landlords be made to fit shading on south-facing flats?")
    s.say("u_cy", "/ask Will landlords have to fit shading on south-facing flats?")
    s.say("u_pan", "/answer 1 Yes, until ten every night this week.")
    s.say("u_mod", "/event end")
    s.say("u_pan", "/answer 2", after=3600)  # no text: asked for it
    s.say("u_pan", "/answer 7 Yes.")  # no such question in this event
    s.say("u_ann", "/answer 2 I think so")  # not a panellist
    s.say("u_pan", "/answer 2 Not yet: the council is asking for that power.", after=86400)
    actions, _ = await run_script(s.lines, cfg=cfg(tmp_path))
    said = texts(actions)

    end_list = next(t for t in said if "left open" in t)
    assert "/answer N" in end_list  # the end post invites the panel to answer later
    assert any("Please add your answer after the number" in t for t in said)
    assert any("can't find question 7 in “Heat panel”" in t for t in said)
    assert any("/answer is for panellists" in t for t in said)
    posted = [t for t in said if t.startswith("💬 After “Heat panel”")]
    assert len(posted) == 1 and "question 2" in posted[0] and "that power" in posted[0]
    dms = [a for a in actions if isinstance(a, DirectMessage) and "Good news" in a.text]
    assert {a.user for a in dms} == {"u_bo"}  # the asker only (u_cy's was merged in, see below)

    report = answered_later(tmp_path)
    during, _, later = report.partition("## Answered after the event")
    assert "that power" in later and "that power" not in during
    assert "until ten" in during
    bundle = tmp_path / "out" / "heat" / "export"
    table = (bundle / "questions.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table)))
    by_id = {r["id"]: r for r in rows}
    assert by_id["2"]["after_event"] == "1" and by_id["1"]["after_event"] == "0"
    assert "that power" in by_id["2"]["answers"]


async def test_answer_numbers_belong_to_the_event_that_ended_here(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start First panel")
    s.say("u_ann", "/ask Will the cooling centres stay open at night?")
    s.say("u_bo", "/ask Can landlords be made to fit shading on south-facing flats?")
    s.say("u_mod", "/event end")
    s.say("u_mod", "/event start Second panel", after=7 * 86400)
    s.say("u_cy", "/ask Who pays for the street trees?")
    s.say("u_mod", "/event end")
    s.say("u_pan", "/answer 2 From the first panel: yes.")  # question 2 was the first event's
    s.say("u_pan", "/answer 1 The council does, from the tree fund.")
    actions, _ = await run_script(s.lines, cfg=cfg(tmp_path))
    said = texts(actions)
    assert any("can't find question 2 in “Second panel”" in t for t in said)
    late = [t for t in said if t.startswith("💬 After")]
    assert late == [
        "💬 After “Second panel”, Pan answered question 1 (Cy: “Who pays for the street trees?”):"
        " The council does, from the tree fund."
    ]


async def test_an_anonymous_asker_is_told_privately_and_never_named(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Heat panel")
    s.say("u_ann", "/ask Is it safe to sleep with the windows open?", private=True)
    s.say("u_mod", "/event end")
    s.say("u_pan", "/answer 1 Yes, on the upper floors, with a window lock.", after=3600)
    keep = config(
        {
            "bot": {"out_dir": str(tmp_path / "out")},
            "models": {"enabled": False},
            "privacy": {"keep_anonymous_askers": True},
            "events": [{"id": "heat", "title": "Heat panel", "channels": ["replay:demo:main"]}],
        }
    )
    logged: list[Any] = []

    async def look(bot: Any, _adapter: Any) -> None:
        logged.extend(
            await bot.db.fetchall(
                "SELECT recipient FROM actions WHERE kind = 'DirectMessage'"
                " AND text LIKE '%Good news%'"
            )
        )

    actions, _ = await run_script(s.lines, cfg=keep, keep_open=look)
    posted = next(t for t in texts(actions) if t.startswith("💬 After"))
    assert "(anonymous: “Is it safe" in posted and "Ann" not in posted
    told = [a for a in actions if isinstance(a, DirectMessage) and "Good news" in a.text]
    assert [a.user for a in told] == ["u_ann"]
    assert logged == []  # the receipt keeps no record tying Ann to the question
    assert "window lock" in answered_later(tmp_path)
    assert "Ann" not in answered_later(tmp_path).partition("## Answered after the event")[2]

    # Without keep_anonymous_askers, nobody is known, so nobody is told.
    actions, _ = await run_script(s.lines, cfg=cfg(tmp_path))
    assert not [a for a in actions if isinstance(a, DirectMessage) and "Good news" in a.text]
