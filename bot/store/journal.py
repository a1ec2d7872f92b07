"""The send journal: what the bot already posted for an event that is not yet handled.

The bus commits an event's effects in one transaction (see :mod:`bot.bus`),
but a post to a chat platform cannot be rolled back. If the process dies after
the post and before the commit, the event is handled again on restart and
would post again. So the outbox writes each post's key to this journal *before*
sending ("claimed") and its message ids *after* ("sent"), outside the
transaction. Handling the event again, the outbox finds the key and returns the
recorded ids instead of posting: 0 duplicate posts. A key claimed but never
marked sent (the process died during the send) is not sent again either: a
lost bot post is better than a doubled one.

Keys are ``"<event seq>/<subscriber>/<n>/<action kind>"``. Once an event is
handled its keys are forgotten.

Two forms, one interface (:class:`Journal`):

* :class:`SendJournal`, on SQLite: a file beside the database (``<db>-outbox``,
  mode 0600, compacted when mostly obsolete) holding ids only, never message
  text. Its first line names the store it belongs to, so a journal left beside
  a database that was deleted and recreated is ignored. One process writes a
  SQLite store, so its journal is that process's.
* :class:`bot.store.pgjournal.PgJournal`, on PostgreSQL: a table of the store
  written on a connection of its own (each write commits at once, whatever the
  unit of work does). Several workers share it, so a worker that takes over a
  dead one's events (or a timer job it left half done) knows what that one
  already posted. A claim is one ``INSERT ... ON CONFLICT DO NOTHING``: of two
  workers running the same job at once, one posts.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.actions import MessageRef

__all__ = ["Journal", "Journaled", "SendJournal", "unit_of"]

log = logging.getLogger("roundtable.store")

CLAIMED = "claimed"


@dataclass(frozen=True, slots=True)
class Journaled:
    """What the journal knows of one key: sent (with refs), or claimed (outcome unknown)."""

    sent: bool
    refs: tuple[MessageRef, ...] = ()


def unit_of(key: str) -> str:
    """The event (seq) or job (mark) a post key belongs to."""
    return key[: key.index("/")]


class Journal(Protocol):
    """What the outbox and the log need of a send journal."""

    async def claim(self, key: str) -> Journaled | None:
        """Claim ``key`` before sending: ``None`` if it is new (send), else what is known."""
        ...

    async def sent(self, key: str, refs: tuple[MessageRef, ...]) -> None: ...

    async def failed(self, key: str) -> None:
        """The send failed: handling the event again may try again."""
        ...

    async def forget(self, units: Sequence[int | str]) -> None:
        """These events (or jobs) are handled: their keys are no longer needed."""
        ...

    async def close(self) -> None: ...


class SendJournal:
    """Post keys and their message ids; in memory only when ``path`` is ``None``."""

    def __init__(self, path: Path | None, store_id: str) -> None:
        self._path = path
        self._store_id = store_id
        self._entries: dict[str, Journaled] = {}
        self._lines = 0
        self._fd: int | None = None
        if path is not None:
            self._load(path)
            self._rewrite()

    def _load(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        lines = text.splitlines()
        if not lines or lines[0] != json.dumps({"store": self._store_id}):
            if lines:
                log.warning("ignoring %s: it belongs to another database", path)
            return
        for line in lines[1:]:
            try:
                item = json.loads(line)
                key = str(item["k"])
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash
            if item.get("s") == CLAIMED:
                self._entries.setdefault(key, Journaled(sent=False))
            elif item.get("s") == "failed":
                self._entries.pop(key, None)
            else:
                refs = tuple(MessageRef(*r) for r in item.get("refs", []))
                self._entries[key] = Journaled(sent=True, refs=refs)

    def _rewrite(self) -> None:
        assert self._path is not None
        if self._fd is not None:
            os.close(self._fd)
        tmp = self._path.with_name(self._path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, self._header())
            for key, entry in self._entries.items():
                os.write(fd, self._line(key, entry))
        finally:
            os.close(fd)
        os.replace(tmp, self._path)
        self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
        self._lines = len(self._entries)

    @staticmethod
    def _line(key: str, entry: Journaled) -> bytes:
        if not entry.sent:
            return (json.dumps({"k": key, "s": CLAIMED}) + "\n").encode()
        refs = [[r.platform, r.channel, r.message_id, r.thread] for r in entry.refs]
        return (json.dumps({"k": key, "refs": refs}) + "\n").encode()

    def _append(self, data: bytes) -> None:
        if self._fd is not None:
            os.write(self._fd, data)  # one write(2): a kill -9 cannot tear it mid-line
            self._lines += 1

    def get(self, key: str) -> Journaled | None:
        return self._entries.get(key)

    async def claim(self, key: str) -> Journaled | None:
        known = self._entries.get(key)
        if known is not None:
            return known
        entry = Journaled(sent=False)
        self._entries[key] = entry
        self._append(self._line(key, entry))
        return None

    async def sent(self, key: str, refs: tuple[MessageRef, ...]) -> None:
        entry = Journaled(sent=True, refs=refs)
        self._entries[key] = entry
        self._append(self._line(key, entry))

    async def failed(self, key: str) -> None:
        """The send failed: handling the event again may try again."""
        self._entries.pop(key, None)
        self._append((json.dumps({"k": key, "s": "failed"}) + "\n").encode())

    async def forget(self, units: Sequence[int | str]) -> None:
        """These events (or jobs) are handled: their keys (and ids) are no longer needed.

        When nothing is in flight the file is cut back to its first line, so it
        never keeps the ids of posts (a direct message's channel names a person)
        longer than their event is being handled.
        """
        if self._entries:
            gone = {str(unit) for unit in units}
            for key in [k for k in self._entries if unit_of(k) in gone]:
                del self._entries[key]
        if self._fd is None or self._lines == 0:
            return
        if not self._entries:
            os.ftruncate(self._fd, len(self._header()))
            self._lines = 0
        elif self._lines > 1000 and self._lines > 4 * len(self._entries):
            self._rewrite()

    def _header(self) -> bytes:
        return (json.dumps({"store": self._store_id}) + "\n").encode()

    async def close(self) -> None:
        self.shut()

    def shut(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
