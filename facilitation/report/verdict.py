""" "Did it work?": each figure of an event beside a reference that says whether it is good.

The reference is the series' median and the previous event; an event with no
earlier one in its series is judged by the thresholds of ``[ledger]``, said in
words. Every text comes from ``prompts/report.toml`` (``[verdict]``), so the
report page, the Markdown and the end-of-event post say the same thing.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.prompts import Prompts
from facilitation.ledger.config import LedgerConfig

__all__ = ["Finding", "findings", "number", "percent"]

Figures = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Finding:
    """One figure, said in words, with its reference and how it compares."""

    key: str
    title: str
    value: str
    reference: str
    judgement: str
    """"good", "bad", "mixed" (between the references) or "none" (nothing to judge)."""
    extra: str = ""
    short: str = ""
    """The figure in a few words, for the end-of-event post."""


def number(value: float | None) -> str:
    """1 decimal where it matters: 9.44 -> "9.4", 12.0 -> "12"."""
    if value is None:
        return "–"
    rounded = round(float(value), 1)
    return f"{rounded:g}" if abs(rounded) < 1000 else f"{rounded:,.0f}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


@dataclass(frozen=True, slots=True)
class _Figure:
    key: str
    get: Callable[[Figures], float | None]
    show: Callable[[float | None], str]
    threshold: Callable[[LedgerConfig, Figures], tuple[float | None, str]]


def _participants(f: Figures) -> float:
    return float(f["audience"]["participants"])


def _cross_share(f: Figures) -> float | None:
    rel = f["relationships"]
    return rel["cross_community_ties"] / rel["labelled_ties"] if rel["labelled_ties"] else None


def _new_ties_each(f: Figures) -> float | None:
    n = f["audience"]["participants"]
    return f["relationships"]["new_ties"] / n if n else None


_FIGURES = {
    "audience": _Figure(
        "audience",
        _participants,
        number,
        lambda c, f: (c.audience_threshold, "audience_threshold"),
    ),
    "depth": _Figure(
        "depth",
        lambda f: float(f["matrix"]["depth"]),
        number,
        lambda c, f: (c.depth_threshold, "depth_threshold"),
    ),
    "reach": _Figure(
        "reach",
        lambda f: float(f["reach"]["new"]),
        number,
        lambda c, f: (None, "reach_threshold"),
    ),
    "ties": _Figure(
        "ties",
        lambda f: float(f["relationships"]["new_ties"]),
        number,
        lambda c, f: (c.new_ties_threshold, "ties_threshold"),
    ),
    "cross": _Figure(
        "cross",
        lambda f: float(f["relationships"]["cross_community_ties"]),
        number,
        lambda c, f: (c.cross_community_threshold, "cross_threshold"),
    ),
    "peer": _Figure(
        "peer",
        lambda f: float(f["questions"].get("answered_by_room", 0)),
        number,
        lambda c, f: (c.reciprocity_threshold, "peer_threshold"),
    ),
}

# What a first event's figure is compared with its threshold on (a rate, not a count).
_FIRST_VALUE: dict[str, Callable[[Figures], float | None]] = {
    "audience": _participants,
    "depth": lambda f: float(f["matrix"]["depth"]),
    "ties": _new_ties_each,
    "cross": _cross_share,
    "peer": lambda f: f["depth"]["reciprocity"],
}
_SHARES = {"cross", "peer"}


def _short(key: str, f: Figures, p: Prompts) -> str:
    rel = f["relationships"]
    values: dict[str, Any] = {
        "participants": f["audience"]["participants"],
        "depth": number(f["matrix"]["depth"]),
        "quadrant": f["matrix"]["quadrant"],
        "new": f["reach"]["new"],
        "returning": f["reach"]["returning"],
        "new_ties": rel["new_ties"],
        "cross": rel["cross_community_ties"],
        "room": f["questions"].get("answered_by_room", 0),
        "share": percent(f["depth"]["reciprocity"]),
    }
    if key == "cross" and not rel["labelled_ties"]:
        key = "cross_none"
    template = f"report.verdict.{key}_short"
    return p(template, **{k: values[k] for k in p.fields(template)})


def _value_text(key: str, f: Figures, p: Prompts, titles: dict[str, str]) -> tuple[str, str]:
    """The figure in words, and an extra line (where people came back from)."""
    rel, reach = f["relationships"], f["reach"]
    match key:
        case "audience":
            return p("report.verdict.audience", participants=f["audience"]["participants"]), ""
        case "depth":
            text = p("report.verdict.depth", depth=number(f["matrix"]["depth"]))
            return text, p("report.verdict.quadrant", quadrant=f["matrix"]["quadrant"])
        case "reach":
            text = p("report.verdict.reach", new=reach["new"], returning=reach["returning"])
            came = reach.get("returning_from") or {}
            events = ", ".join(f"“{titles.get(slug) or slug}” ({n})" for slug, n in came.items())
            return text, p("report.verdict.reach_from", events=events) if came else ""
        case "ties":
            return p("report.verdict.ties", new_ties=rel["new_ties"]), ""
        case "cross":
            if not rel["labelled_ties"]:
                return p("report.verdict.cross_none"), ""
            return p(
                "report.verdict.cross",
                cross=rel["cross_community_ties"],
                labelled=rel["labelled_ties"],
            ), ""
        case _:
            return p(
                "report.verdict.peer",
                room=f["questions"].get("answered_by_room", 0),
                share=percent(f["depth"]["reciprocity"]),
            ), ""


def _compare(value: float, earlier: Sequence[float], p: Prompts) -> tuple[str, str]:
    median = statistics.median(earlier)
    previous = earlier[-1]
    if value > median and value > previous:
        judgement, word = "good", "higher"
    elif value < median and value < previous:
        judgement, word = "bad", "lower"
    elif value == median == previous:
        judgement, word = "mixed", "same"
    else:
        judgement, word = "mixed", "between"
    text = p(
        "report.verdict.compare",
        median=number(median),
        previous=number(previous),
        judgement=p(f"report.verdict.{word}"),
    )
    return text, judgement


def _threshold(
    key: str, f: Figures, cfg: LedgerConfig, p: Prompts, in_series: bool
) -> tuple[str, str]:
    limit, prompt = _FIGURES[key].threshold(cfg, f)
    frame = "report.verdict.first" if in_series else "report.verdict.no_series"
    if limit is None:
        return p(frame, threshold=p(f"report.verdict.{prompt}"), judgement="").strip(), "none"
    shown: object = percent(limit) if key in _SHARES else number(limit)
    if key == "audience":
        shown = int(limit)
    value = _FIRST_VALUE[key](f)
    met = value is not None and value >= limit
    text = p(
        frame,
        threshold=p(f"report.verdict.{prompt}", value=shown),
        judgement=p("report.verdict.met" if met else "report.verdict.missed"),
    )
    return text, "good" if met else "bad"


def findings(
    figures: Figures,
    earlier: Sequence[Figures],
    cfg: LedgerConfig,
    prompts: Prompts,
    *,
    in_series: bool = True,
) -> list[Finding]:
    """The event's figures judged against the series (oldest first in ``earlier``)."""
    out = []
    titles = {e["event"]["slug"]: e["event"].get("title") or "" for e in earlier}
    for key, fig in _FIGURES.items():
        value, extra = _value_text(key, figures, prompts, titles)
        this = fig.get(figures)
        past = [v for v in (fig.get(e) for e in earlier) if v is not None]
        if key == "cross" and not figures["relationships"]["labelled_ties"]:
            reference, judgement = "", "none"
        elif past and this is not None:
            reference, judgement = _compare(this, past, prompts)
        else:
            reference, judgement = _threshold(key, figures, cfg, prompts, in_series)
        title = prompts(f"report.verdict.{key}_title")
        short = _short(key, figures, prompts)
        out.append(Finding(key, title, value, reference, judgement, extra, short))
    return out
