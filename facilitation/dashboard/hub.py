"""Tells open dashboards that something changed, so they re-render and send what differs."""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["Hub"]


class Hub:
    """A change counter that browsers' event streams wait on."""

    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._changed = asyncio.Event()

    def touch(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, seen: int, seconds: float) -> int:
        """Wait until the version moves past ``seen`` (or ``seconds`` pass); return the version."""
        if self.version == seen and not self.closed:
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), seconds)
        return self.version

    def close(self) -> None:
        self.closed = True
        self.touch()
