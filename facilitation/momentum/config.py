"""The ``[momentum]`` config section: what happens after an event, and when.

```toml
[momentum]
followup_days = [7, 30]     # follow-up posts this many days after the end ([] for none)
since_last_time = true      # a "since last time" post at the next event of the series
since_after_minutes = 10    # ...this long after it starts (so it can say who is back)
remind_hours_before = 24    # /remindme: the private reminder this long before the next event
poll_seconds = 30           # how often an idle bot checks for timed posts
```
"""

from __future__ import annotations

from pydantic import Field

from bot.config import Section

__all__ = ["MomentumConfig"]


class MomentumConfig(Section):
    followup_days: list[float] = Field(default_factory=lambda: [7.0, 30.0])
    since_last_time: bool = True
    since_after_minutes: float = Field(default=10.0, ge=0)
    remind_hours_before: float = Field(default=24.0, ge=0)
    poll_seconds: float = Field(default=30.0, gt=0)
