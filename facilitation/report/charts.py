"""Figures for the report and the export: activity, the network, the knowledge-exchange matrix.

Each figure is drawn once by matplotlib (headless, Agg) and written as SVG text
for the page (text stays text, so it prints sharply and scales) or as PNG and
SVG files for the export. Figures are sized so that their text stays about 10 px
tall when the page is 390 px wide (a phone) and under 24 px at full width.
The word cloud is plain HTML sized by weight.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from facilitation.report.analysis import Timeline

__all__ = [
    "COMMUNITY_COLOURS",
    "MatrixPoint",
    "activity_figure",
    "cloud_words",
    "community_colour",
    "matrix_figure",
    "network_figure",
    "save_figure",
    "svg_text",
]

INK, ACCENT, SOFT, MUTED = "#1f2933", "#2f6f73", "#e07a5f", "#9aa5b1"
FONT = 12
WIDTH = 5.0  # inches: 360 pt, shown about 340 px wide on a phone, so 12 pt text is 11 px
# Colour-blind-safe (Okabe-Ito) colours for the communities of /iam.
COMMUNITY_COLOURS = {
    "academic": "#0072B2",
    "policy": "#D55E00",
    "practice": "#009E73",
    "community": "#CC79A7",
}
_SPARE = ("#E69F00", "#56B4E9", "#F0E442", "#000000")
_UNKNOWN = "#b8c2cc"


def _setup() -> None:
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: selectable, small
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.size"] = FONT


def svg_text(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (closed afterwards), scaled by the page."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", transparent=True)
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog
    return re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", text, count=2)


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Write ``stem.png`` (for documents) and ``stem.svg`` (for print); close the figure."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], format="png", dpi=150, bbox_inches="tight", facecolor="white")
    fig.savefig(paths[1], format="svg", bbox_inches="tight")
    plt.close(fig)
    return paths


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=FONT - 1)
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def activity_figure(tl: Timeline) -> Figure:
    """Messages per time bin (bars) with people posting (line), and people seen so far."""
    _setup()
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(WIDTH, 4.2), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    x = [t.strftime("%H:%M") for t in tl.starts]
    pos = list(range(len(x)))
    top.bar(pos, tl.messages, color=ACCENT, width=0.8, label="messages")
    top.plot(pos, tl.people, color=SOFT, marker="o", markersize=3, linewidth=2, label="people")
    top.set_ylabel(f"per {tl.minutes} min", color=INK)
    top.legend(frameon=False, loc="upper right")
    _style(top)
    bottom.fill_between(pos, tl.cumulative, color=SOFT, alpha=0.25, step="mid")
    bottom.plot(pos, tl.cumulative, color=SOFT, linewidth=2, drawstyle="steps-mid")
    bottom.set_ylabel("people so far", color=INK)
    _style(bottom)
    step = max(1, math.ceil(len(pos) / 6))
    bottom.set_xticks(pos[::step], x[::step])
    fig.tight_layout()
    return fig


def community_colour(label: str | None, known: Sequence[str] = ()) -> str:
    if not label:
        return _UNKNOWN
    if label in COMMUNITY_COLOURS:
        return COMMUNITY_COLOURS[label]
    others = [k for k in known if k not in COMMUNITY_COLOURS]
    return _SPARE[others.index(label) % len(_SPARE)] if label in others else _SPARE[0]


def network_figure(
    ties: Sequence[tuple[str, str, int]],
    speakers: dict[str, int],
    communities: dict[str, str],
    staff: set[str],
    max_people: int = 36,
) -> Figure | None:
    """Who talked with whom, coloured by community; the panel and hosts drawn as squares.

    Labels are moved apart (adjustText) so that no two names overlap.
    """
    from adjustText import adjust_text  # noqa: PLC0415  # lazy: adjustText (and scipy) only when a network has labels to place

    graph = nx.Graph()
    for a, b, n in ties:
        graph.add_edge(a, b, weight=n)
    if graph.number_of_nodes() == 0:
        return None
    if graph.number_of_nodes() > max_people:
        keep = sorted(graph.degree(weight="weight"), key=lambda d: -d[1])[:max_people]
        graph = graph.subgraph([n for n, _ in keep]).copy()
    _setup()
    n = graph.number_of_nodes()
    layout = nx.spring_layout(graph, seed=7, k=2.2 / math.sqrt(n), iterations=200)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))  # drawn 440 px wide at least (page CSS)
    weights = [graph[u][v]["weight"] for u, v in graph.edges]
    top = max(weights) if weights else 1
    nx.draw_networkx_edges(
        graph,
        layout,
        ax=ax,
        width=[0.6 + 3 * w / top for w in weights],
        edge_color=MUTED,
        alpha=0.5,
    )
    labels = sorted({c for c in communities.values() if c})
    for shape, group in (
        ("o", [p for p in graph if p not in staff]),
        ("s", [p for p in graph if p in staff]),
    ):
        if not group:
            continue
        nx.draw_networkx_nodes(
            graph,
            layout,
            nodelist=group,
            ax=ax,
            node_shape=shape,
            node_size=[60 + 90 * math.sqrt(speakers.get(p, 1)) for p in group],
            node_color=[community_colour(communities.get(p), labels) for p in group],
            edgecolors="white",
            linewidths=1.2,
        )
    # names start just below their mark, then are pushed off marks and each other
    texts = [
        ax.text(x, y - 0.06, name, fontsize=FONT - 1, color=INK, ha="center", va="top")
        for name, (x, y) in layout.items()
    ]
    xs = [x for x, _ in layout.values()]
    ys = [y for _, y in layout.values()]
    ax.set_xlim(min(xs) - 0.25, max(xs) + 0.25)
    ax.set_ylim(min(ys) - 0.2, max(ys) + 0.2)
    adjust_text(
        texts,
        x=xs,
        y=ys,
        ax=ax,
        expand=(1.2, 1.5),
        expand_axes=False,
        force_text=(0.4, 0.6),
        arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 0.6},
    )
    for label in labels:
        ax.scatter([], [], s=70, color=community_colour(label, labels), label=label)
    if any(p not in communities for p in graph):
        ax.scatter([], [], s=70, color=_UNKNOWN, label="didn't say")
    if staff & set(graph):
        ax.scatter([], [], s=70, marker="s", color=INK, label="panel and hosts")
    ax.legend(
        frameon=False,
        fontsize=FONT - 1,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        handletextpad=0.3,
        columnspacing=1.0,
    )
    ax.set_axis_off()
    fig.tight_layout()
    return fig


@dataclass(frozen=True, slots=True)
class MatrixPoint:
    label: str
    audience: float
    depth: float
    current: bool = False


def matrix_figure(points: Sequence[MatrixPoint], audience_t: float, depth_t: float) -> Figure:
    """Events placed by audience against depth; quadrants named; this event highlighted.

    Points carry their number in time order (the caption names them), so no long
    title pushes the plot aside or runs over another; a single event is named.
    """
    _setup()
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    xs = [p.audience for p in points]
    ys = [p.depth for p in points]
    ax.set_xlim(0, max([*xs, audience_t * 2, 1]) * 1.12)
    ax.set_ylim(0, max([*ys, depth_t * 2, 0.5]) * 1.15)
    ax.axvline(audience_t, color="#999", lw=1, ls="--")
    ax.axhline(depth_t, color="#999", lw=1, ls="--")
    for qx, qy, label in (
        (0.02, 0.98, "small and deep"),
        (0.98, 0.98, "large and deep"),
        (0.02, 0.02, "small and shallow"),
        (0.98, 0.02, "large and shallow"),
    ):
        ax.text(
            qx,
            qy,
            label,
            transform=ax.transAxes,
            color="#52606d",
            fontsize=FONT - 2,
            ha="left" if qx < 0.5 else "right",
            va="top" if qy > 0.5 else "bottom",
        )
    if len(points) > 1:
        ax.plot(xs, ys, color=MUTED, lw=1, alpha=0.7, zorder=2)
    for i, p in enumerate(points):
        ax.scatter(
            [p.audience],
            [p.depth],
            s=140 if p.current else 60,
            color=SOFT if p.current else MUTED,
            edgecolors=INK if p.current else "white",
            zorder=3,
        )
        ax.annotate(
            str(i + 1) if len(points) > 1 else p.label[:28],
            (p.audience, p.depth),
            textcoords="offset points",
            xytext=(7, 4 if i % 2 else -12),
            fontsize=FONT - 1,
            color=INK if p.current else "#52606d",
            fontweight="bold" if p.current else "normal",
        )
    ax.set_xlabel("audience (participants)")
    ax.set_ylabel("interactions per participant")
    _style(ax)
    fig.tight_layout()
    return fig


def cloud_words(weighted: Sequence[tuple[str, float]]) -> list[tuple[str, float, str]]:
    """A word cloud's words in order, each with its size (em) and colour: stronger, bigger."""
    if not weighted:
        return []
    top = max(w for _, w in weighted)
    low = min(w for _, w in weighted)
    spread = max(top - low, 1e-9)
    out = []
    for phrase, weight in sorted(weighted, key=lambda pw: pw[0]):
        share = (weight - low) / spread
        colour = ACCENT if share > 0.5 else (SOFT if share > 0.2 else "#52606d")
        out.append((phrase, round(0.9 + 1.6 * share, 2), colour))
    return out
