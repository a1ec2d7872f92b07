"""The pseudonym key, kept outside the database.

Pseudonyms (and the opt-out list) are keyed hashes: whoever holds the data but
not the key cannot tell who is who. So the key never goes into the database:
it comes from the environment variable named by ``privacy.secret_env``, or from
a file readable only by its owner (``privacy.secret_file``; by default the
database's path with ``.secret`` added, made on first use). A key found in the
database from an older version is moved to that file and wiped from the store,
so pseudonyms stay the same.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import PrivacyConfig
from bot.files import make_private, write_private
from facilitation.ledger.store import LedgerStore

__all__ = ["SecretError", "default_secret_file", "resolve_secret"]


class SecretError(RuntimeError):
    """The key file exists but cannot be used (empty, unreadable)."""


def default_secret_file(db_path: str) -> Path | None:
    """``roundtable.db`` -> ``roundtable.db.secret``; ``None`` for an in-memory store."""
    if db_path == ":memory:" or db_path.startswith("file:"):
        return None
    if db_path.startswith(("postgresql://", "postgres://")):
        # a server's store: a key file here, named after the database; several workers
        # must share one key, so give them ROUNDTABLE_SECRET (or privacy.secret_file)
        parts = urlsplit(db_path)
        name = "".join(c if c.isalnum() else "-" for c in f"{parts.hostname}-{parts.path[1:]}")
        return Path(f"roundtable-{name}.secret")
    return Path(db_path + ".secret")


async def resolve_secret(
    privacy: PrivacyConfig,
    store: LedgerStore,
    environ: Mapping[str, str] | None = None,
    *,
    file: Path | None = None,
) -> str:
    """The pseudonym key: the environment variable, else the key file (made if missing).

    Args:
        privacy: the config's ``[privacy]`` section.
        store: the ledger's tables (for moving an old key out of the database).
        environ: the environment (default ``os.environ``).
        file: the key file (default: next to the database).
    """
    env = os.environ if environ is None else environ
    legacy = await store.legacy_secret()
    value = env.get(privacy.secret_env, "")
    path = file or default_secret_file(store.db.path)
    if path is None and not value:  # an in-memory store: a key for this process only
        value = store.process_secret = store.process_secret or legacy or secrets.token_hex(32)
    if value:
        await store.drop_legacy_secret()
        return value
    assert path is not None
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private(path, (legacy or secrets.token_hex(32)) + "\n", exclusive=True)
    make_private(path)
    try:
        found = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretError(f"cannot read the pseudonym key {path}: {exc.strerror}") from None
    if not found:
        raise SecretError(
            f"the pseudonym key file {path} is empty; restore it from a backup"
            f" or set {privacy.secret_env}"
        )
    await store.drop_legacy_secret()
    return found
