"""Opt-out removes a person from every output; /mydata, /iam, retention, pseudonyms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from bot.actions import DirectMessage, UploadFile
from bot.config import PrivacyConfig
from bot.store import Database
from facilitation.core import CoreModule
from facilitation.ledger.module import LedgerModule
from facilitation.ledger.privacy import Identities, resolve_secret
from facilitation.ledger.store import LedgerStore
from facilitation.questions.module import QuestionsModule
from tests.factories import Script, texts
from tests.ledger.conftest import ledger_config, run

IDS = Identities("test-key")
CAT = IDS.pseudonym(("replay", "u_cat"))
ANN = IDS.pseudonym(("replay", "u_ann"))


def _event(optout: str = "/optout") -> Script:
    s = Script()
    s.say("u_cat", "/iam policy")
    s.say("u_mod", '/event start "Talks"')
    a = s.say("u_ann", "What does the evidence say about shading?")
    c = s.say("u_cat", "Thanks Ann, we tried shutters in our block", reply_to=a)
    s.say("u_ann", "@Cat how did it go?", reply_to=c)
    s.say("u_cat", "/ask Would the council pay for shutters?")
    s.say("u_pan", "Some councils do, yes.", reply_to="m0006")
    s.react("u_cat", a, "🙏")
    s.say("u_bob", "interesting thread", reply_to=a)
    s.say("u_mod", "/event end")
    # after the event: the bundle is on disk; then Cat opts out privately
    s.say("u_cat", optout, private=True, after=60)
    s.say("u_cat", "still here, but please don't record this", after=5)
    s.say("u_ann", "@Cat hope you're well, Cat")  # later mentions of Cat are kept out too
    s.react("u_cat", a, "👍")
    s.say("u_cat", "/mydata", private=True)
    return s


def _bundle(tmp_path: Path) -> Path:
    return tmp_path / "out" / "talks" / "export"


def _all_text(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".png")
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in files)


async def test_opt_out_removes_the_person_from_every_output(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def inspect(bot: Any) -> None:
        rows = await bot.db.fetchall("SELECT author, kind, text FROM events")
        seen["rows"] = [(r["author"], r["kind"], r["text"]) for r in rows]
        row = await bot.db.fetchone("SELECT json FROM metrics WHERE session_id = 1")
        seen["metrics"] = json.loads(row["json"])

    actions = await run(_event().lines, ledger_config(tmp_path), tmp_path / "rt.db", inspect)
    folder = _bundle(tmp_path)
    everything = _all_text(folder)
    # nothing of Cat's in any file: pseudonym, id, name, words, label
    for trace in (CAT, "u_cat", "Cat", "shutters in our block", "policy"):
        assert trace not in everything, trace
    assert ANN in everything  # the others are still there

    messages = [json.loads(x) for x in (folder / "messages.jsonl").read_text().splitlines()]
    assert [m["text"] for m in messages] == [
        "What does the evidence say about shading?",
        "[name removed] how did it go?",  # Ann's reply to Cat's removed message stays
        "Some councils do, yes.",
        "interesting thread",
    ]
    assert messages[1]["reply_to_author"] is None and messages[1]["mentions"] == []
    for graph in (
        nx.read_graphml(folder / "network.graphml"),
        nx.read_gexf(folder / "network.gexf"),
    ):
        assert CAT not in graph.nodes and ANN in graph.nodes
    assert (folder / "questions.csv").read_text(encoding="utf-8-sig").count("\n") == 1  # header

    # the stored figures were recomputed without Cat
    m = seen["metrics"]
    assert m["audience"]["participants"] == 2  # Ann, Bob
    # Ann's and Pan's replies pointed at Cat's removed messages: only Bob-Ann is left
    assert m["relationships"]["ties"] == 1
    assert m["questions"]["asked"] == 0
    assert m["relationships"]["communities"] == {}

    # nothing by Cat is stored: not before, not after (messages, reactions), commands blanked
    assert not [r for r in seen["rows"] if r[0] == "u_cat"]
    assert ("", "CommandIssued", None) in seen["rows"]  # the /mydata: no words, no author
    assert not any("Cat" in (t or "") for _, _, t in seen["rows"])
    assert ("u_ann", "MessagePosted", "[name removed] hope you're well, [name removed]") in seen[
        "rows"
    ]

    said = texts(actions)
    assert any(t.startswith("Done. I've removed your messages") for t in said)
    assert any("Your questions are gone too" in t for t in said)
    assert any("You've opted out, so I hold nothing" in t for t in said)


def _with_questions(services: Any) -> list[Any]:
    return [CoreModule(services), QuestionsModule(services), LedgerModule(services)]


async def test_keep_questions_leaves_them_anonymous_and_drops_votes(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Talks"')
    s.say("u_cat", "/ask Would the council pay for shutters?")
    s.say("u_ann", "/ask Do fans help when it's humid?")
    s.say("u_cat", "/upvote 2")
    s.say("u_cat", "/optout keep-questions", private=True)
    s.say("u_mod", "/event end")
    seen: dict[str, Any] = {}

    async def inspect(bot: Any) -> None:
        rows = await bot.db.fetchall("SELECT number, asker, anonymous, text FROM questions")
        seen["questions"] = [tuple(r) for r in rows]
        seen["votes"] = [
            tuple(r) for r in await bot.db.fetchall("SELECT question_id, voter FROM question_votes")
        ]

    actions = await run(
        s.lines, ledger_config(tmp_path), tmp_path / "rt.db", inspect, modules=_with_questions
    )
    assert seen["questions"] == [
        (1, None, 1, "Would the council pay for shutters?"),
        (2, "u_ann", 0, "Do fans help when it's humid?"),
    ]
    assert ("u_cat",) not in [(v[1],) for v in seen["votes"]]
    assert any("Your questions stay, without your name." in t for t in texts(actions))
    folder = _bundle(tmp_path)
    questions = (folder / "questions.csv").read_text(encoding="utf-8-sig")
    assert "anonymous" in questions and "shutters" in questions and CAT not in questions
    m = json.loads((folder / "metrics.json").read_text())
    assert m["questions"]["asked"] == 2
    assert m["audience"]["asked"] == 1  # only Ann's question has a name on it


async def test_mydata_sends_a_summary_and_the_file(tmp_path: Path) -> None:
    s = Script()
    s.say("u_cat", "/iam practice")
    s.say("u_mod", '/event start "Talks"')
    a = s.say("u_cat", "hello all")
    s.say("u_ann", "hi", reply_to=a)
    s.react("u_cat", a, "❤️")
    s.say("u_cat", "/mydata", private=True)
    actions = await run(s.lines, ledger_config(tmp_path), tmp_path / "rt.db")
    dms = [a for a in actions if isinstance(a, DirectMessage) and a.user == "u_cat"]
    assert dms and "1 message, 1 reaction," in dms[-1].text
    assert CAT in dms[-1].text and "practice" in dms[-1].text
    [upload] = [a for a in actions if isinstance(a, UploadFile)]
    assert upload.private_to == "u_cat"
    data = json.loads(upload.path.read_text())
    assert data["counts"]["messages"] == 1 and data["community"] == "practice"
    assert [e["text"] for e in data["events"] if e["kind"] == "MessagePosted"] == ["hello all"]
    assert data["counts"]["messages_mentioning_you"] == 0


async def test_iam_lists_the_labels_for_an_unknown_one(tmp_path: Path) -> None:
    s = Script()
    s.say("u_cat", "/iam astronaut")
    s.say("u_cat", "/iam")
    cfg = ledger_config(tmp_path, ledger={"labels": ["academic", "policy", "makers"]})
    said = texts(await run(s.lines, cfg, tmp_path / "rt.db"))
    assert said[0] == (
        "I don't know “astronaut”. You can choose one of: academic, policy, makers. "
        "For example: /iam academic"
    )
    assert said[1].startswith("Which community are you part of?")


async def test_optin_starts_recording_again(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Talks"')
    s.say("u_cat", "/optout", private=True)
    s.say("u_cat", "not recorded")
    s.say("u_cat", "/optin", private=True)
    s.say("u_cat", "recorded again")
    seen: list[str] = []

    async def inspect(bot: Any) -> None:
        rows = await bot.db.fetchall("SELECT text FROM events WHERE author = 'u_cat'")
        seen.extend(str(r["text"]) for r in rows)

    actions = await run(s.lines, ledger_config(tmp_path), tmp_path / "rt.db", inspect)
    assert "recorded again" in seen and "not recorded" not in seen
    assert any(t.startswith("Welcome back!") for t in texts(actions))


async def test_retention_removes_old_text_but_keeps_the_figures(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Talks"')
    s.say("u_ann", "Thanks, this is wonderful and really helpful!")
    s.say("u_mod", "/event end")
    s.say("u_ann", "a new day, days later", after=3 * 86400)  # the daily check runs here
    cfg = ledger_config(tmp_path, privacy={"retention_days": 2})
    seen: dict[str, Any] = {}

    async def inspect(bot: Any) -> None:
        rows = await bot.db.fetchall("SELECT text FROM events WHERE kind = 'MessagePosted'")
        seen["texts"] = [r["text"] for r in rows]
        row = await bot.db.fetchone("SELECT json FROM metrics WHERE session_id = 1")
        seen["metrics"] = json.loads(row["json"])

    await run(s.lines, cfg, tmp_path / "rt.db", inspect)
    assert seen["texts"] == [None, "a new day, days later"]
    assert seen["metrics"]["tone"]["appreciation_messages"] == 1
    assert seen["metrics"]["depth"]["messages"] == 1


async def test_pseudonyms_are_stable_and_keyed(tmp_path: Path, monkeypatch: Any) -> None:

    db = await Database.open(tmp_path / "k.db")
    try:
        store = LedgerStore(db)
        await store.setup()
        unset = PrivacyConfig(secret_env="RT_LEDGER_NOT_SET")
        first = await resolve_secret(unset, store, {})
        assert first == await resolve_secret(unset, store, {})  # kept in the key file
        assert len(first) == 64
        assert (tmp_path / "k.db.secret").read_text().strip() == first
        from_env = await resolve_secret(unset, store, {"RT_LEDGER_NOT_SET": "abc"})
        assert from_env == "abc"
    finally:
        await db.close()
    a, b = Identities("k1"), Identities("k2")
    who = ("discord", "1234")
    assert a.pseudonym(who) == Identities("k1").pseudonym(who) != b.pseudonym(who)
    assert a.pseudonym(who).startswith("p-") and len(a.pseudonym(who)) == 12
