"""The ``[report]`` config section: rolling summaries and the end-of-event report.

```toml
[report]
cadence_minutes = 15        # a rolling summary at most this often (0 turns them off)
min_messages = 20           # ...and only when this many messages came since the last one
summariser = "extractive"   # or a text-generation model name / local folder
timeout_seconds = 20        # an abstractive summary slower than this falls back
participant_names = "first" # or "pseudonym"; the panel and hosts are always named
```
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.config import Section

__all__ = ["ReportConfig"]


class ReportConfig(Section):
    cadence_minutes: float = Field(default=15, ge=0)
    min_messages: int = Field(default=20, ge=1)
    summariser: str = "extractive"
    timeout_seconds: float = Field(default=20.0, gt=0)
    digest_threads: int = Field(default=3, ge=1, le=10)
    narrative_sentences: int = Field(default=6, ge=1, le=20)
    highlights: int = Field(default=6, ge=0, le=30)
    write_on_end: bool = True
    post_on_end: bool = True
    participant_names: Literal["first", "pseudonym"] = "first"
