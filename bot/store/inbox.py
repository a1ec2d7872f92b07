"""Events received from a platform but not yet stored when the bot stopped: kept, not lost.

A platform that never sends an event again (Discord's gateway has no
acknowledgement) leaves the bot holding what it received and could not store
yet: the database was broken or full, or it stopped before it caught up. At
shutdown the adapter hands those events over (``leftovers``) and they are kept
here, in a file beside the database, private (mode 0600), one JSON line per
event (:func:`bot.store.codec.encode_event`). At the next start, once the
platform's adapter is attached and the events pending from before are handled,
they are published first, in their order; a redelivered one is still stored
once. The file exists only while the bot is stopped with events in it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot.events import Event
from bot.files import write_private
from bot.store.codec import UnstorableEvent, decode_event, encode_event

__all__ = ["Inbox"]

log = logging.getLogger("roundtable.store")


class Inbox:
    """The file of events kept at shutdown (``None``: a store with no file beside it)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    @classmethod
    def beside(cls, db_path: str) -> Inbox:
        on_disk = db_path != ":memory:" and "://" not in db_path and not db_path.startswith("file:")
        return cls(Path(f"{db_path}-inbox") if on_disk else None)

    def keep(self, events: Sequence[Event]) -> int:
        """Add ``events`` to the file; return how many were kept (0 without a file)."""
        if self.path is None or not events:
            return 0
        lines: list[str] = []
        for event in events:
            try:
                lines.append(encode_event(event))
            except UnstorableEvent as exc:  # the store would refuse it into quarantine too
                log.warning("not keeping an unstorable %s: %s", event.kind, exc)
        earlier = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        write_private(self.path, earlier + "".join(line + "\n" for line in lines))
        return len(lines)

    def waiting(self, platform: str | None = None) -> list[Event]:
        """The events kept (of ``platform``), in the order they were received."""
        if self.path is None or not self.path.exists():
            return []
        events: list[Event] = []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                event = decode_event(line)
            except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
                log.warning("%s line %d cannot be read back, skipped: %s", self.path, n, exc)
                continue
            if platform is None or event.platform == platform:
                events.append(event)
        return events

    async def hand_over(self, platform: str, publish: Callable[[Event], Awaitable[object]]) -> int:
        """Publish the events kept for ``platform``, in order; drop each once stored.

        If publishing fails (the store is still broken), the rest stay in the
        file for the next start, and the error is raised.
        """
        if self.path is None or not self.path.exists():
            return 0
        mine = self.waiting(platform)
        others = [e for e in self.waiting() if e.platform != platform]
        done = 0
        try:
            for event in mine:
                await publish(event)
                done += 1
        finally:
            rest = others + mine[done:]
            if rest:
                write_private(self.path, "".join(encode_event(e) + "\n" for e in rest))
            else:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
        return done
