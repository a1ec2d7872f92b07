"""The report as one self-contained HTML page: inline CSS and SVG, readable and printable.

Every piece of user text goes through :func:`html.escape`, or, for what people
wrote in chat, :func:`facilitation.report.markup.inline_html` (their Markdown
rendered, raw HTML escaped); only our own markup and the SVG matplotlib wrote are
inserted as they are.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from facilitation.report.build import Report
from facilitation.report.markup import inline_html

__all__ = ["render_html"]

_SNAPSHOT_WORDS = 45

_CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--accent:#2f6f73;--soft:#e07a5f;--line:#e4e7eb;
--paper:#fbfaf7}
*{box-sizing:border-box}
body{margin:0;background:var(--paper);color:var(--ink);
font:16px/1.55 "Segoe UI",system-ui,-apple-system,"Helvetica Neue",Arial,sans-serif}
main{max-width:960px;margin:0 auto;padding:40px 28px 64px}
header{border-bottom:4px solid var(--accent);padding-bottom:18px;margin-bottom:28px}
h1{font-size:2.3em;line-height:1.15;margin:0 0 6px}
h2{font-size:1.35em;color:var(--accent);margin:42px 0 12px;break-after:avoid}
.when{color:var(--muted);margin:0}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0 0}
.figure{background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px 16px;
min-width:120px}
.figure b{display:block;font-size:1.7em;color:var(--accent);line-height:1.1}
.figure span{color:var(--muted);font-size:.88em}
.story{font-size:1.08em;background:#fff;border-left:4px solid var(--soft);padding:14px 20px;
border-radius:0 10px 10px 0}
.cloud{text-align:center;line-height:1.9;padding:18px;background:#fff;border-radius:10px;
border:1px solid var(--line)}
.tag{display:inline-block;margin:0 .35em;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:14px;
margin-top:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;
break-inside:avoid}
.card h3{margin:0 0 6px;font-size:1em;color:var(--accent)}
.card p{margin:4px 0}
.meta{color:var(--muted);font-size:.86em}
.q{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px;
margin:10px 0;break-inside:avoid}
.q .text{font-weight:600}
.badge{display:inline-block;font-size:.78em;border-radius:99px;padding:1px 9px;margin-left:6px;
background:#e8f1f1;color:var(--accent);font-weight:600;vertical-align:middle}
.badge.open{background:#fbeae5;color:#a5442b}
.answer{margin:8px 0 0 14px;padding-left:12px;border-left:3px solid var(--line)}
blockquote{margin:10px 0;background:#fff;border:1px solid var(--line);border-radius:10px;
padding:12px 16px;break-inside:avoid}
blockquote footer{color:var(--muted);font-size:.86em;margin-top:4px}
ul.plain{padding-left:1.2em}
ul.plain li{margin:4px 0}
a{color:var(--accent);word-break:break-word}
svg{width:100%;height:auto}
.chart{background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px}
.foot{margin-top:48px;color:var(--muted);font-size:.85em;border-top:1px solid var(--line);
padding-top:12px}
@media print{body{background:#fff;font-size:12pt}main{padding:0}
.figure,.card,.q,blockquote,.chart,.cloud{border-color:#ccc}h2{margin-top:24px}
a{color:var(--ink)}}
"""


