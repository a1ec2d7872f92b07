"""``roundtable ingest``: paths or the configured corpus, skips unchanged, names bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from facilitation.snapshots.cli import main
from tests.snapshots.conftest import write_corpus


def _config(tmp_path: Path, extra: str = "") -> Path:
    # models off: passages are stored for keyword search, and the test loads no model
    path = tmp_path / "config.toml"
    path.write_text(
        '[models]\nenabled = false\n\n[snapshots]\ncorpus = ["corpus"]\n' + extra, "utf-8"
    )
    return path


def _corpora(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT d.corpus, COUNT(*) FROM snapshot_passages p"
            " JOIN snapshot_documents d ON d.id = p.document_id GROUP BY d.corpus"
        ).fetchall()
    return dict(rows)


def test_ingests_the_configured_corpus_then_skips_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_corpus(tmp_path / "corpus")
    cfg, db = _config(tmp_path), tmp_path / "rt.db"
    assert main(["--config", str(cfg), "--db", str(db)]) == 0
    out = capsys.readouterr()
    assert "3 added, 0 replaced, 0 unchanged" in out.out
    assert "keyword search only" in out.err
    assert main(["--config", str(cfg), "--db", str(db)]) == 0
    assert "0 added, 0 replaced, 3 unchanged" in capsys.readouterr().out
    assert _corpora(db)["default"] >= 3


def test_paths_into_an_event_corpus_and_bad_files_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(tmp_path / "papers")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    cfg, db = _config(tmp_path), tmp_path / "rt.db"
    code = main([str(folder), "--config", str(cfg), "--db", str(db), "--event", "heat-panel"])
    assert code == 1
    out = capsys.readouterr()
    assert f"Could not read {folder.resolve() / 'scan.pdf'}" in out.err
    assert "3 added" in out.out
    assert set(_corpora(db)) == {"heat-panel"}


def test_usage_and_config_problems_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[snapshots]\nthreshhold = 0.5\n", "utf-8")
    assert main(["--config", str(bad)]) == 2
    assert "did you mean 'threshold'" in capsys.readouterr().err
    cfg = _config(tmp_path)
    assert main(["--config", str(cfg), "--event", "other-event"]) == 2
    assert "No corpus is set for the event 'other-event'" in capsys.readouterr().err
