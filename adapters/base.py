"""What every platform adapter shares (the protocol and base class live in :mod:`bot.adapter`).

:func:`describe` is how the adapters that print (the console room and replays) show
the bot's actions: one wording for each action, whoever prints it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.actions import Action, DirectMessage, OpenThread, Pin, React, Reply, Say, UploadFile
from bot.adapter import (
    Adapter,
    AdapterError,
    NotStarted,
    PlatformAdapter,
    Sink,
    TokenError,
    split_text,
)
from bot.events import Capabilities

__all__ = [
    "Adapter",
    "AdapterError",
    "NotStarted",
    "PlatformAdapter",
    "Sink",
    "TokenError",
    "describe",
    "split_text",
]


def _same(value: str) -> str:
    return value


def describe(
    action: Action,
    capabilities: Capabilities,
    *,
    message: Callable[[str], str] = _same,
    person: Callable[[str], str] = _same,
) -> str:
    """One line (or paragraph) saying what the bot does, for a person reading along.

    ``message`` shows a message id the way the reader knows it (the console's
    ``#3``); ``person`` shows a user id as a name.
    """
    match action:
        case Say(text=text):
            return text
        case Reply(message_id=mid, text=text):
            return f"↪ {message(mid)}: {text}"
        case React(message_id=mid, emoji=emoji):
            return f"reacts {emoji} to {message(mid)}"
        case Pin(message_id=mid):
            return f"pins {message(mid)}"
        case OpenThread(message_id=mid, name=name, text=text):
            if capabilities.native_threads:
                return f"opens a thread “{name}” from {message(mid)}: {text}"
            return f"suggests a thread “{name}”: {text}"
        case DirectMessage(user=user, text=text):
            return f"→ {person(user)} (private): {text}"
        case UploadFile(path=path, comment=comment, private_to=user) if user:
            return f"file ready: {path} {comment} (sent privately to {person(user)})"
        case UploadFile(path=path, comment=comment):
            return f"file ready: {path} {comment}".rstrip()
    return repr(action)
