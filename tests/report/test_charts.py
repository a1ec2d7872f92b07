"""The report's charts: legible names that never overlap, colours by community, sizes."""

from __future__ import annotations

import itertools
import random

from facilitation.report.charts import (
    COMMUNITY_COLOURS,
    MatrixPoint,
    matrix_figure,
    network_figure,
    svg_text,
)

NAMES = (
    "Maya Grace Sam Ben Amara Jun Pat Priya Tomasz Dev Lena Harriet Fatima Omar Sofia Kate "
    "Riverside-Events Alex George Marcus Inês Niamh Ruth Kwame Lucy Mei Jo Bea Chen Rhys Ade Dan"
).split()


def _ties(seed: int = 3) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    pairs = {tuple(sorted(rng.sample(NAMES, 2))) for _ in range(70)}
    return [(a, b, rng.randint(1, 5)) for a, b in sorted(pairs)]


def test_network_names_do_not_overlap_and_stay_legible() -> None:
    communities = {n: c for n, c in zip(NAMES, itertools.cycle(COMMUNITY_COLOURS)) if len(n) % 3}
    fig = network_figure(_ties(), {n: 5 for n in NAMES}, communities, {"Pat", "Jun", "Sam"})
    assert fig is not None
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text() in NAMES]
    assert len(labels) == len(NAMES)
    boxes = [t.get_window_extent(renderer).shrunk(0.95, 0.9) for t in labels]
    overlapping = [
        (labels[i].get_text(), labels[j].get_text())
        for i, j in itertools.combinations(range(len(boxes)), 2)
        if boxes[i].overlaps(boxes[j])
    ]
    assert not overlapping, overlapping
    assert min(t.get_fontsize() for t in labels) >= 11  # 11 pt shown >= 440 px wide: ~10 px


def test_network_is_coloured_by_community_with_a_legend() -> None:
    fig = network_figure([("Ann", "Bob", 2)], {"Ann": 3}, {"Ann": "policy"}, set())
    assert fig is not None
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["policy", "didn't say"]
    svg = svg_text(fig)
    assert COMMUNITY_COLOURS["policy"].lower() in svg.lower() and "<svg" in svg


def test_matrix_numbers_the_events_and_names_a_single_one() -> None:
    many = matrix_figure(
        [MatrixPoint("Cold homes", 4, 2.5), MatrixPoint("Heat", 27, 9.4, current=True)], 20, 3
    )
    notes = [t.get_text() for t in many.axes[0].texts]
    assert "1" in notes and "2" in notes and "Heat" not in notes
    one = matrix_figure([MatrixPoint("Heat, homes and health", 27, 9.4, True)], 20, 3)
    assert "Heat, homes and health" in [t.get_text() for t in one.axes[0].texts]
