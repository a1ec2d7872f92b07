"""The demo event: a transcript, its research corpus and its config."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DIR", "demo_config_path", "demo_series_paths", "demo_transcript_path"]

DEMO_DIR = Path(__file__).parent


def demo_transcript_path() -> Path:
    return DEMO_DIR / "transcript.jsonl"


def demo_series_paths() -> list[tuple[Path, str]]:
    """The demo series' transcripts, oldest first, each with the channel it runs in."""
    return [
        (DEMO_DIR / "earlier-1.jsonl", "january"),
        (DEMO_DIR / "earlier-2.jsonl", "february"),
        (DEMO_DIR / "transcript.jsonl", "main"),
    ]


def demo_config_path() -> Path:
    return DEMO_DIR / "config.toml"