def _when(report: Report) -> str:
    start, end = report.started, report.ended
    if start is None:
        return ""
    text = start.strftime("%A %d %B %Y, %H:%M")
    if end is not None:
        minutes = int((end - start).total_seconds() // 60)
        text += f"–{end.strftime('%H:%M')} ({minutes} minutes)"
    return text


def _figure(value: object, label: str) -> str:
    return f'<div class="figure"><b>{escape(str(value))}</b><span>{escape(label)}</span></div>'


def _time(ts: datetime) -> str:
    return ts.strftime("%H:%M")


def _link(url: str) -> str:
    safe = escape(url, quote=True)
    if not url.startswith(("http://", "https://")):
        return safe
    return f'<a href="{safe}">{safe}</a>'


def _section(title: str, body: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{body}</section>" if body else ""


def _questions(report: Report) -> str:
    parts = []
    for q in sorted(report.questions, key=lambda q: (not q.answers, -q.votes)):
        answered = bool(q.answers) or q.state == "answered"
        badge = "answered" if answered else "not answered yet"
        votes = f"{q.votes} vote{'s' if q.votes != 1 else ''}"
        answers = "".join(
            f'<div class="answer"><span class="meta">{escape(a.author)}:</span> '
            f"{inline_html(a.text)}</div>"
            for a in q.answers
        )
        parts.append(
            f'<div class="q"><span class="text">{inline_html(q.text)}</span>'
            f'<span class="badge{"" if answered else " open"}">{badge}</span>'
            f'<div class="meta">asked by {escape(q.asker)} · {votes}</div>{answers}</div>'
        )
    return "".join(parts)


def _themes(report: Report) -> str:
    from facilitation.report.charts import tag_cloud

    cards = []
    for t in report.themes:
        title = t.label or ", ".join(t.phrases) or "conversation"
        cards.append(
            f'<div class="card"><h3>{escape(title)}</h3><p>{inline_html(t.gist)}</p>'
            f'<p class="meta">{t.messages} messages from {_time(t.start)} · '
            f"{escape(', '.join(t.people))}</p></div>"
        )
    cloud = tag_cloud(report.cloud)
    return cloud + (f'<div class="cards">{"".join(cards)}</div>' if cards else "")


def _highlights(report: Report) -> str:
    out = []
    for h in report.highlights:
        m = h.message
        bits = [h.why, _time(m.ts)]
        if h.reactions:
            bits.append(f"{h.reactions} reaction{'s' if h.reactions != 1 else ''}")
        if h.replies:
            bits.append(f"{h.replies} repl{'ies' if h.replies != 1 else 'y'}")
        out.append(
            f"<blockquote>{inline_html(m.text or '')}<footer>{escape(m.author_name)} · "
            f"{escape(' · '.join(bits))}</footer></blockquote>"
        )
    return "".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _followed(effects: object) -> str:
    """ "2 replies, 1 question" from the snapshot's effect counts."""
    counts = dict(effects) if isinstance(effects, dict) else {}
    words = {"reply": "reply", "reaction": "reaction", "question": "question", "cite": "citation"}
    parts = []
    for kind, n in counts.items():
        word = words.get(str(kind), str(kind))
        parts.append("1 reply" if (n == 1 and word == "reply") else _plural(int(n), word))
    return ", ".join(p.replace("replys", "replies") for p in parts) or "no replies yet"


def _snapshots(report: Report) -> str:
    cards = []
    for s in report.snapshots:
        if not s.get("posted_at"):
            continue
        url = s.get("url")
        source = str(s.get("source", ""))
        if url:  # the source line may repeat the address the link already carries
            source = source.replace(f"({url})", "").strip()
        source = escape(source)
        cite = f'<a href="{escape(str(url), quote=True)}">{source}</a>' if url else source
        words = str(s.get("passage_text") or s.get("said") or "").split()
        passage = " ".join(words[:_SNAPSHOT_WORDS]) + ("…" if len(words) > _SNAPSHOT_WORDS else "")
        when = s.get("posted_at")
        at = f"{str(when)[11:16]} · " if isinstance(when, str) and len(when) >= 16 else ""
        cards.append(
            f'<div class="card"><p>{escape(passage)}</p><p class="meta">{cite}</p>'
            f'<p class="meta">{escape(at)}what followed: {escape(_followed(s.get("effects")))}'
            "</p></div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>' if cards else ""


def _ideas(report: Report) -> str:
    items = "".join(
        f"<li>{escape(i.text)} <span class='meta'>— {escape(i.author_name)}</span></li>"
        for i in report.ideas
    )
    return f'<ul class="plain">{items}</ul>' if items else ""


def _links(report: Report) -> str:
    items = "".join(
        f"<li>{_link(url)} <span class='meta'>— shared by {escape(who)} at {_time(ts)}</span></li>"
        for url, who, ts in report.links
    )
    return f'<ul class="plain">{items}</ul>' if items else ""


def render_html(report: Report, *, generated: datetime | None = None) -> str:
    """The whole page as a string."""
    # matplotlib takes seconds to import: only when a report is drawn, not at bot start.
    from facilitation.report.charts import activity_svg, network_svg

    figures = "".join(
        [
            _figure(report.people, "people took part"),
            _figure(report.messages, "messages"),
            _figure(len(report.questions), "questions"),
            _figure(report.answered, "answered"),
            _figure(len(report.ideas), "ideas"),
        ]
    )
    story = " ".join(
        [escape(report.lead), *(inline_html(s.text) for s in report.narrative.sentences)]
    )
    story = story.strip()
    charts = ""
    if report.timeline.starts:
        charts = f'<div class="chart">{activity_svg(report.timeline)}</div>'
    network = network_svg(report.ties, report.speakers, report.roles)
    body = [
        f'<header><h1>{escape(report.title)}</h1><p class="when">{escape(_when(report))}</p>'
        f'<div class="figures">{figures}</div></header>',
        _section("The story of the event", f'<p class="story">{story}</p>' if story else ""),
        _section("Themes", _themes(report)),
        _section("Questions and answers", _questions(report)),
        _section("Highlights", _highlights(report)),
        _section("Research snapshots and what followed", _snapshots(report)),
        _section("Ideas put forward", _ideas(report)),
        _section("Links and resources shared", _links(report)),
        _section("Activity over time", charts),
        _section(
            "Who talked with whom",
            f'<div class="chart">{network}</div><p class="meta">Lines join people who replied to'
            " or mentioned each other; thicker lines, more exchanges. Bigger circles posted"
            " more.</p>"
            if network
            else "",
        ),
    ]
    made = f" on {generated.strftime('%d %B %Y')}" if generated else ""
    foot = (
        f'<p class="foot">Made by Roundtable{escape(made)}. Summaries are chosen from what people'
        " wrote; people who opted out are not included.</p>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(report.title)}: event report</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}{foot}</main></body></html>"
    )
