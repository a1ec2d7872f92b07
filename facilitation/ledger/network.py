"""Ties: who replied to or mentioned whom, and the network graph of an event."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import networkx as nx

from facilitation.ledger.data import EventData
from facilitation.ledger.store import PersonKey

__all__ = ["Edge", "Pair", "build_graph", "directed_edges", "pair", "tie_pairs"]

Pair = tuple[PersonKey, PersonKey]
"""An undirected tie: the two people, in sorted order."""


def pair(a: PersonKey, b: PersonKey) -> Pair:
    return (a, b) if a <= b else (b, a)


@dataclass(slots=True)
class Edge:
    """Directed interactions from ``source`` to ``target`` in one event."""

    source: PersonKey
    target: PersonKey
    replies: int = 0
    mentions: int = 0
    first_ts: datetime | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return self.replies + self.mentions


def directed_edges(data: EventData) -> dict[tuple[PersonKey, PersonKey], Edge]:
    """Every reply and mention between two different people, grouped by direction."""
    edges: dict[tuple[PersonKey, PersonKey], Edge] = {}

    def touch(src: PersonKey, dst: PersonKey, ts: datetime, mid: str) -> Edge:
        edge = edges.setdefault((src, dst), Edge(src, dst))
        if edge.first_ts is None or ts < edge.first_ts:
            edge.first_ts = ts
        if mid not in edge.messages:
            edge.messages.append(mid)
        return edge

    for m in sorted(data.messages, key=lambda m: m.seq):
        if m.reply_to_author is not None and m.reply_to_author != m.author:
            touch(m.author, m.reply_to_author, m.ts, m.message_id).replies += 1
        for who in m.mentions:
            if who != m.author:
                touch(m.author, who, m.ts, m.message_id).mentions += 1
    return edges


def tie_pairs(data: EventData) -> set[Pair]:
    return {pair(s, t) for s, t in directed_edges(data)}


def build_graph(
    data: EventData,
    edges: Iterable[Edge],
    *,
    ident: Callable[[PersonKey], str],
    name: Callable[[PersonKey], str],
    new_pairs: set[Pair],
    stats: dict[PersonKey, dict[str, int]],
) -> nx.DiGraph:
    """The event's network for Gephi and NetworkX: people as nodes, ties as edges.

    Node and edge attributes are plain strings and integers, so both GraphML
    and GEXF keep their types.
    """
    graph = nx.DiGraph(name=data.session.slug)
    for who in sorted(data.known()):
        node_stats = stats.get(who, {})
        graph.add_node(
            ident(who),
            label=name(who),
            platform=who[0],
            role=data.roles.get(who, "participant"),
            community=data.labels.get(who, ""),
            messages=int(node_stats.get("messages", 0)),
            replies_sent=int(node_stats.get("replies_sent", 0)),
            replies_received=int(node_stats.get("replies_received", 0)),
        )
    for e in edges:
        a, b = data.labels.get(e.source), data.labels.get(e.target)
        graph.add_edge(
            ident(e.source),
            ident(e.target),
            weight=e.weight,
            replies=e.replies,
            mentions=e.mentions,
            new_tie=pair(e.source, e.target) in new_pairs,
            cross_community=bool(a and b and a != b),
        )
    return graph
