"""Files only their owner can read: the database, its WAL and SHM, the secret, outputs.

Roundtable's files hold people's messages and names, so every file it writes is
mode 0600 and every folder it makes 0700, whatever the process's umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FILE_MODE", "FOLDER_MODE", "make_private", "private_folder", "write_private"]

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private(path: Path) -> None:
    """Give ``path`` (a file, or a folder and everything under it) owner-only modes.

    Missing paths are skipped: SQLite makes its WAL and SHM files only when needed.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        return  # never follow a link out of our folders
    if stat.S_ISDIR(info.st_mode):
        path.chmod(FOLDER_MODE)
        for child in path.iterdir():
            make_private(child)
    elif stat.S_IMODE(info.st_mode) != FILE_MODE:
        path.chmod(FILE_MODE)


def private_folder(path: Path) -> Path:
    """Make ``path`` (and missing parents) with mode 0700; an existing folder keeps its mode."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        path.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask
    return path


def write_private(path: Path, data: str | bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to a file created with mode 0600 (``exclusive``: fail if it exists)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.chmod(path, FILE_MODE)  # an existing file keeps its old mode through O_TRUNC
