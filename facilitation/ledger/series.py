"""A series compared: the four evaluation questions answered with figures, and the matrix plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.exports import SeriesCharts
from bot.files import make_private, private_folder
from bot.plural import plural
from facilitation.ledger.export import write_csv
from facilitation.ledger.service import Ledger

__all__ = ["evaluate_series", "series_markdown", "write_series"]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


def _secs(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 60:.1f} min" if value >= 90 else f"{value:.0f} s"


async def evaluate_series(ledger: Ledger, name: str) -> dict[str, Any]:
    """Every event of series ``name`` (oldest first) with its figures, and the totals."""
    sessions = await ledger.series(name)
    events = []
    for session in sessions:
        _, figures = await ledger.figures(session)
        events.append(figures)
    participants = sum(e["audience"]["participants"] for e in events)
    new = sum(e["reach"]["new"] for e in events)
    ties = sum(e["relationships"]["ties"] for e in events)
    new_ties = sum(e["relationships"]["new_ties"] for e in events)
    asked = sum(e["questions"]["asked"] for e in events)
    answered = sum(e["questions"]["answered"] for e in events)
    replies = sum(e["depth"]["replies"] for e in events)
    between = sum(e["depth"]["replies_between_participants"] for e in events)
    seen: set[str] = set()
    for session in sessions:
        past = ledger.past(session.id)  # loaded by figures() above
        if past is not None:
            seen |= {f"{p}:{u}" for p, u in past.participants}
    return {
        "series": name,
        "events": events,
        "totals": {
            "events": len(events),
            "distinct_participants": len(seen),
            "participations": participants,
            "new_participations": new,
            "questions_asked": asked,
            "questions_answered": answered,
            "answer_rate": round(answered / asked, 3) if asked else None,
            "replies": replies,
            "replies_between_participants": between,
            "reciprocity": round(between / replies, 3) if replies else None,
            "ties": ties,
            "new_ties": new_ties,
            "cross_community_ties": sum(e["relationships"]["cross_community_ties"] for e in events),
            "appreciation": sum(
                e["tone"]["appreciation_messages"] + e["tone"]["appreciation_reactions"]
                for e in events
            ),
        },
    }


def series_markdown(result: dict[str, Any]) -> str:
    """The four evaluation questions, answered event by event."""
    events, t = result["events"], result["totals"]
    count = plural(t["events"], "one=# event|other=# events")
    lines = [f"# Series “{result['series']}”: {count}", ""]
    if not events:
        return "\n".join([*lines, "No events in this series yet.", ""])
    lines += [
        "## 1. Did the platforms offer suitable spaces?",
        "",
        "| event | platform | participants | messages | questions | answer rate | time to answer |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in events:
        for platform, p in e["per_platform"].items():
            q = p["questions"]
            lines.append(
                f"| {e['event']['slug']} | {platform} | {p['participants']} | {p['messages']} | "
                f"{q['asked']} | {_pct(q['answer_rate'])} | {_secs(q['median_answer_seconds'])} |"
            )
    lines += [
        "",
        "## 2. Was the value of the exchange shared?",
        "",
        f"Across the series, {_pct(t['reciprocity'])} of replies were between participants "
        f"(not to or from the panel), and {t['questions_answered']} of {t['questions_asked']} "
        f"questions were answered ({_pct(t['answer_rate'])}).",
        "",
        "| event | replies | between participants | reciprocity | appreciation | sentiment |",
        "|---|---|---|---|---|---|",
    ]
    for e in events:
        d, tone = e["depth"], e["tone"]
        appreciation = tone["appreciation_messages"] + tone["appreciation_reactions"]
        lines.append(
            f"| {e['event']['slug']} | {d['replies']} | {d['replies_between_participants']} | "
            f"{_pct(d['reciprocity'])} | {appreciation} | {tone['sentiment_mean']} |"
        )
    lines += [
        "",
        "## 3. Did the research reach new audiences?",
        "",
        f"{t['distinct_participants']} different people took part; {t['new_participations']} "
        f"of {t['participations']} participations were by people new to the series.",
        "",
        "| event | participants | new | returning | returning from |",
        "|---|---|---|---|---|",
    ]
    for e in events:
        r = e["reach"]
        came = ", ".join(f"{k} ({v})" for k, v in r["returning_from"].items()) or "–"
        lines.append(
            f"| {e['event']['slug']} | {e['audience']['participants']} | {r['new']} | "
            f"{r['returning']} | {came} |"
        )
    lines += [
        "",
        "## 4. Did people build new relationships?",
        "",
        f"{t['new_ties']} of {t['ties']} ties were between people who had never interacted "
        f"before in the series; {t['cross_community_ties']} crossed communities.",
        "",
        "| event | ties | new ties | cross-community | labelled ties |",
        "|---|---|---|---|---|",
    ]
    for e in events:
        rel = e["relationships"]
        lines.append(
            f"| {e['event']['slug']} | {rel['ties']} | {rel['new_ties']} | "
            f"{rel['cross_community_ties']} | {rel['labelled_ties']} |"
        )
    lines += [
        "",
        "## The knowledge-exchange matrix",
        "",
        "Audience: participants (not the panel). Depth: replies, mentions and reactions given "
        "to other people, per participant.",
        "",
        "| event | audience | depth | quadrant |",
        "|---|---|---|---|",
    ]
    for e in events:
        m = e["matrix"]
        lines.append(f"| {e['event']['slug']} | {m['audience']} | {m['depth']} | {m['quadrant']} |")
    lines += ["", "![matrix](matrix.png)", ""]
    return "\n".join(lines)


def write_series(ledger: Ledger, result: dict[str, Any], out: Path) -> list[Path]:
    """Write series.json, series.md, events.csv; series.html and the matrix (PNG, SVG) too
    when the report's charts are installed (``bot.exports.ChartExport``)."""
    private_folder(out)
    written: list[Path] = []
    charts = ledger.exports.charts()
    if charts is not None:
        prompts_dir = ledger.config.bot.prompts_dir
        request = SeriesCharts(
            result,
            ledger.cfg.audience_threshold,
            ledger.cfg.depth_threshold,
            ledger.config.resolve(prompts_dir) if prompts_dir else None,
        )
        written += charts.series()(request, out)
    (out / "series.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "series.md").write_text(series_markdown(result), encoding="utf-8")
    header = ["event", "title", "started_at", "participants", "new", "returning", "messages"]
    header += ["questions", "answered", "answer_rate", "reciprocity", "ties", "new_ties"]
    header += ["cross_community_ties", "sentiment", "audience", "depth", "quadrant"]
    write_csv(
        out / "events.csv",
        header,
        (
            [
                e["event"]["slug"],
                e["event"]["title"],
                e["event"]["started_at"],
                e["audience"]["participants"],
                e["reach"]["new"],
                e["reach"]["returning"],
                e["depth"]["messages"],
                e["questions"]["asked"],
                e["questions"]["answered"],
                e["questions"]["answer_rate"],
                e["depth"]["reciprocity"],
                e["relationships"]["ties"],
                e["relationships"]["new_ties"],
                e["relationships"]["cross_community_ties"],
                e["tone"]["sentiment_mean"],
                e["matrix"]["audience"],
                e["matrix"]["depth"],
                e["matrix"]["quadrant"],
            ]
            for e in result["events"]
        ),
    )
    written += [out / n for n in ("series.json", "series.md", "events.csv")]
    for path in written:
        make_private(path)
    return written
