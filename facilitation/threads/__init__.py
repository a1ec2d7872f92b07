"""Threads: online conversation disentanglement and the live map of conversations."""

from __future__ import annotations

from facilitation.threads.disentangle import Disentangler
from facilitation.threads.message import Link, ThreadMessage
from facilitation.threads.scorer import Scorer
from facilitation.threads.threadmap import (
    Conversation,
    ThreadMap,
    catchup_text,
    gist,
    threads_text,
)

__all__ = [
    "Conversation",
    "Disentangler",
    "Link",
    "Scorer",
    "ThreadMap",
    "ThreadMessage",
    "catchup_text",
    "gist",
    "threads_text",
]
