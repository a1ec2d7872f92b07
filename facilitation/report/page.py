"""The report and the series comparison as HTML pages, from the Jinja2 templates.

This module prepares what the templates show (charts with their alt text, the
series table, the glossary); the templates lay it out, escaping every piece of
people's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from bot.plural import plural
from bot.prompts import Prompts
from facilitation.ledger.config import LedgerConfig
from facilitation.report.build import Report
from facilitation.report.templating import environment
from facilitation.report.verdict import number

__all__ = [
    "Chart",
    "followed_text",
    "glossary",
    "matrix_points",
    "render_html",
    "render_series_html",
    "series_rows",
]

_SNAPSHOT_WORDS = 45
_GLOSSARY = (
    ("took part", "took_part"),
    ("participants", "participants"),
    ("messages", "messages"),
    ("new and returning", "new"),
    ("ties and new ties", "ties"),
    ("ties across communities", "cross"),
    ("interactions", "interactions"),
    ("answered by the room", "room"),
)


@dataclass(frozen=True, slots=True)
class Chart:
    svg: Markup
    alt: str
    caption: str
    wide: bool = False
    """Kept at least 440 px wide (scrolls sideways on a phone), so its names stay legible."""


def glossary(prompts: Prompts) -> list[tuple[str, str]]:
    return [(term, prompts(f"report.glossary.{key}")) for term, key in _GLOSSARY]


def series_rows(events: Sequence[dict[str, Any]], current: str | None) -> list[dict[str, Any]]:
    """One row per event's figures (metrics.json), for the series table."""
    rows = []
    for f in events:
        e, rel, q = f["event"], f["relationships"], f["questions"]
        started = datetime.fromisoformat(e["started_at"]) if e.get("started_at") else None
        rows.append(
            {
                "title": e.get("title") or e["slug"],
                "slug": e["slug"],
                "date": started.strftime("%d %b %Y") if started else "",
                "took_part": f["audience"]["people"],
                "participants": f["audience"]["participants"],
                "new": f["reach"]["new"],
                "returning": f["reach"]["returning"],
                "messages": f["depth"]["messages"],
                "asked": q["asked"],
                "answered": q["answered"],
                "room": q.get("answered_by_room", 0),
                "new_ties": rel["new_ties"],
                "cross": rel["cross_community_ties"],
                "depth": f["matrix"]["depth"],
                "quadrant": f["matrix"]["quadrant"],
                "current": e["slug"] == current,
            }
        )
    return rows


def matrix_points(events: Sequence[dict[str, Any]], current: str | None) -> list[Any]:
    from facilitation.report.charts import MatrixPoint  # noqa: PLC0415  # lazy: matplotlib loads only where figures are drawn (the worker process, bot.offload)

    return [
        MatrixPoint(
            f["event"].get("title") or f["event"]["slug"],
            f["matrix"]["audience"],
            f["matrix"]["depth"],
            f["event"]["slug"] == current,
        )
        for f in events
    ]


def _matrix_chart(
    events: Sequence[dict[str, Any]], current: str | None, cfg: LedgerConfig
) -> Chart | None:
    from facilitation.report.charts import matrix_figure, svg_text  # noqa: PLC0415  # lazy: matplotlib loads only where figures are drawn (the worker process, bot.offload)

    if not events:
        return None
    points = matrix_points(events, current)
    this = next((p for p in points if p.current), points[-1])
    others = [p for p in points if p is not this]
    alt = (
        f"Knowledge-exchange matrix. {this.label}: {number(this.audience)} participants and "
        f"{number(this.depth)} interactions per participant, "
        f"{events[points.index(this)]['matrix']['quadrant']}."
    )
    if others:
        alt += (
            " Earlier events: "
            + "; ".join(f"{p.label}, {number(p.audience)} and {number(p.depth)}" for p in others)
            + "."
        )
    caption = (
        f"Across: participants; up: interactions per participant. The dashed lines are the "
        f"thresholds ({cfg.audience_threshold} participants, {number(cfg.depth_threshold)} "
        "interactions each)."
    )
    if others:
        caption += (
            " "
            + "; ".join(
                f"{i}. {p.label}" + (" (this event)" if p is this else "")
                for i, p in enumerate(points, start=1)
            )
            + "."
        )
    fig = matrix_figure(points, cfg.audience_threshold, cfg.depth_threshold)
    return Chart(Markup(svg_text(fig)), alt, caption)  # SVG we drew ourselves


def _network_chart(report: Report) -> Chart | None:
    from facilitation.report.charts import network_figure, svg_text  # noqa: PLC0415  # lazy: matplotlib loads only where figures are drawn (the worker process, bot.offload)

    staff = {n for n, role in report.roles.items() if role != "participant"}
    fig = network_figure(report.ties, report.speakers, report.communities, staff)
    if fig is None:
        return None
    people = {p for a, b, _ in report.ties for p in (a, b)}
    counts: dict[str, int] = {}
    for name in people:
        label = report.communities.get(name, "didn't say")
        counts[label] = counts.get(label, 0) + 1
    groups = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
    rel = report.figures.get("relationships", {})
    alt = (
        f"Network of {len(people)} people joined by {len(report.ties)} ties. Communities: "
        f"{groups}. {rel.get('cross_community_ties', 0)} ties cross communities."
    )
    busiest = sorted(report.ties, key=lambda t: -t[2])[:3]
    if busiest:
        alt += " Most exchanges: " + "; ".join(f"{a} and {b} ({n})" for a, b, n in busiest) + "."
    caption = (
        "Lines join people who replied to or mentioned each other; thicker lines, more "
        "exchanges. Colour: the community people gave with /iam. Squares: the panel and "
        "hosts. Bigger marks posted more."
    )
    return Chart(Markup(svg_text(fig)), alt, caption, wide=True)  # SVG we drew ourselves


