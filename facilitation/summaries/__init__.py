"""Summaries of discussions: extractive by default (offline), abstractive on request."""

from __future__ import annotations

from facilitation.summaries.abstractive import AbstractiveSummariser
from facilitation.summaries.extractive import ExtractiveSettings, ExtractiveSummariser
from facilitation.summaries.grounding import Grounding, check_grounding
from facilitation.summaries.keyphrases import KeyphraseExtractor
from facilitation.summaries.prompts import (
    AbstractivePrompt,
    Framing,
    load_summary_prompts,
    summary_prompts_from,
)
from facilitation.summaries.summary import Summary, SummarySentence, Turn

__all__ = [
    "AbstractivePrompt",
    "AbstractiveSummariser",
    "ExtractiveSettings",
    "ExtractiveSummariser",
    "Framing",
    "Grounding",
    "KeyphraseExtractor",
    "Summary",
    "SummarySentence",
    "Turn",
    "check_grounding",
    "load_summary_prompts",
    "summary_prompts_from",
]
