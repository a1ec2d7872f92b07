"""The ``[ledger]`` config section: evaluation figures, community labels, exports.

```toml
[ledger]
labels = ["academic", "policy", "practice", "community"]  # what /iam accepts
audience_threshold = 20      # participants from which an event counts as "large"
depth_threshold = 3.0        # interactions per participant from which it counts as "deep"
# For an event with no earlier one in its series, the report judges by these:
new_ties_threshold = 1.0     # new ties per participant from which people "connected"
cross_community_threshold = 0.25  # share of ties between labelled people that cross communities
reciprocity_threshold = 0.3  # share of replies between participants (not to or from the panel)
export_on_end = true         # write out/<event>/export/ when an event ends

[ledger.series]              # group events that were not planned with a series
riverside = ["heat-panel", "flood-panel-20260401-1800"]
```
"""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.config import Section

__all__ = ["LedgerConfig"]

DEFAULT_LABELS = ["academic", "policy", "practice", "community"]


class LedgerConfig(Section):
    """Evaluation figures and exports.

    Attributes:
        labels: the communities people may say they belong to with ``/iam``.
        audience_threshold: participants (not counting the panel and moderators)
            from which an event is "large" on the knowledge-exchange matrix.
        depth_threshold: interactions per participant (replies, mentions and
            reactions given to other people) from which an event is "deep".
        new_ties_threshold: new ties per participant from which an event with no
            earlier one in its series is judged to have connected people.
        cross_community_threshold: share of ties between people who gave their
            community that cross communities, judged good from this.
        reciprocity_threshold: share of replies between participants, judged
            good from this.
        export_on_end: write the export bundle to ``out_dir/<slug>/export/``
            when an event ends (figures are always computed and stored).
        series: extra series membership by event slug, added to the series
            each planned event declares in ``[[events]]``.
        positive_threshold: VADER compound score from which a message is positive
            (and its negative from which it is negative).
    """

    labels: list[str] = Field(default_factory=lambda: list(DEFAULT_LABELS))
    audience_threshold: int = Field(default=20, ge=1)
    depth_threshold: float = Field(default=3.0, gt=0)
    new_ties_threshold: float = Field(default=1.0, ge=0)
    cross_community_threshold: float = Field(default=0.25, ge=0, le=1)
    reciprocity_threshold: float = Field(default=0.3, ge=0, le=1)
    export_on_end: bool = True
    series: dict[str, list[str]] = Field(default_factory=dict)
    positive_threshold: float = Field(default=0.05, gt=0, lt=1)

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip().lower() for v in value]
        if not cleaned or any(not v or " " in v for v in cleaned):
            raise ValueError("labels should be single words, like academic or policy")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("each label should appear once")
        return cleaned
