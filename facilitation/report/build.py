"""Putting a report together: the narrative, themes, questions, highlights and figures."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.exports import IdeaRow
from bot.offload import Offload, off_loop
from bot.prompts import Prompts
from facilitation.bots import is_meeting_command
from facilitation.ledger.config import LedgerConfig
from facilitation.ledger.data import Message
from facilitation.report.analysis import (
    Highlight,
    Timeline,
    conversations,
    highlights,
    tidy,
    timeline,
    turns_of,
    without_names,
)
from facilitation.report.config import ReportConfig
from facilitation.report.gather import Answer, ReportData, links_of
from facilitation.report.store import Idea
from facilitation.report.summarise import ReportSummariser
from facilitation.report.verdict import Finding, findings
from facilitation.summaries import KeyphraseExtractor, Summary, Turn
from facilitation.summaries.labels import describe, in_context, in_prose, label, noun_phrases

__all__ = ["QuestionView", "Report", "Theme", "build_report"]

_THEMES = 6
_CLOUD = 28
# Words about the chat itself, not about what it discussed.
_CHAT_WORDS = frozenset(
    "question questions answer answers number open report chat thread point points reply "
    "replies comment comments link links session panel event".split()
)


@dataclass(frozen=True, slots=True)
class Theme:
    phrases: tuple[str, ...]
    """Noun phrases naming the conversation, most used first."""
    gist: str
    messages: int
    people: tuple[str, ...]
    start: datetime
    label: str = ""
    """The title a person would write: "Heat pumps and loft insulation"."""


@dataclass(frozen=True, slots=True)
class QuestionView:
    number: str
    text: str
    asker: str
    votes: int
    state: str
    answers: tuple[Answer, ...]
    late: bool = False
    """First answered after the event had ended (``/answer N text`` later on)."""


@dataclass(slots=True)
class Report:
    """A finished report, ready to render as HTML, Markdown or a short chat post."""

    title: str
    slug: str
    started: datetime | None
    ended: datetime | None
    messages: int
    people: int
    narrative: Summary
    cloud: list[tuple[str, float]]
    themes: list[Theme]
    questions: list[QuestionView]
    highlights: list[Highlight]
    links: list[tuple[str, str, datetime]]
    snapshots: list[dict[str, object]]
    ideas: list[Idea]
    timeline: Timeline
    ties: list[tuple[str, str, int]]
    lead: str = ""
    speakers: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    communities: dict[str, str] = field(default_factory=dict)
    """Shown name -> the community they gave with /iam."""
    figures: dict[str, Any] = field(default_factory=dict)
    """The ledger's figures (metrics.json): every count the report shows comes from here."""
    earlier: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    series: str | None = None
    participants: int = 0
    idea_rows: list[IdeaRow] = field(default_factory=list)
    """The ideas with numbers, champions and news since (``/champion``, ``/update``)."""

    @property
    def late_answers(self) -> list[QuestionView]:
        """The questions first answered after the event ended."""
        return [q for q in self.questions if q.late]

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.answers or q.state == "answered")


async def build_report(
    data: ReportData,
    summariser: ReportSummariser,
    cfg: ReportConfig,
    prompts: Prompts | None = None,
    ledger_cfg: LedgerConfig | None = None,
    *,
    offload: Offload | None = None,
) -> Report:
    """Build the report of ``data``'s event, off the loop.

    The summaries (model calls) run in threads; the text work around them (key
    phrases, labels, highlights, the verdict) in ``offload``'s worker process, or in
    a thread without one.

    Args:
        data: the event's material.
        summariser: summarises the story and each conversation.
        cfg: the ``[report]`` section.
        prompts: for the story's opening line and "Did it work?" (none without it).
        ledger_cfg: the thresholds a first event is judged by.
        offload: the worker process (``bot.offload``).
    """
    spoken, turns, groups = await off_loop(offload, _material, data)
    # Links are listed on their own; a sentence around a link tells little of the story.
    story = [t for m, t in zip(spoken, turns, strict=True) if not m.links]
    narrative = await summariser.summarise(
        story or turns, cfg.narrative_sentences, 40 * cfg.narrative_sentences
    )
    cloud, phrases = await off_loop(offload, _phrases, data.messages, groups)
    gists = []
    names = {m.author_name for m in data.messages}
    for group, said in zip(groups, phrases, strict=True):
        # The card's line is one about its label, not merely one of its messages.
        turns = turns_of(group, data.reactions, names)
        gists.append(await summariser.gist(turns, focus=said))
    parts = _Parts(spoken, groups, narrative, cloud, phrases, gists)
    return await off_loop(offload, _assemble, data, parts, cfg, prompts, ledger_cfg)


@dataclass(frozen=True, slots=True)
class _Parts:
    """What the model calls and the key-phrase pass made, for the worker to assemble."""

    spoken: list[Message]
    groups: list[list[Message]]
    narrative: Summary
    cloud: list[tuple[str, float]]
    phrases: list[tuple[str, ...]]
    gists: list[Summary]


def _material(data: ReportData) -> tuple[list[Message], list[Turn], list[list[Message]]]:
    """The messages said (not meeting-bot commands), their turns, the biggest conversations."""
    # "[TOPIC] ..." is a command to a meeting bot: its author counts, the line is not quoted.
    spoken = [m for m in data.messages if not is_meeting_command(m.text or "")]
    return spoken, turns_of(spoken, data.reactions), conversations(spoken)[:_THEMES]


def _phrases(
    messages: list[Message], groups: list[list[Message]]
) -> tuple[list[tuple[str, float]], list[tuple[str, ...]]]:
    """The word cloud, and the phrases that describe each conversation."""
    cloud = _cloud(messages)
    names = {m.author_name for m in messages}
    found = [p for p, _ in cloud]
    return cloud, [tuple(describe([m.text or "" for m in g], found, names, 2)) for g in groups]


