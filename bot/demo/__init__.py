"""The demo event: a transcript, its research corpus and its config."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DIR", "demo_config_path", "demo_transcript_path"]

DEMO_DIR = Path(__file__).parent


def demo_transcript_path() -> Path:
    return DEMO_DIR / "transcript.jsonl"


def demo_config_path() -> Path:
    return DEMO_DIR / "config.toml"
