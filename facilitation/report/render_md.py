"""The report as Markdown (for posting and archives) and as a short chat post."""

from __future__ import annotations

import re

from bot.prompts import Prompts
from facilitation.report.build import Report

__all__ = ["render_markdown", "short_version"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """User text made inert in Markdown: no accidental headings, links or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_markdown(report: Report) -> str:
    """The full report in Markdown, sections in the same order as the HTML page."""
    lines = [f"# {_md(report.title)}", ""]
    if report.started is not None:
        lines += [f"*{report.started.strftime('%A %d %B %Y, %H:%M')}*", ""]
    lines += [
        f"**{report.people}** people took part · **{report.messages}** messages · "
        f"**{len(report.questions)}** questions ({report.answered} answered) · "
        f"**{len(report.ideas)}** ideas",
        "",
    ]
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
            lines.append(
                f"- **{_md(title)}** ({t.messages} messages, {_md(', '.join(t.people))}): "
                f"{_md(t.gist)}"
            )
        lines.append("")
    if report.questions:
        lines += ["## Questions and answers", ""]
        for q in sorted(report.questions, key=lambda q: (not q.answers, -q.votes)):
            state = "answered" if q.answers or q.state == "answered" else "not answered yet"
            lines.append(f"- **{_md(q.text)}** (asked by {_md(q.asker)}, {q.votes} votes, {state})")
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
            effects = dict(s.get("effects") or {})  # type: ignore[call-overload]
            followed = ", ".join(f"{n} {k}" for k, n in effects.items()) or "no reply yet"
            lines.append(
                f"- {_md(str(s.get('said', '')))} ({_md(str(s.get('source', '')))}; {followed})"
            )
        lines.append("")
    if report.ideas:
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
    return "\n".join(lines).rstrip() + "\n"


def short_version(report: Report, prompts: Prompts) -> str:
    """A few paragraphs for the channel: figures, themes, the story, ideas."""
    parts = [
        prompts("report.end.heading", title=report.title),
        prompts(
            "report.end.figures",
            people=report.people,
            messages=report.messages,
            questions=len(report.questions),
            answered=report.answered,
        ),
    ]
    labels = list(dict.fromkeys(t.label for t in report.themes if t.label))[:4]
    if labels:
        parts.append(prompts("report.end.themes", themes="; ".join(labels)))
    story = " ".join(s.text for s in report.narrative.sentences[:4])
    if story:
        parts.append(prompts("report.end.story", story=story))
    if report.ideas:
        ideas = [prompts("report.end.ideas")]
        ideas += [prompts("report.end.idea", text=i.text, name=i.author_name) for i in report.ideas]
        parts.append("\n".join(ideas))
    parts.append(prompts("report.end.files"))
    return "\n\n".join(parts)
