"""The report as Markdown (for posting and archives) and as a short chat post."""

from __future__ import annotations

import re
from pathlib import Path

from bot.plural import plural
from bot.prompts import Prompts
from facilitation.report.build import Report
from facilitation.report.page import followed_text, glossary, series_rows
from facilitation.report.verdict import number

__all__ = ["render_markdown", "short_version"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """User text made inert in Markdown: no accidental headings, links or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _did_it_work(report: Report, prompts: Prompts) -> list[str]:
    if not report.findings:
        return []
    lines = [
        f"## {prompts('report.verdict.heading')}",
        "",
        _md(prompts("report.glossary.reference")),
        "",
    ]
    for f in report.findings:
        bits = [f.value, f.extra, f.reference]
        lines.append(f"- **{_md(f.title)}**: " + " ".join(_md(b) for b in bits if b))
    lines.append("")
    rows = series_rows([*report.earlier, report.figures], report.slug)
    if len(rows) > 1:
        lines += [
            "### The series so far",
            "",
            "| event | date | took part | participants | new | returning | messages | "
            "new ties | across communities | interactions each | quadrant |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            title = _md(r["title"]) + (" (this event)" if r["current"] else "")
            lines.append(
                f"| {title} | {r['date']} | {r['took_part']} | {r['participants']} | {r['new']} | "
                f"{r['returning']} | {r['messages']} | {r['new_ties']} | {r['cross']} | "
                f"{number(r['depth'])} | {r['quadrant']} |"
            )
        lines.append("")
    return lines


def render_markdown(report: Report, prompts: Prompts, participant_names: str = "first") -> str:
    """The full report in Markdown, sections in the same order as the HTML page."""
    lines = [f"# {_md(report.title)}", ""]
    if report.started is not None:
        lines += [f"*{report.started.strftime('%A %d %B %Y, %H:%M')}*", ""]
    figures = [f"**{report.people}** took part"]
    if report.figures:
        figures.append(
            plural(report.participants, "one=**#** participant|other=**#** participants")
        )
    figures += [
        plural(report.messages, "one=**#** message|other=**#** messages"),
        plural(len(report.questions), "one=**#** question|other=**#** questions")
        + f" ({report.answered} answered)",
        plural(len(report.ideas), "one=**#** idea|other=**#** ideas"),
    ]
    lines += [" · ".join(figures), ""]
    lines += _did_it_work(report, prompts)
    if report.narrative.sentences:
        lines += ["## The story of the event", ""]
        story = [report.lead, *(s.text for s in report.narrative.sentences)]
        lines += [" ".join(_md(s) for s in story if s), ""]
    if report.cloud or report.themes:
        lines += ["## Themes", ""]
        if report.cloud:
            lines += [", ".join(_md(p) for p, _ in report.cloud[:15]), ""]
        for t in report.themes:
            title = t.label or ", ".join(t.phrases) or "conversation"
            count = plural(t.messages, "one=# message|other=# messages")
            lines.append(f"- **{_md(title)}** ({count}, {_md(', '.join(t.people))}): {_md(t.gist)}")
        lines.append("")
    during = [q for q in report.questions if not q.late]
    if during:
        lines += ["## Questions and answers", ""]
        for q in sorted(during, key=lambda q: (not q.answers, -q.votes)):
            state = "answered" if q.answers or q.state == "answered" else "not answered yet"
            votes = plural(q.votes, "0=no votes|one=# vote|other=# votes")
            lines.append(f"- **{_md(q.text)}** (asked by {_md(q.asker)}, {votes}, {state})")
            lines += [f"  - {_md(a.author)}: {_md(a.text)}" for a in q.answers]
        lines.append("")
    if report.late_answers:
        lines += ["## Answered after the event", ""]
        for q in report.late_answers:
            votes = plural(q.votes, "0=no votes|one=# vote|other=# votes")
            lines.append(f"- **{_md(q.text)}** (asked by {_md(q.asker)}, {votes})")
            lines += [f"  - {_md(a.author)}: {_md(a.text)}" for a in q.answers]
        lines.append("")
    if report.highlights:
        lines += ["## Highlights", ""]
        for h in report.highlights:
            lines += [
                f"> {_md(h.message.text or '')}",
                f"> — {_md(h.message.author_name)}, {h.why}",
                "",
            ]
    posted = [s for s in report.snapshots if s.get("posted_at")]
    if posted:
        lines += ["## Research snapshots and what followed", ""]
        for s in posted:
            # the passage and its source once each ("said" already ends with the source)
            passage = str(s.get("passage_text") or s.get("said") or "")
            lines.append(
                f"- “{_md(passage)}” — {_md(str(s.get('source', '')))}"
                f" ({followed_text(s.get('effects'))})"
            )
        lines.append("")
    if report.idea_rows:
        lines += ["## Ideas put forward", ""]
        for row in report.idea_rows:
            names = ", ".join(_md(n) for _, n in row.champions)
            championed = f"championed by {names}" if names else "no champion yet"
            lines.append(f"- {row.number}. {_md(row.text)} ({_md(row.author_name)}; {championed})")
            lines += [f"  - {u.ts:%d %b}, {_md(u.author_name)}: {_md(u.text)}" for u in row.updates]
        lines.append("")
    elif report.ideas:
        lines += ["## Ideas put forward", ""]
        lines += [f"- {_md(i.text)} ({_md(i.author_name)})" for i in report.ideas]
        lines.append("")
    if report.links:
        lines += ["## Links and resources shared", ""]
        lines += [f"- <{url}> (shared by {_md(who)})" for url, who, _ in report.links]
        lines.append("")
    tl = report.timeline
    if tl.starts:
        lines += [
            "## Activity over time",
            "",
            "| from | messages | people posting |",
            "|---|---|---|",
        ]
        lines += [
            f"| {s.strftime('%H:%M')} | {m} | {p} |"
            for s, m, p in zip(tl.starts, tl.messages, tl.people, strict=True)
        ]
        lines.append("")
    if report.ties:
        lines += ["## Who talked with whom", ""]
        lines += [f"- {_md(a)} ↔ {_md(b)}: {n}" for a, b, n in report.ties[:15]]
        lines.append("")
    if report.figures:
        lines += ["## What the numbers mean", ""]
        lines += [f"- **{term}**: {_md(meaning)}" for term, meaning in glossary(prompts)]
        lines.append("")
    key = "names_pseudonym" if participant_names == "pseudonym" else "names"
    lines += [f"*{_md(prompts('report.glossary.' + key))}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def short_version(report: Report, prompts: Prompts, where: Path | None = None) -> str:
    """A few paragraphs for the channel: figures, did it work, themes, the story, ideas."""
    parts = [
        prompts("report.end.heading", title=report.title),
        prompts(
            "report.end.figures",
            people=report.people,
            messages=report.messages,
            questions=len(report.questions),
            answered=" " + prompts("report.end.answered", answered=report.answered)
            if report.questions
            else "",
        ),
    ]
    if report.findings:
        lines = [prompts("report.verdict.post_heading")]
        lines += [
            prompts("report.verdict.post_line", title=f.title, value=f.short, reference=f.reference)
            for f in report.findings
            if f.key in ("audience", "depth", "reach", "ties", "cross", "peer")
        ]
        parts.append("\n".join(lines))
    labels = list(dict.fromkeys(t.label for t in report.themes if t.label and t.phrases))[:4]
    if labels:
        parts.append(prompts("report.end.themes", themes="; ".join(labels)))
    story = " ".join(s.text for s in report.narrative.sentences[:4])
    if story:
        parts.append(prompts("report.end.story", story=story))
    if report.idea_rows:
        ideas = [prompts("report.end.ideas")]
        ideas += [
            prompts("report.end.idea", n=i.number, text=i.text, name=i.author_name)
            for i in report.idea_rows
        ]
        if not any(i.champions for i in report.idea_rows):
            ideas.append(prompts("report.end.ideas_invite"))
        parts.append("\n".join(ideas))
    elif report.ideas:
        ideas = [prompts("report.end.ideas")]
        ideas += [
            prompts("report.end.idea", n=k, text=i.text, name=i.author_name)
            for k, i in enumerate(report.ideas, 1)
        ]
        parts.append("\n".join(ideas))
    if where is not None:
        parts.append(prompts("report.end.files", path=str(where)))
    return "\n\n".join(parts)
