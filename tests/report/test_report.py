"""The report module in a real bot: cadence, /idea, the end-of-event report and its splitting."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.actions import Say
from facilitation.core import CoreModule
from facilitation.ledger.data import Message
from facilitation.ledger.module import LedgerModule
from facilitation.questions.module import QuestionsModule
from facilitation.report.analysis import turns_of
from facilitation.report.config import ReportConfig
from facilitation.report.digest import is_due
from facilitation.report.module import ReportModule
from tests.factories import T0, Script, config, run_script, texts


def modules(services: Any) -> list[Any]:
    return [
        CoreModule(services),
        QuestionsModule(services),
        ReportModule(services),
        LedgerModule(services),
    ]


def cfg(tmp_path: Path, **report: Any) -> Any:
    return config(
        {
            "bot": {"out_dir": str(tmp_path / "out")},
            "models": {"enabled": False},
            "events": [{"id": "talks", "title": "Talks", "channels": ["replay:demo:main"]}],
            "report": report,
        }
    )


def test_cadence_needs_both_time_and_messages() -> None:
    rc = ReportConfig(cadence_minutes=15, min_messages=20)
    early = T0 + timedelta(minutes=14)
    late = T0 + timedelta(minutes=15)
    assert not is_due(early, T0, 50, rc)
    assert not is_due(late, T0, 19, rc)
    assert is_due(late, T0, 20, rc)
    assert not is_due(late, T0, 99, ReportConfig(cadence_minutes=0))


def chat(script: Script, n: int, gap: float) -> None:
    for i in range(n):
        who = ("u_ann", "u_bob", "u_cat")[i % 3]
        script.say(
            who, f"I think the shading trial number {i} kept flats cooler at night", after=gap
        )


async def test_digest_posts_on_cadence_only_when_enough_was_said(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    chat(s, 4, 20)  # 80 s: time not up yet
    chat(s, 6, 20)  # past 2 minutes with 10 messages: due
    sent, _ = await run_script(
        s.lines, cfg=cfg(tmp_path, cadence_minutes=2, min_messages=5), modules=modules
    )
    digests = [t for t in texts(sent) if t.startswith("📝")]
    assert len(digests) == 1
    assert "shading" in digests[0]

    quiet = Script()
    quiet.say("u_mod", "/event start Talks")
    chat(quiet, 4, 60)  # plenty of time, too few messages
    sent, _ = await run_script(
        quiet.lines, cfg=cfg(tmp_path, cadence_minutes=2, min_messages=5), modules=modules
    )
    assert not [t for t in texts(sent) if t.startswith("📝")]


async def test_summary_command_posts_for_moderators(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    chat(s, 3, 5)
    s.say("u_mod", "/summary")
    sent, _ = await run_script(s.lines, cfg=cfg(tmp_path, min_messages=100), modules=modules)
    posted = [a for a in sent if isinstance(a, Say) and a.text.startswith("📝")]
    assert len(posted) == 1


async def test_summary_never_quotes_a_meeting_command_and_names_nicks_as_seen(
    tmp_path: Path,
) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    s.say("bauer77", "[ACTION] ajmitch to upload the fixed package")
    s.say("bauer77", "#action ajmitch to upload the fixed package")
    s.say("bauer77", "can having too big a swap file slow the system down?")
    s.say("u_mod", "/summary")
    sent, _ = await run_script(s.lines, cfg=cfg(tmp_path, min_messages=100), modules=modules)
    [posted] = [a.text for a in sent if isinstance(a, Say) and a.text.startswith("📝")]
    assert "ACTION" not in posted.upper()
    assert "bauer77" in posted.lower() and "p-" not in posted  # the nick, not a pseudonym


async def test_end_of_event_report(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    q = s.say("u_ann", "/ask Do external shutters work on top floor flats?")
    s.react("u_bob", q)
    s.react("u_cat", q)
    s.say(
        "u_pan",
        "Yes, shutters cut peak bedroom temperatures by about two degrees in the trial",
        reply_to=q,
    )
    s.say("u_bob", "Report here: https://example.org/shutters")
    s.say("u_cat", "/idea A tenants' sensor library for the summer <script>alert(1)</script>")
    s.say("u_mod", "/event end")
    sent, _ = await run_script(s.lines, cfg=cfg(tmp_path), modules=modules)
    folder = tmp_path / "out" / "talks"
    page = (folder / "report.html").read_text()
    md = (folder / "report.md").read_text()
    assert "Do external shutters work on top floor flats?" in page
    assert "cut peak bedroom temperatures" in page  # the answer under its question
    assert "2 votes" in page
    assert "A tenants&#39; sensor library for the summer" in page
    assert 'href="https://example.org/shutters"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<svg" in page  # charts embedded
    assert "## Questions and answers" in md and "sensor library" in md
    end = [t for t in texts(sent) if t.startswith("📣")]
    assert len(end) == 1 and "sensor library" in end[0]


async def test_long_end_post_is_split_to_the_platform_limit(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    for i in range(30):
        s.say(f"u_p{i}", f"/idea {i} " + "shade the south windows and plant trees " * 5)
    s.say("u_mod", "/event end")
    sent, _ = await run_script(s.lines, cfg=cfg(tmp_path, write_on_end=False), modules=modules)
    says = [a.text for a in sent if isinstance(a, Say)]
    start = next(i for i, t in enumerate(says) if t.startswith("📣"))
    chunks = says[start:]
    assert len(chunks) >= 2
    assert all(len(c) <= 4000 for c in chunks)
    assert "29 shade" in "".join(chunks)
    assert not (tmp_path / "out" / "talks" / "report.html").exists()


async def test_people_who_opted_out_are_not_in_the_report(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    first = s.say("u_zed", "Our block measured thirty one degrees in the top flats last July")
    s.say("u_zed", "/idea A shared thermometer library run by Zed's tenants group")
    s.say("u_ann", "That matches what we saw in the shading trial too", reply_to=first)
    s.say("u_zed", "/optout")
    s.say("u_mod", "/event end")
    await run_script(s.lines, cfg=cfg(tmp_path), modules=modules)
    page = (tmp_path / "out" / "talks" / "report.html").read_text()
    md = (tmp_path / "out" / "talks" / "report.md").read_text()
    assert "shading trial" in page  # Ann stays
    for text in (page, md):
        assert "Zed" not in text
        assert "thirty one degrees" not in text
        assert "thermometer library" not in text


async def test_summary_of_one_thread(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    root = s.say("u_ann", "Does anyone know if the council shutters scheme is open to tenants?")
    s.say("u_bob", "Yes, tenants can apply through their landlord since April", reply_to=root)
    s.say("u_cat", "The shutters scheme form is short, it took me ten minutes", reply_to=root)
    s.say("u_dan", "Completely unrelated: the cool space map is lovely")
    s.say("u_ann", "/summary thread", reply_to=root)
    sent, _ = await run_script(s.lines, cfg=cfg(tmp_path), modules=modules)
    thread = [t for t in texts(sent) if t.startswith("🧵")]
    assert len(thread) == 1
    assert "shutters" in thread[0] and "cool space map" not in thread[0]


async def test_reports_already_written_are_rewritten_after_an_opt_out(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", "/event start Talks")
    s.say("u_zed", "Our block measured thirty one degrees in the top flats last July")
    s.say("u_ann", "The shading trial found shutters helped most on the top floors")
    s.say("u_mod", "/event end")
    s.say("u_zed", "/optout", after=60)
    await run_script(s.lines, cfg=cfg(tmp_path), modules=modules)
    folder = tmp_path / "out" / "talks"
    for path in (folder / "report.html", folder / "report.md", folder / "export" / "report.md"):
        text = path.read_text()
        assert "shading trial" in text
        assert "thirty one degrees" not in text and "Zed" not in text


def test_turns_drop_an_opening_address_only_where_the_summary_stays_readable() -> None:

    def msg(mid: str, name: str, text: str) -> Message:
        return Message(
            0, "replay", mid, "main", None, None, T0, ("replay", name), name, text, None, (), ()
        )

    turns = turns_of(
        [
            msg("a", "Grace", "Did the cool spaces reach older people? honestly unsure"),
            msg("b", "Amara", "Grace, honestly the data says most never heard of them"),
            msg("c", "Jun", "@Grace Zebras are not involved"),
        ],
        Counter(),
    )
    assert turns[1].text == "honestly the data says most never heard of them"
    assert turns[2].text == "Zebras are not involved"


def test_an_address_to_someone_outside_the_conversation_is_dropped_too() -> None:
    # From a replayed IRC log (session 4): 'Skaperen: "Mjuksel: if you did make ..."'
    def msg(mid: str, name: str, text: str) -> Message:
        return Message(
            0, "replay", mid, "main", None, None, T0, ("replay", name), name, text, None, (), ()
        )

    group = [
        msg("a", "Skaperen", "Mjuksel: if you did make install then you also have the source"),
        msg("b", "hypatia", "the source is what you need to rebuild it"),
    ]
    assert turns_of(group, Counter())[0].text.startswith("Mjuksel:")
    turns = turns_of(group, Counter(), people={"Mjuksel", "Skaperen", "hypatia"})
    assert turns[0].text == "if you did make install then you also have the source"
