"""Figures for the HTML report, as inline SVG: activity, participants, network, word cloud.

Matplotlib runs headless (Agg) and writes SVG text, so the page needs no files
beside it and prints sharply. The word cloud is plain HTML sized by weight.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from facilitation.report.analysis import Timeline

__all__ = ["activity_svg", "network_svg", "tag_cloud"]

INK, ACCENT, SOFT, MUTED = "#1f2933", "#2f6f73", "#e07a5f", "#9aa5b1"
_ROLE_COLOURS = {"panellist": SOFT, "moderator": "#81b29a", "organiser": "#f2cc8f"}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", transparent=True)
    plt.close(fig)
    text = buf.getvalue()
    # Keep only the <svg> element, scaled by the page; drop the XML prolog.
    text = text[text.index("<svg") :]
    return re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", text, count=2)


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=9)
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def activity_svg(tl: Timeline) -> str:
    """Messages per time bin (bars) with people posting (line), and people seen so far."""
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: selectable, small
    plt.rcParams["font.family"] = "sans-serif"
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 4.8), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    x = [t.strftime("%H:%M") for t in tl.starts]
    pos = list(range(len(x)))
    top.bar(pos, tl.messages, color=ACCENT, width=0.8, label="messages")
    top.plot(pos, tl.people, color=SOFT, marker="o", markersize=3, linewidth=2, label="people")
    top.set_ylabel(f"per {tl.minutes} min", color=INK, fontsize=9)
    top.legend(frameon=False, fontsize=9, loc="upper right")
    _style(top)
    bottom.fill_between(pos, tl.cumulative, color=SOFT, alpha=0.25, step="mid")
    bottom.plot(pos, tl.cumulative, color=SOFT, linewidth=2, drawstyle="steps-mid")
    bottom.set_ylabel("people so far", color=INK, fontsize=9)
    _style(bottom)
    step = max(1, len(pos) // 10)
    bottom.set_xticks(pos[::step], x[::step])
    fig.tight_layout()
    return _svg(fig)


def network_svg(
    ties: Sequence[tuple[str, str, int]],
    speakers: dict[str, int],
    roles: dict[str, str],
    max_people: int = 40,
) -> str:
    """Who talked with whom: people sized by messages, lines by replies and mentions."""
    graph = nx.Graph()
    for a, b, n in ties:
        graph.add_edge(a, b, weight=n)
    if graph.number_of_nodes() == 0:
        return ""
    if graph.number_of_nodes() > max_people:
        keep = sorted(graph.degree(weight="weight"), key=lambda d: -d[1])[:max_people]
        graph = graph.subgraph([n for n, _ in keep]).copy()
    layout = nx.spring_layout(graph, seed=7, k=1.6 / math.sqrt(graph.number_of_nodes()))
    fig, ax = plt.subplots(figsize=(9, 6.5))
    weights = [graph[u][v]["weight"] for u, v in graph.edges]
    top = max(weights) if weights else 1
    nx.draw_networkx_edges(
        graph,
        layout,
        ax=ax,
        width=[0.6 + 3.5 * w / top for w in weights],
        edge_color=MUTED,
        alpha=0.6,
    )
    sizes = [120 + 40 * math.sqrt(speakers.get(n, 1)) * 6 for n in graph.nodes]
    colours = [_ROLE_COLOURS.get(roles.get(n, ""), ACCENT) for n in graph.nodes]
    nx.draw_networkx_nodes(
        graph, layout, ax=ax, node_size=sizes, node_color=colours, edgecolors="white"
    )
    # Names sit just below their circle, dark on the light page, readable in print.
    below = {n: (x, y - 0.07) for n, (x, y) in layout.items()}
    nx.draw_networkx_labels(graph, below, ax=ax, font_size=9, font_color=INK)
    shown = {roles.get(n, "participant") for n in graph.nodes}
    for role in ("participant", "panellist", "moderator", "organiser"):
        if role in shown:
            colour = _ROLE_COLOURS.get(role, ACCENT)
            ax.scatter([], [], s=80, color=colour, label=role)
    ax.legend(frameon=False, fontsize=9, loc="lower left")
    ax.set_axis_off()
    fig.tight_layout()
    return _svg(fig)


def tag_cloud(weighted: Sequence[tuple[str, float]]) -> str:
    """An HTML tag cloud: bigger, darker words for the stronger themes (escaped)."""
    if not weighted:
        return ""
    top = max(w for _, w in weighted)
    low = min(w for _, w in weighted)
    spread = max(top - low, 1e-9)
    # Interleave strong and weak words so the cloud looks balanced, not sorted.
    ordered = sorted(weighted, key=lambda pw: pw[0])
    words = []
    for phrase, weight in ordered:
        share = (weight - low) / spread
        size = 0.9 + 1.8 * share
        colour = ACCENT if share > 0.5 else (SOFT if share > 0.2 else "#52606d")
        words.append(
            f'<span class="tag" style="font-size:{size:.2f}em;color:{colour}">'
            f"{html.escape(phrase)}</span>"
        )
    return '<div class="cloud">' + " ".join(words) + "</div>"
