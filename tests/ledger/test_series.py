"""Reach and new ties across a series of three events, and the series comparison."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from facilitation.ledger.cli import evaluate_main
from tests.factories import Script
from tests.ledger.conftest import ledger_config, run


def _series() -> Script:
    s = Script()
    # event 1: Ann replies to Bob, Cat mentions Ann  -> ties Ann-Bob, Ann-Cat
    s.say("u_mod", '/event start "Talks"')
    b1 = s.say("u_bob", "hello from Bob")
    s.say("u_ann", "hi Bob, welcome", reply_to=b1)
    s.say("u_cat", "@Ann good to see you")
    s.say("u_mod", "/event end")
    # event 2: Ann-Bob again (old), Bob-Cat (new), Dan-Ann (new); Dan is new
    s.say("u_mod", '/event start "Talks"', after=3600)
    b2 = s.say("u_bob", "back again")
    s.say("u_ann", "welcome back", reply_to=b2)
    c2 = s.say("u_cat", "me too")
    s.say("u_bob", "nice", reply_to=c2)
    a2 = s.say("u_ann", "a thought")
    s.say("u_dan", "first time here", reply_to=a2)
    s.say("u_mod", "/event end")
    # event 3: Eve-Dan (new), Dan-Ann (old, event 2), Bob-Ann by mention (old, event 1)
    s.say("u_mod", '/event start "Talks"', after=3600)
    d3 = s.say("u_dan", "hello again")
    s.say("u_eve", "hi Dan", reply_to=d3)
    a3 = s.say("u_ann", "question for all")
    s.say("u_dan", "good one", reply_to=a3)
    s.say("u_bob", "@Ann agreed")
    s.say("u_mod", "/event end")
    return s


async def test_reach_and_new_ties_across_a_series(tmp_path: Path) -> None:
    cfg = ledger_config(tmp_path)
    db = tmp_path / "rt.db"
    await run(_series().lines, cfg, db)
    out = tmp_path / "series"
    argv = ["--series", "riverside", "--out", str(out), "--db", str(db)]
    code = await asyncio.to_thread(evaluate_main, argv)  # the CLI runs its own loop
    assert code == 0
    result = json.loads((out / "series.json").read_text())
    events = result["events"]
    slugs = [e["event"]["slug"] for e in events]
    assert len(slugs) == 3 and slugs[0] == "talks"  # later ones get a dated suffix

    e1, e2, e3 = (e["reach"] for e in events)
    assert (e1["new"], e1["returning"]) == (3, 0)  # Ann, Bob, Cat
    assert (e2["new"], e2["returning"]) == (1, 3)  # Dan new; Ann, Bob, Cat back
    assert e2["returning_from"] == {slugs[0]: 3}
    assert (e3["new"], e3["returning"]) == (1, 3)  # Eve new; Dan, Ann, Bob back
    # from event 1: Ann and Bob; from event 2: Dan, Ann and Bob
    assert e3["returning_from"] == {slugs[0]: 2, slugs[1]: 3}
    assert e3["earlier_events"] == slugs[:2]

    r1, r2, r3 = (e["relationships"] for e in events)
    assert (r1["ties"], r1["new_ties"]) == (2, 2)
    assert (r2["ties"], r2["new_ties"]) == (3, 2)  # Ann-Bob was made in event 1
    assert (r3["ties"], r3["new_ties"]) == (3, 1)  # only Eve-Dan is new

    t = result["totals"]
    assert t["distinct_participants"] == 5
    assert (t["participations"], t["new_participations"]) == (11, 5)
    assert (t["ties"], t["new_ties"]) == (8, 5)

    md = (out / "series.md").read_text()
    for heading in (
        "Did the platforms offer suitable spaces?",
        "Was the value of the exchange shared?",
        "Did the research reach new audiences?",
        "Did people build new relationships?",
        "knowledge-exchange matrix",
    ):
        assert heading in md
    assert "5 of 8 ties were between people who had never interacted" in md
    png = (out / "matrix.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert (out / "events.csv").read_text(encoding="utf-8-sig").count("\n") == 4


async def test_an_export_of_a_later_event_marks_returning_people(tmp_path: Path) -> None:
    cfg = ledger_config(tmp_path)
    await run(_series().lines, cfg, tmp_path / "rt.db")
    export = sorted((tmp_path / "out").glob("talks-*/export"))[-1]
    rows = (export / "participants.csv").read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    status = [r.split(",")[header.index("status")] for r in rows[1:]]
    assert sorted(status) == ["new", "returning", "returning", "returning"]
    ties = (export / "ties.csv").read_text(encoding="utf-8-sig").splitlines()
    new_col = ties[0].split(",").index("new_tie")
    assert sorted(t.split(",")[new_col] for t in ties[1:]) == ["0", "0", "1"]


def test_evaluate_says_which_series_exist(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert evaluate_main(["--series", "x", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database" in capsys.readouterr().err
