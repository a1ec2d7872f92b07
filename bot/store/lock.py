"""One writer per database: an exclusive lock on a file beside it.

Two bot processes writing one SQLite file lose votes and answers and post
twice (each has its own idea of what it handled). So :class:`WriterLock` takes
an ``fcntl.flock`` on ``<database>.lock`` and writes its pid there; a second
process is refused with :class:`StoreInUse`, which names that pid. The kernel
drops the lock when the holder dies, even by ``kill -9``: a stale lock file
never blocks a restart.

Within one process the lock is shared (counted): tests and CLI helpers that
open the same file twice in one process are one writer as far as the kernel
knows, and SQLite serialises their connections.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
from pathlib import Path
from typing import ClassVar

__all__ = ["StoreInUse", "WriterLock", "holder_of"]


class StoreInUse(RuntimeError):
    """Another process has the database open for writing."""

    def __init__(self, path: str, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(
            f"The database {path} is in use by {who} (another Roundtable). "
            "Only one process may write to it at a time: stop that one first, "
            "or give this one its own store.path (or --db)."
        )


def lock_path(db_path: str) -> Path:
    return Path(f"{db_path}.lock")


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def holder_of(db_path: str | Path) -> int | None:
    """The pid of another process holding the database, or ``None`` if it is free."""
    path = lock_path(str(db_path))
    if not path.exists():
        return None
    key = str(path.resolve())
    with WriterLock._guard:
        if key in WriterLock._held:
            return None  # this process holds it
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return _read_pid(path) or -1
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class WriterLock:
    """The exclusive lock of one process on one database file."""

    _guard: ClassVar[threading.Lock] = threading.Lock()
    _held: ClassVar[dict[str, tuple[int, int]]] = {}  # lock file -> (fd, users in this process)

    def __init__(self, key: str) -> None:
        self._key: str | None = key

    @classmethod
    def acquire(cls, db_path: str) -> WriterLock:
        """Lock ``db_path`` for this process.

        Raises:
            StoreInUse: another process holds it.
        """
        path = lock_path(db_path)
        key = str(path.resolve())
        with cls._guard:
            held = cls._held.get(key)
            if held is not None:
                cls._held[key] = (held[0], held[1] + 1)
                return cls(key)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise StoreInUse(db_path, _read_pid(path)) from None
                raise
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            cls._held[key] = (fd, 1)
            return cls(key)

    def release(self) -> None:
        key, self._key = self._key, None
        if key is None:
            return
        with self._guard:
            fd, users = self._held[key]
            if users > 1:
                self._held[key] = (fd, users - 1)
                return
            del self._held[key]
            # The file stays (unlinking would race a process about to lock it);
            # an unlocked file with an old pid in it means nothing.
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