def _assemble(
    data: ReportData,
    parts: _Parts,
    cfg: ReportConfig,
    prompts: Prompts | None,
    ledger_cfg: LedgerConfig | None,
) -> Report:
    messages, spoken, cloud = data.messages, parts.spoken, parts.cloud
    narrative = tidy(parts.narrative, messages)
    themes = []
    for group, phrases, gist in zip(parts.groups, parts.phrases, parts.gists, strict=True):
        voices = Counter(m.author_name for m in group)
        themes.append(
            Theme(
                phrases=phrases,
                gist=tidy(gist, group).text,
                messages=len(group),
                people=tuple(n for n, _ in voices.most_common(4)),
                start=group[0].ts,
                label=label(phrases) or (prompts("report.theme.untitled") if prompts else ""),
            )
        )
    # The story names the biggest conversations' subjects first.
    by_size = [t.phrases[0] for t in sorted(themes, key=lambda t: -t.messages) if t.phrases]
    themes.sort(key=lambda t: t.start)
    speakers = Counter(data.name(m.author) for m in messages)
    roles = {data.name(p): r for p, r in data.event.roles.items()}
    figures = data.figures or {}
    # one truth: the counts are the ledger's (metrics.json), defined in the glossary
    people = figures["audience"]["people"] if figures else len(data.event.people())
    participants = figures["audience"]["participants"] if figures else 0
    found = (
        findings(
            figures,
            data.earlier,
            ledger_cfg or LedgerConfig(),
            prompts,
            in_series=bool(data.series),
        )
        if figures and prompts
        else []
    )
    ranked = [p for p, _ in sorted(cloud, key=lambda pw: -pw[1])]
    lower = [(m.text or "").lower() for m in messages]
    readable = [p for p in [*by_size, *ranked] if in_context(p, lower)]
    topics = [in_prose(t, lower) for t in label_list(readable, 3)]  # "the overnight low"
    lead = _lead(prompts, people, roles, speakers, list(topics)) if prompts else ""
    return Report(
        title=data.session.title or data.session.slug,
        slug=data.session.slug,
        started=data.session.started_at,
        ended=data.session.ended_at,
        messages=figures["depth"]["messages"] if figures else len(messages),
        people=people,
        participants=participants,
        figures=figures,
        earlier=data.earlier,
        findings=found,
        series=data.series,
        communities={data.name(p): label for p, label in data.event.labels.items()},
        lead=lead,
        narrative=narrative,
        cloud=cloud,
        themes=themes,
        questions=_questions(data),
        highlights=highlights(spoken, data.reactions, narrative.message_ids, cfg.highlights),
        links=links_of(messages),
        snapshots=list(data.snapshots or []),
        ideas=data.ideas,
        idea_rows=data.idea_rows,
        timeline=timeline(messages, data.session.started_at),
        ties=_ties(data),
        speakers=dict(speakers),
        roles=roles,
    )


def _cloud(messages: list[Message]) -> list[tuple[str, float]]:
    """Key phrases weighted by how many messages use them (at least once)."""
    texts = [m.text or "" for m in messages]
    found = KeyphraseExtractor(top=_CLOUD + 10).extract(texts)
    phrases = [p for p in without_names(found, messages) if not _CHAT_WORDS & set(p.split())]
    phrases = phrases[:_CLOUD]
    lower = [t.lower() for t in texts]
    out = []
    for rank, phrase in enumerate(phrases):
        pattern = re.compile(rf"\b{re.escape(phrase)}\b")
        uses = sum(1 for t in lower if phrase in t and pattern.search(t))
        out.append((phrase, max(uses, 1) * (1.0 + (len(phrases) - rank) / len(phrases))))
    return out


def _questions(data: ReportData) -> list[QuestionView]:
    out = []
    for q in data.event.questions:
        if not q.counted or not q.text:
            continue
        asker = data.name(q.asker) if q.asker is not None else "anonymous"
        ended = data.session.ended_at
        late = bool(ended and q.answered_at and q.answered_at > ended)
        answers = tuple(data.answers.get(q.id, ()))
        out.append(QuestionView(q.id, q.text, asker, q.votes, q.state, answers, late))
    return out


def _ties(data: ReportData) -> list[tuple[str, str, int]]:
    """Who talked with whom: replies and mentions between two people, both ways counted."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in data.event.messages:
        others = set(m.mentions)
        if m.reply_to_author is not None:
            others.add(m.reply_to_author)
        for who in others - {m.author}:
            a, b = sorted((data.name(m.author), data.name(who)))
            counts[(a, b)] += 1
    return [(a, b, n) for (a, b), n in counts.most_common()]


def label_list(phrases: list[str], most: int) -> list[str]:
    """Noun phrases, distinct, in the case they came in."""
    cases = {p.lower(): p for p in reversed(phrases)}
    return [cases.get(p, p) for p in noun_phrases(phrases, most)]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _lead(
    prompts: Prompts,
    people: int,
    roles: dict[str, str],
    speakers: Counter[str],
    themes: list[str],
) -> str:
    """The story's first line: what was discussed, in noun phrases, and who took part."""
    if not themes:
        return ""
    by_weight = themes[:3]
    panel = [n for n, r in roles.items() if r == "panellist" and speakers.get(n)]
    if panel:
        return prompts(
            "report.story.lead_panel",
            people=people,
            panel=_and(sorted(panel)),
            themes=_and(by_weight),
        )
    return prompts("report.story.lead", people=people, themes=_and(by_weight))
