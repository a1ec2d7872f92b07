"""The input and output of disentanglement: one message in, one link out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Link", "ThreadMessage"]


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """A channel message as the disentangler sees it.

    Attributes:
        id: unique within the channel (a platform message id, or a line number).
        author: stable author id (an IRC nick, a platform user id).
        text: the message text.
        ts: when it was posted; ``None`` if unknown.
        reply_to: id of the message this one replies to on the platform (trusted).
        thread: the platform's native thread id, if posted in one (trusted).
        mentions: author ids the platform says are mentioned.
        author_name: display name, matched against ``nick: ...`` addressing in text.
        system: a join/part/rename line rather than something a person said.
    """

    id: str
    author: str
    text: str
    ts: datetime | None = None
    reply_to: str | None = None
    thread: str | None = None
    mentions: tuple[str, ...] = ()
    author_name: str = ""
    system: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """The decision for one message, made when it arrived.

    Attributes:
        message_id: the message linked.
        antecedents: ids of the earlier messages it responds to; ``(message_id,)``
            when it starts a new conversation.
        conversation: the conversation id (the id of its first message).
        score: the model's probability for the chosen antecedent (1.0 when a
            platform reply link or native thread decided).
        reason: what decided: ``"reply"``, ``"thread"`` or ``"model"``.
    """

    message_id: str
    antecedents: tuple[str, ...]
    conversation: str
    score: float = 1.0
    reason: str = "model"

    @property
    def starts_conversation(self) -> bool:
        return self.antecedents == (self.message_id,)