def _activity_chart(report: Report) -> Chart | None:
    from facilitation.report.charts import activity_figure, svg_text  # noqa: PLC0415  # lazy: matplotlib loads only where figures are drawn (the worker process, bot.offload)

    tl = report.timeline
    if not tl.starts:
        return None
    peak = max(range(len(tl.messages)), key=lambda i: tl.messages[i])
    alt = (
        f"Activity per {tl.minutes} minutes from {tl.starts[0]:%H:%M} to {tl.starts[-1]:%H:%M}. "
        f"Busiest at {tl.starts[peak]:%H:%M} with {tl.messages[peak]} messages; "
        f"{tl.cumulative[-1]} people had posted by the end."
    )
    caption = (
        f"Bars: messages per {tl.minutes} minutes; line: people posting. Below: people who "
        "had posted so far."
    )
    return Chart(Markup(svg_text(activity_figure(tl))), alt, caption)


def _when(report: Report) -> str:
    start, end = report.started, report.ended
    if start is None:
        return ""
    text = start.strftime("%A %d %B %Y, %H:%M")
    if end is not None:
        minutes = int((end - start).total_seconds() // 60)
        text += f"–{end.strftime('%H:%M')} ({minutes} minutes)"
    return text


def followed_text(effects: object) -> str:

    forms = {
        "reply": "one=# reply|other=# replies",
        "reaction": "one=# reaction|other=# reactions",
        "question": "one=# question|other=# questions",
        "cite": "one=# citation|other=# citations",
    }
    counts = dict(effects) if isinstance(effects, dict) else {}
    parts = [plural(int(n), forms.get(str(k), f"other=# {k}")) for k, n in counts.items() if int(n)]
    return ", ".join(parts) or "no replies yet"


def _snapshots(report: Report) -> list[dict[str, str]]:
    out = []
    for s in report.snapshots:
        if not s.get("posted_at"):
            continue
        url = str(s.get("url") or "")
        source = str(s.get("source", ""))
        if url:  # the source line may repeat the address the link already carries
            source = source.replace(f"({url})", "").strip()
        words = str(s.get("passage_text") or s.get("said") or "").split()
        passage = " ".join(words[:_SNAPSHOT_WORDS]) + ("…" if len(words) > _SNAPSHOT_WORDS else "")
        when = s.get("posted_at")
        at = str(when)[11:16] if isinstance(when, str) and len(when) >= 16 else ""
        safe_url = url if url.startswith(("http://", "https://")) else ""
        out.append(
            {
                "passage": passage,
                "source": source,
                "url": safe_url,
                "at": at,
                "followed": followed_text(s.get("effects")),
            }
        )
    return out


def render_html(
    report: Report,
    prompts: Prompts,
    *,
    cfg: LedgerConfig | None = None,
    participant_names: str = "first",
    generated: datetime | None = None,
) -> str:
    """The whole report page, self-contained (inline CSS and SVG)."""
    from facilitation.report.charts import cloud_words  # noqa: PLC0415  # lazy: matplotlib loads only where figures are drawn (the worker process, bot.offload)

    cfg = cfg or LedgerConfig()
    events = [*report.earlier, report.figures] if report.figures else []
    story = " ".join([report.lead, *(s.text for s in report.narrative.sentences)]).strip()
    questions = sorted(report.questions, key=lambda q: (not q.answers, -q.votes))
    names = "report.glossary.names_pseudonym" if participant_names == "pseudonym" else ""
    return (
        environment()
        .get_template("report.html")
        .render(
            r=report,
            when=_when(report),
            story=story,
            cloud=cloud_words(report.cloud),
            questions=questions,
            snapshots=_snapshots(report),
            matrix=_matrix_chart(events, report.slug, cfg) if report.findings else None,
            network=_network_chart(report),
            activity=_activity_chart(report),
            series_rows=series_rows(events, report.slug),
            glossary=glossary(prompts),
            reference_note=prompts("report.glossary.reference"),
            names_note=prompts(names or "report.glossary.names"),
            marks={"good": "good", "bad": "weak", "mixed": "in between"},
            generated=generated,
        )
    )


def render_series_html(result: dict[str, Any], cfg: LedgerConfig, prompts: Prompts) -> str:
    """The series comparison page (``roundtable evaluate``)."""
    events = result["events"]
    current = events[-1]["event"]["slug"] if events else None
    return (
        environment()
        .get_template("series.html")
        .render(
            series=result["series"],
            totals=result["totals"],
            rows=series_rows(events, None),
            matrix=_matrix_chart(events, current, cfg),
            glossary=glossary(prompts),
        )
    )
