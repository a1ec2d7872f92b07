"""The ``[snapshots]`` config section: which research, and when to offer it.

```toml
[snapshots]
corpus = ["corpus/"]          # files or folders, relative to the config file
threshold = 0.07              # how sure the bot must be that a passage fits the chat
min_gap_minutes = 10          # at most one automatic snapshot per this many minutes
require_approval = false      # true: a moderator approves each automatic snapshot

[[snapshots.starters]]        # planned discussion starters
at_minute = 30
topic = "what the shading trial found"

[snapshots.events.heat-panel] # one event's own corpus (and starters)
corpus = ["heat-research/"]
```
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from bot.config import Section
from bot.sessions import slugify

__all__ = ["EventSnapshotsConfig", "SnapshotsConfig", "StarterConfig"]

DEFAULT_CORPUS = "default"


class StarterConfig(Section):
    """A snapshot planned as a discussion starter, ``at_minute`` after the event starts.

    ``topic`` is looked up in the corpus when the time comes; ``source`` (a file
    name, like ``trial.html``) limits the search to one document.
    """

    at_minute: float = Field(ge=0)
    topic: str = Field(min_length=2)
    source: str | None = None


class EventSnapshotsConfig(Section):
    """One event's own research corpus and starters, under ``[snapshots.events.<slug>]``."""

    corpus: list[Path] = Field(default_factory=list)
    starters: list[StarterConfig] = Field(default_factory=list)


class SnapshotsConfig(Section):
    """Research snapshots: ingest a corpus, retrieve by meaning, surface at the right moment.

    Attributes:
        enabled: switch the whole module off.
        corpus: files or folders of Markdown, text, HTML and PDF for every event.
        events: per-event corpus and starters, keyed by the event's slug; an
            event with its own corpus uses only that one.
        auto_ingest: at start-up, ingest configured files that are new or changed.
        surface: offer snapshots when the chat matches (off: only on request and
            as starters).
        threshold: how likely (0 to 1, the reranker's probability) a passage must
            be to fit both the conversation and its latest message before it is
            offered by itself. 0.07 was calibrated on the demo's events, with each
            answer sentence scored on its own (chat scores lower than questions): of
            the 5 passages above 0.03, the 3 a participant would find on the point
            scored 0.085 to 0.135, the 2 off it 0.035 (a welcome naming a group the
            study recruited through) and 0.049 (cool spaces, in the cold-homes event).
        window: recent messages (per thread) that make up "the conversation".
        min_messages: messages needed in the window before anything is offered.
        min_gap_minutes: the rate limit between automatic snapshots in an event.
        require_approval: hold each automatic snapshot until a moderator approves.
        request_min_score: below this, ``/snapshot topic`` says it found nothing. 0.08:
            on the demo corpus, with answer sentences scored alone, seven topics it
            covers scored 0.12 to 0.87 ("older people living alone" 0.12) and a topic
            it lacks ("fuel debt") and six off-topic ones ("bitcoin price") 0.000 to 0.002.
        starters: planned discussion starters for every event.
        rephrase_model: a text-generation chat model (hub name or folder) to say
            each passage in plainer words; ``None`` quotes the passage as it is.
        rephrase_timeout_seconds: give up on the model and quote instead.
        effect_minutes: how long after a snapshot questions sharing its keywords
            are counted as following it.
        max_words: the longest passage, in words.
        max_file_mb: files larger than this are not ingested (the others are).
    """

    enabled: bool = True
    corpus: list[Path] = Field(default_factory=list)
    events: dict[str, EventSnapshotsConfig] = Field(default_factory=dict)
    auto_ingest: bool = True
    surface: bool = True
    threshold: float = Field(default=0.07, ge=0.0, le=1.0)
    window: int = Field(default=6, ge=1, le=100)
    min_messages: int = Field(default=3, ge=1, le=100)
    min_gap_minutes: float = Field(default=10.0, ge=0.0)
    require_approval: bool = False
    request_min_score: float = Field(default=0.08, ge=0.0, le=1.0)
    starters: list[StarterConfig] = Field(default_factory=list)
    rephrase_model: str | None = None
    rephrase_timeout_seconds: float = Field(default=20.0, gt=0)
    effect_minutes: float = Field(default=10.0, ge=0.0)
    max_words: int = Field(default=70, ge=15, le=400)
    max_file_mb: float = Field(default=40.0, gt=0)

    @field_validator("events")
    @classmethod
    def _slugs(cls, value: dict[str, EventSnapshotsConfig]) -> dict[str, EventSnapshotsConfig]:

        for slug in value:
            if slugify(slug) != slug or slug == DEFAULT_CORPUS:
                raise ValueError(f"{slug!r} should be an event id, like {slugify(slug)!r}")
        return value

    def corpus_name(self, slug: str | None) -> str:
        """The corpus an event searches: its own if configured, else the default."""
        if slug and slug in self.events and self.events[slug].corpus:
            return slug
        return DEFAULT_CORPUS

    def corpus_paths(self, name: str) -> list[Path]:
        return list(self.corpus) if name == DEFAULT_CORPUS else list(self.events[name].corpus)

    def starters_for(self, slug: str) -> list[StarterConfig]:
        own = self.events[slug].starters if slug in self.events else []
        return sorted([*self.starters, *own], key=lambda s: s.at_minute)
