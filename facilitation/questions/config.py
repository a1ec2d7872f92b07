"""The ``[questions]`` section of the config: how the question queue behaves."""

from __future__ import annotations

from pydantic import Field

from bot.config import Section

__all__ = ["QuestionsConfig"]


class QuestionsConfig(Section):
    """Options of the question queue (defaults suit a one-channel panel of ~50 people).

    Attributes:
        detect: queue questions asked in ordinary chat, not only with /ask.
        detect_from_staff: also detect questions from panellists and moderators
            (off: their "Jun or Pat?" cues are not audience questions).
        premoderation: new questions wait for a moderator's /approve.
        upvote_emoji: reactions that count as a vote (skin tones count the same).
        ack_emoji: the reaction that tells someone their message was queued.
        ack_interval_seconds: at most one text acknowledgement per channel this often
            (reactions are not limited: they make no noise).
        duplicate_threshold: cosine similarity (MiniLM) at which a new question
            is merged into an earlier one: the lowest that merges no different
            question among the labelled dev pairs, near misses included (see
            ``python -m facilitation.questions.calibrate``).
        suggest_threshold: from this similarity up to ``duplicate_threshold`` the
            merge is only suggested to moderators (in their /queue, with the
            ``/merge N M`` to type); the lowest at which half the suggestions
            are right on dev, in the written pairs and in the events each.
        max_per_person: questions one person may add within ``rate_window_seconds``
            (moderators and panellists are not limited).
        rate_window_seconds: the window of the rate limit.
        vote_weight / minutes_per_point / newcomer_bonus: the ranking:
            score = votes and co-askers x vote_weight + minutes waiting /
            minutes_per_point + newcomer_bonus if nobody answered the asker yet.
        queue_length: questions shown by /queue.
        max_length: the longest question accepted, in characters.
    """

    detect: bool = True
    detect_from_staff: bool = False
    premoderation: bool = False
    upvote_emoji: list[str] = Field(default_factory=lambda: ["👍"])
    ack_emoji: str = "🙋"
    ack_interval_seconds: float = Field(default=60.0, ge=0)
    duplicate_threshold: float = Field(default=0.78, gt=0, le=1)
    suggest_threshold: float = Field(default=0.61, gt=0, le=1)
    max_per_person: int = Field(default=3, ge=1)
    rate_window_seconds: float = Field(default=300.0, ge=0)
    vote_weight: float = Field(default=1.0, ge=0)
    minutes_per_point: float = Field(default=30.0, gt=0)
    newcomer_bonus: float = Field(default=1.0, ge=0)
    queue_length: int = Field(default=8, ge=1, le=50)
    max_length: int = Field(default=1000, ge=20)
