"""The download bundle: files, formula neutralising, GraphML/GEXF, zip, CLI, /export."""

from __future__ import annotations

import asyncio
import csv
import json
import stat
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from bot.actions import UploadFile
from facilitation.ledger.cli import export_main
from facilitation.ledger.privacy import Identities, safe_cell
from tests.factories import Script, texts
from tests.ledger.conftest import ledger_config, run

ANN = Identities("test-key").pseudonym(("replay", "u_ann"))
BOB = Identities("test-key").pseudonym(("replay", "u_bob"))


def _event() -> Script:
    s = Script()
    s.say("u_ann", "/iam practice")
    s.say("u_mod", '/event start "Talks"')
    a = s.say("u_ann", '=HYPERLINK("http://evil.example","click")')
    s.say("u_bob", "@SUM(1,2) +1 agreed", reply_to=a)
    s.say("u_ann", "-5 degrees last night\tbrr")
    s.say("u_bob", "@Ann thanks!")
    s.react("u_ann", a, "❤️")
    s.say("u_mod", "/event end")
    return s


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("plain = fine", "plain = fine"),
        (" =1+1", "' =1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\u200b=1+1", "'\u200b=1+1"),
        ("\ufeff@SUM(A1)", "'\ufeff@SUM(A1)"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0bcmd", "'\uff0bcmd"),
        ("\u3000\uff0d2", "'\u3000\uff0d2"),
        (" spaced but plain", " spaced but plain"),
        ("", ""),
        (-0.4, -0.4),
        (3, 3),
    ],
)
def test_formula_cells_are_neutralised(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


async def test_the_bundle_has_every_file_and_safe_csv(tmp_path: Path) -> None:
    await run(_event().lines, ledger_config(tmp_path), tmp_path / "rt.db")
    folder = tmp_path / "out" / "talks" / "export"
    names = {p.name for p in folder.iterdir()}
    assert names >= {
        "messages.csv",
        "messages.jsonl",
        "participants.csv",
        "questions.csv",
        "ties.csv",
        "network.graphml",
        "network.gexf",
        "metrics.json",
        "README.md",
    }
    assert "snapshots.csv" not in names  # no snapshot tables in this store

    with (folder / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = [r["text"] for r in rows]
    assert cells[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert cells[1] == "'@SUM(1,2) +1 agreed"
    assert cells[2] == "'-5 degrees last night\tbrr"
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r.values())
    # JSON Lines keep the text as it was, with reply links and conversation ids
    lines = [json.loads(x) for x in (folder / "messages.jsonl").read_text().splitlines()]
    assert lines[0]["text"].startswith("=HYPERLINK")
    assert lines[1]["reply_to"] == lines[0]["message_id"]
    assert lines[1]["reply_to_author"] == ANN
    assert lines[1]["conversation"] == lines[0]["conversation"]
    assert lines[3]["mentions"] == [ANN]
    # pseudonyms by default: no names, no platform ids
    blob = (folder / "messages.csv").read_text(encoding="utf-8-sig")
    blob += (folder / "participants.csv").read_text(encoding="utf-8-sig")
    assert "u_ann" not in blob and "author_name" not in blob and ANN in blob


async def test_graphml_and_gexf_load_in_networkx(tmp_path: Path) -> None:
    await run(_event().lines, ledger_config(tmp_path), tmp_path / "rt.db")
    folder = tmp_path / "out" / "talks" / "export"
    for graph in (
        nx.read_graphml(folder / "network.graphml"),
        nx.read_gexf(folder / "network.gexf"),
    ):
        assert graph.is_directed()
        assert set(graph.nodes) == {ANN, BOB}
        # Bob replied to Ann once and mentioned her once
        assert graph.edges[BOB, ANN]["weight"] == 2
        assert graph.edges[BOB, ANN]["replies"] == 1
        assert graph.nodes[ANN]["community"] == "practice"
        assert graph.number_of_edges() == 1


async def test_cli_export_zip_and_real_names(tmp_path: Path) -> None:
    cfg = ledger_config(tmp_path)
    db = tmp_path / "rt.db"
    await run(_event().lines, cfg, db)
    target = tmp_path / "dl" / "talks.zip"
    argv = ["talks", "--out", str(target), "--zip", "--db", str(db), "--real-names"]
    assert await asyncio.to_thread(export_main, argv) == 0
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert "talks/network.gexf" in names and "talks/metrics.json" in names
        people = zf.read("talks/participants.csv").decode("utf-8-sig")
    assert "replay:u_ann" in people and ",Ann," in people
    missing = ["nope", "--out", str(tmp_path / "x"), "--db", str(db)]
    assert await asyncio.to_thread(export_main, missing) == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_cli_export_onto_an_existing_file_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "rt.db"
    await run(_event().lines, ledger_config(tmp_path), db)
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    base = ["talks", "--db", str(db)]
    assert await asyncio.to_thread(export_main, [*base, "--out", str(taken)]) == 2
    assert "is a file" in capsys.readouterr().err and taken.read_text() == "mine"
    zipped = tmp_path / "old.zip"
    zipped.write_text("mine")
    assert await asyncio.to_thread(export_main, [*base, "--out", str(zipped), "--zip"]) == 2
    assert "--force" in capsys.readouterr().err and zipped.read_text() == "mine"
    argv = [*base, "--out", str(zipped), "--zip", "--force"]
    assert await asyncio.to_thread(export_main, argv) == 0
    assert zipfile.ZipFile(zipped).testzip() is None
    folder = tmp_path / "bundle"
    assert await asyncio.to_thread(export_main, [*base, "--out", str(folder)]) == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.parent.name == "figures" for p in files)  # the figures folder too
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    assert stat.S_IMODE((folder / "figures").stat().st_mode) == 0o700


async def test_export_in_chat_sends_the_zip_privately(tmp_path: Path) -> None:
    s = _event()
    s.say("u_bob", "/export talks")
    s.say("u_mod", "/export talks")
    actions = await run(s.lines, ledger_config(tmp_path), tmp_path / "rt.db")
    uploads = [a for a in actions if isinstance(a, UploadFile)]
    assert len(uploads) == 1
    assert uploads[0].private_to == "u_mod" and uploads[0].path.suffix == ".zip"
    assert zipfile.ZipFile(uploads[0].path).testzip() is None
    said = texts(actions)
    assert any("/export is for" in t for t in said)  # Bob is not a moderator
    assert any("sent you the downloads" in t for t in said)


async def test_export_includes_the_report_when_it_exists(tmp_path: Path) -> None:
    cfg = ledger_config(tmp_path, ledger={"export_on_end": False})
    db = tmp_path / "rt.db"
    await run(_event().lines, cfg, db)
    assert not (tmp_path / "out" / "talks" / "export").exists()
    (tmp_path / "out" / "talks").mkdir(parents=True)
    (tmp_path / "out" / "talks" / "report.md").write_text("# Talks\n")
    out = tmp_path / "bundle"
    toml = tmp_path / "rt.toml"  # the CLI finds reports under the config's out_dir
    toml.write_text(f'[bot]\nout_dir = "{tmp_path / "out"}"\n')
    argv = ["talks", "--out", str(out), "--db", str(db), "--config", str(toml)]
    assert await asyncio.to_thread(export_main, argv) == 0
    assert (out / "report.md").read_text() == "# Talks\n"
