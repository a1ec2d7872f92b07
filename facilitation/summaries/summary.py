"""The values summarisers take and return: turns in, a summary with its sources out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Summary", "SummarySentence", "Turn"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a discussion, as a summariser needs it.

    Args:
        speaker: the name to show ("Maya", "#Person1#").
        text: what was said.
        message_id: the platform message id, so a report can link the source.
        ts: when it was said.
        weight: appreciation (e.g. reactions); favours a message when choosing.
        addressee: who the message answers, when known (a reply); used to turn
            "you" into a name.
    """

    speaker: str
    text: str
    message_id: str | None = None
    ts: datetime | None = None
    weight: float = 0.0
    addressee: str | None = None


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One sentence of a summary and where it came from.

    Args:
        text: the sentence as shown (third person, cleaned up).
        source: the original sentence it was made from ("" for a generated one).
        speaker: who said the source sentence ("" for a generated one).
        message_id: the source message id, when known.
        turn_index: the source turn's position in the input, or -1.
    """

    text: str
    source: str = ""
    speaker: str = ""
    message_id: str | None = None
    turn_index: int = -1


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary of a discussion.

    Args:
        sentences: the sentences, in the order they are shown.
        keyphrases: the discussion's key phrases, most important first.
        text: the rendered summary.
        source: "extractive" or "abstractive".
        note: why an abstractive summariser fell back ("" when it did not).
    """

    sentences: tuple[SummarySentence, ...]
    keyphrases: tuple[str, ...] = ()
    text: str = ""
    source: str = "extractive"
    note: str = field(default="")

    @property
    def message_ids(self) -> tuple[str, ...]:
        """The ids of the messages the summary quotes, in order, without repeats."""
        seen: dict[str, None] = {}
        for sentence in self.sentences:
            if sentence.message_id is not None:
                seen.setdefault(sentence.message_id, None)
        return tuple(seen)
