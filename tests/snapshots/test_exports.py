"""The package exports what it means to, and the demo config uses the demo corpus."""

from __future__ import annotations

import importlib

import facilitation.snapshots as snapshots
from bot.config import load_config
from bot.demo import DEMO_DIR, demo_config_path
from facilitation.snapshots.ingest import collect_files


def test_every_exported_name_resolves() -> None:
    assert len(snapshots.__all__) >= 20
    for name in snapshots.__all__:
        assert getattr(snapshots, name) is not None, name
    assert snapshots.SnapshotsModule.name == "snapshots"


def test_cli_entry_point_exists() -> None:
    cli = importlib.import_module("facilitation.snapshots.cli")
    assert callable(cli.main)


def test_demo_config_points_at_the_demo_corpus() -> None:
    config = load_config(demo_config_path())
    paths = [
        config.resolve(p) for p in config.section("snapshots", snapshots.SnapshotsConfig).corpus
    ]
    files, problems = collect_files(paths)
    assert problems == []
    assert {f.suffix for f in files} == {".md", ".txt", ".html"}
    assert all(f.is_relative_to(DEMO_DIR.resolve()) for f in files)
    assert config.section("snapshots", snapshots.SnapshotsConfig).starters
