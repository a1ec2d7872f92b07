"""'Did it work?': two events of a series, judged in the report, the end post and the figures,
with one set of numbers whether or not the config that ran them is at hand."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from bot.actions import UploadFile
from bot.config import load_config
from bot.prompts import Prompts
from facilitation.ledger.cli import evaluate_main, open_ledger
from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.data import EventData
from facilitation.report.gather import shown_names
from facilitation.report.verdict import findings
from tests.factories import T0, Script, config, run_script, texts
from tests.report.test_report import modules


def _series(tmp_path: Path) -> Any:
    event = {
        "id": "talks",
        "title": "Talks",
        "series": "riverside",
        "channels": ["replay:demo:main"],
    }
    return config(
        {
            "bot": {"out_dir": str(tmp_path / "out")},
            "models": {"enabled": False},
            "events": [event],
        }
    )


def _first(s: Script) -> None:
    s.say("u_mod", "/event start Talks", name="Sam Reid")
    s.say("u_org", "Welcome all", name="Riverside Events")
    q = s.say("u_ann", "/ask Do shutters help on top floors?", name="Ann Smith")
    s.say("u_ann", "/iam community", name="Ann Smith")
    s.say("u_pan", "They do, by about two degrees.", reply_to=q, name="Pat Jones")
    s.say("u_bob", "/iam policy", name="Bob Lee")
    s.say("u_bob", "Ann, the council has a grant for them", reply_to=q, name="Bob Lee")
    s.say("u_mod", "/event end", name="Sam Reid")


def _second(s: Script) -> None:
    s.say("u_mod", "/event start Talks again", after=86_400, name="Sam Reid")
    s.say("u_org", "Hello again", name="Riverside Events")
    q = s.say("u_dan", "/ask Where can I borrow a thermometer?", name="Dan Ray")
    s.say("u_ann", "Dan, the library lends them", reply_to=q, name="Ann Smith")
    s.say("u_cat", "/iam practice", name="Cat Moss")
    s.say("u_cat", "And the tenants' association, Ann!", reply_to=q, name="Cat Moss")
    s.react("u_dan", q)
    s.say("u_mod", "/event end", name="Sam Reid")


async def test_the_report_says_whether_it_worked_with_the_stores_numbers(tmp_path: Path) -> None:
    s = Script(start=T0)
    _first(s)
    _second(s)
    db = tmp_path / "rt.db"
    config = _series(tmp_path)
    sent, bot = await run_script(s.lines, cfg=config, db_path=str(db), modules=modules)
    slugs = [p.name for p in sorted((tmp_path / "out").iterdir()) if (p / "report.html").exists()]
    assert len(slugs) == 2
    second = next(p for p in (tmp_path / "out").iterdir() if p.name.startswith("talks-"))
    page = (second / "report.html").read_text()
    md = (second / "report.md").read_text()
    metrics = json.loads((second / "export" / "metrics.json").read_text())

    # one set of numbers: the report's header is the ledger's figures
    took_part, participants = metrics["audience"]["people"], metrics["audience"]["participants"]
    assert f"<b>{took_part}</b><span>took part</span>" in page
    assert f"<b>{participants}</b><span>participants</span>" in page
    assert f"<b>{metrics['depth']['messages']}</b><span>messages</span>" in page
    assert f"**{took_part}** took part" in md
    # new and returning: Ann came back, Dan and Cat are new
    assert (metrics["reach"]["new"], metrics["reach"]["returning"]) == (2, 1)
    assert metrics["questions"]["answered_by_room"] == 1  # Ann and Cat answered Dan

    # "Did it work?" with references to the series, a series table, a glossary
    assert "Did it work?" in page and "Did it work?" in md
    assert "Series median" in page and "previous event" in page
    assert "(this event)" in page and "What the numbers mean" in page
    assert "2 people new to the series, 1 returning" in page
    assert "Returning from: “Talks” (1)" in page
    # every chart has alt text
    assert page.count("<svg") == page.count('role="img" aria-label="') >= 3
    assert re.search(r'aria-label="Knowledge-exchange matrix\. [^"]+"', page)

    # names: the panel and hosts by name, participants by first name
    first = (tmp_path / "out" / "talks" / "report.html").read_text()
    assert "Pat Jones:</span>" in first and "asked by Ann ·" in first
    assert "Ann Smith" not in page and "Dan Ray" not in page
    assert "asked by Dan ·" in page

    # the end post says where the report is; the organiser present gets it privately
    ends = [t for t in texts(sent) if t.startswith("📣")]
    assert len(ends) == 2 and "Did it work?" in ends[-1]
    assert str(second / "report.html") in ends[-1]
    uploads = [a for a in sent if isinstance(a, UploadFile) and a.path.name == "report.html"]
    assert {a.private_to for a in uploads} == {"u_org"} and len(uploads) == 2

    # without the config that ran the event, the store alone gives the same figures
    opened = await open_ledger(load_config(None), db)
    assert opened is not None
    dbh, ledger = opened
    try:
        session = await ledger.find(second.name)
        assert session is not None
        _, again = await ledger.figures(session)
    finally:
        await dbh.close()
    for part in ("audience", "depth", "reach", "relationships", "questions", "matrix"):
        assert again[part] == metrics[part], part
    del bot


async def test_evaluate_writes_the_series_page_without_the_config(tmp_path: Path) -> None:
    s = Script(start=T0)
    _first(s)
    _second(s)
    db = tmp_path / "rt.db"
    await run_script(s.lines, cfg=_series(tmp_path), db_path=str(db), modules=modules)
    out = tmp_path / "series"
    argv = ["--series", "riverside", "--db", str(db), "--out", str(out)]
    assert await asyncio.to_thread(evaluate_main, argv) == 0
    page = (out / "series.html").read_text()
    assert "Series “riverside”" in page and "2 events" in page
    assert page.count("<tr") == 3  # header and two events
    assert (out / "matrix.png").stat().st_size > 1000 and (out / "matrix.svg").is_file()


def _figures(**over: Any) -> dict[str, Any]:
    f: dict[str, Any] = {
        "event": {"slug": "e"},
        "audience": {"participants": 10, "people": 13},
        "matrix": {"depth": 2.0, "quadrant": "small and shallow"},
        "reach": {"new": 10, "returning": 0, "returning_from": {}},
        "relationships": {"new_ties": 12, "cross_community_ties": 1, "labelled_ties": 2},
        "questions": {"answered_by_room": 1},
        "depth": {"reciprocity": 0.2},
    }
    for key, value in over.items():
        f[key] = {**f[key], **value}
    return f


def test_a_first_event_is_judged_by_the_thresholds_in_words() -> None:
    found = {f.key: f for f in findings(_figures(), [], LedgerConfig(), Prompts.load())}
    assert found["audience"].judgement == "bad"  # 10 < 20 participants
    assert "“large” from 20 participants" in found["audience"].reference
    assert found["ties"].judgement == "good"  # 12 new ties for 10 participants
    assert found["cross"].judgement == "good"  # 1 of 2 labelled ties: 50% >= 25%
    assert found["peer"].judgement == "bad" and "30%" in found["peer"].reference
    assert found["reach"].judgement == "none"


def test_a_later_event_is_judged_against_the_median_and_the_previous_one() -> None:
    earlier = [_figures(audience={"participants": 8}), _figures(audience={"participants": 30})]
    now = _figures(audience={"participants": 40}, matrix={"depth": 1.0})
    found = {f.key: f for f in findings(now, earlier, LedgerConfig(), Prompts.load())}
    assert found["audience"].judgement == "good"
    assert found["audience"].reference == ("Series median 19, previous event 30: higher than both.")
    assert found["depth"].judgement == "bad"
    between = findings(
        _figures(audience={"participants": 20}), earlier, LedgerConfig(), Prompts.load()
    )
    assert between[0].judgement == "mixed" and "between the two" in between[0].reference


def test_one_naming_rule_for_the_report() -> None:

    session: Any = None
    event = EventData(session=session)
    event.names = {
        ("x", "p1"): "Pat Jones",
        ("x", "a1"): "Sam Reid",
        ("x", "a2"): "Sam Okoro",
        ("x", "a3"): "Maya",
        ("x", "U04AB12"): "U04AB12",
        ("console", "ben"): "ben",
    }
    event.roles = {("x", "p1"): "panellist"}

    def pseudonym(who: tuple[str, str]) -> str:
        return f"p-{who[1]}"

    first = shown_names(event, "first", pseudonym)
    assert first[("x", "p1")] == "Pat Jones"  # the panel by name
    assert (first[("x", "a1")], first[("x", "a2")]) == ("Sam R.", "Sam O.")  # two Sams
    assert first[("x", "a3")] == "Maya" and first[("console", "ben")] == "ben"
    assert first[("x", "U04AB12")] == "p-U04AB12"  # an id is no name
    hidden = shown_names(event, "pseudonym", pseudonym)
    assert hidden[("x", "p1")] == "Pat Jones" and hidden[("x", "a3")] == "p-a3"
    # Live posts in the channel use the names people see there, never a pseudonym.
    event.names[("irc", "dave__")] = "dave__"
    for rule in ("first", "pseudonym"):
        live = shown_names(event, rule, pseudonym, live=True)
        assert live[("irc", "dave__")] == "dave__" and live[("x", "a3")] == "Maya"
        assert live[("x", "p1")] == "Pat Jones" and live[("x", "a1")] == "Sam R."
    assert shown_names(event, "first", pseudonym)[("irc", "dave__")] == "p-dave__"
