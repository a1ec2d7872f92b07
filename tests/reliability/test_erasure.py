"""After /optout nothing of the person is left in any byte the bot wrote.

A realistic event runs through every module on a file database: the person
asks in public and anonymously, is thanked and mentioned by name, puts an idea
forward, reacts, is quoted by the bot's /now post and in the report; exports
are written (in the output folder, as a zip, and by the CLI elsewhere), and
their /mydata file. Then the bot restarts, they opt out, and every byte is
searched: the database, its WAL and SHM (free pages included), every file under
the output folders (zip members decompressed).
"""

from __future__ import annotations

import asyncio
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.actions import UploadFile
from bot.store import Database
from facilitation.ledger.cli import export_main
from facilitation.ledger.optouts import Hasher
from facilitation.ledger.privacy import Identities
from facilitation.ledger.store import LedgerStore
from tests.factories import Script, config, run_script

NAME, FIRST, USER = "Yusuf Okafor", "Yusuf", "u_yusuf"
PHRASE = "fan-in-a-bucket trick on the fourth floor"
SECRET_QUESTION = "landlord's duty about the mould in flat twelve"
NEEDLES = (FIRST, "Okafor", USER, PHRASE)


def _cfg(tmp_path: Path) -> Any:
    return config(
        {
            "bot": {"out_dir": str(tmp_path / "out")},
            "models": {"enabled": False},
            "privacy": {"secret_env": "RT_ERASURE_TEST_UNSET"},
            "events": [{"id": "heat", "title": "Heat", "channels": ["replay:demo:main"]}],
        }
    )


def _before() -> Script:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say(USER, "/iam community", private=True, name=NAME)
    q = s.say(USER, f"/ask Does the {PHRASE} actually cool a room?", name=NAME)
    s.say("u_ann", f"Thanks {FIRST}, we tried the {PHRASE} too", reply_to=q)
    a = s.say("u_ann", f"@{FIRST} did it help with the heat at night?")
    s.say(USER, "It helped a bit with the heat, honestly", reply_to=a, name=NAME)
    s.react(USER, a)
    s.say(USER, f"/ask Whose job is the {SECRET_QUESTION}?", private=True, name=NAME)
    s.say("u_mod", "/now 1")
    s.say("u_pan", f"Good question {FIRST}: a wet cloth helps only in dry heat.", reply_to=q)
    s.say(USER, f"/idea A lending library of blackout curtains, says {FIRST}", name=NAME)
    # the first half of a question, never completed: kept by the queue, waiting
    s.say(USER, f"A quick question about the {PHRASE}", name=NAME)
    s.say("u_bob", f"I'd back {FIRST}'s idea about curtains")
    s.say("u_mod", "/queue")
    s.say("u_mod", "/summary")
    s.say("u_mod", "/event end")
    s.say("u_mod", "/export heat", private=True)
    s.say(USER, "/mydata", private=True, name=NAME)
    return s


def _hits(roots: list[Path], needles: tuple[str, ...]) -> tuple[dict[str, list[str]], int]:
    """Where each needle occurs (case-insensitive), and how many bytes were searched."""
    found: dict[str, list[str]] = {n: [] for n in needles}
    searched = 0
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            blobs = [(str(path), path.read_bytes())]
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as zf:
                    blobs += [(f"{path}!{n}", zf.read(n)) for n in zf.namelist()]
            for where, blob in blobs:
                searched += len(blob)
                low = blob.lower()
                for n in needles:
                    if n.lower().encode() in low:
                        found[n].append(where)
    return found, searched


async def test_nothing_of_the_person_is_left_in_any_byte_written(tmp_path: Path) -> None:
    cfg, db = _cfg(tmp_path), tmp_path / "data" / "rt.db"
    actions, _ = await run_script(_before().lines, cfg=cfg, db_path=str(db))
    assert any(isinstance(a, UploadFile) and a.private_to == USER for a in actions)
    elsewhere = tmp_path / "analyst"
    argv = ["heat", "--out", str(elsewhere), "--db", str(db)]
    assert await asyncio.to_thread(export_main, argv) == 0
    pseudonym = Identities((db.parent / "rt.db.secret").read_text().strip()).pseudonym(
        ("replay", USER)
    )
    needles = (*NEEDLES, pseudonym)
    roots = [db.parent, tmp_path / "out", elsewhere]

    before, searched_before = _hits(roots, needles)
    for needle, where in before.items():
        assert where, f"the event never wrote {needle!r}: the search would prove nothing"

    after_optout = Script(start=_last_ts(_before()))
    after_optout.say(USER, "/optout", private=True, name=NAME, after=60, mid="later1")
    after_optout.say("u_ann", f"Hope you're well, {FIRST}", after=5, mid="later2")
    await run_script(after_optout.lines, cfg=cfg, db_path=str(db))

    after, searched = _hits(roots, needles)
    # An anonymous question is linked to nobody (privacy.keep_anonymous_askers is
    # false), so it is not theirs to remove: it stays, attributed to no one.
    questions = (tmp_path / "out" / "heat" / "export" / "questions.csv").read_text()
    anonymous = [line for line in questions.splitlines() if SECRET_QUESTION in line]
    assert len(anonymous) == 1 and ",anonymous," in anonymous[0]
    left = {n: w for n, w in after.items() if w}
    assert left == {}, "\n".join(f"{n}: {w}" for n, w in left.items())
    assert searched > 100_000  # the database, the report, four export sets
    print(
        f"\nerasure search: {searched_before:,} bytes before, {searched:,} after;"
        f" hits before {sum(map(len, before.values()))}, after {sum(map(len, after.values()))}"
    )


def _last_ts(script: Script) -> Any:

    return datetime.fromisoformat(json.loads(script.lines[-1])["ts"])


async def test_an_erasure_a_crash_interrupted_is_finished_at_the_next_start(
    tmp_path: Path,
) -> None:

    cfg, db = _cfg(tmp_path), tmp_path / "data" / "rt.db"
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say(USER, f"Does the {PHRASE} help?", name=NAME)
    s.say("u_ann", f"Thanks {FIRST}!")
    await run_script(s.lines, cfg=cfg, db_path=str(db))
    # the opt-out was recorded, then the process died before anything was forgotten
    store = LedgerStore(await Database.open(db))
    hasher = Hasher((db.parent / "rt.db.secret").read_text().strip())
    await store.add_forgotten(
        hasher.person(("replay", USER)),
        _last_ts(s),
        False,
        hasher.names([NAME]),
        pending=(("replay", USER), [NAME]),
    )
    await store.db.close()
    assert USER.encode() in b"".join(p.read_bytes() for p in db.parent.glob("rt.db*"))

    later = Script(start=_last_ts(s))
    later.say("u_ann", f"Is {FIRST} still here?", after=30, mid="later1")
    await run_script(later.lines, cfg=cfg, db_path=str(db))
    after, _ = _hits([db.parent], NEEDLES)
    assert {n: w for n, w in after.items() if w} == {}
