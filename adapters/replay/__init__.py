"""Replay a transcript (JSON Lines or IRC logs) through the real loop."""

from adapters.replay.adapter import ReplayAdapter
from adapters.replay.translate import TranscriptError, detect_format, parse_transcript

__all__ = ["ReplayAdapter", "TranscriptError", "detect_format", "parse_transcript"]
