"""The ``[dashboard]`` config section: the organisers' and moderators' web page.

```toml
[dashboard]
enabled = true              # serve it while `roundtable run` runs
host = "127.0.0.1"          # only this machine; "0.0.0.0" behind a proxy that adds https
port = 8765
public_url = ""             # the address people open, e.g. "https://bot.example.org/dash"
link_minutes = 15           # a /dashboard login link works this long
session_hours = 12          # then the browser has to sign in again
```
"""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.config import Section

__all__ = ["DashboardConfig"]


class DashboardConfig(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    public_url: str = ""
    link_minutes: float = Field(default=15, gt=0, le=24 * 60)
    session_hours: float = Field(default=12, gt=0, le=24 * 30)
    # live figures are recomputed from the log at most this often (they read every message)
    figures_seconds: float = Field(default=15, ge=1)

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(
                "should start with https:// (or http://), like 'https://bot.example.org'"
            )
        return value
