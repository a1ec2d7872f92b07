"""The neutral cast's names on the local adapters (replay and console)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["NAMES", "START"]

NAMES = {
    "moderator": "Sam",
    "panellist": "Jun",
    "organiser": "Olive",
    "asker": "Maya",
    "voter": "Noor",
}
START = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
