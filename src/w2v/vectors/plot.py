"""Pictures written straight to PNG files (matplotlib's Agg canvas: no window, no global backend)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..io.files import atomic_write
from .scoring import unit_rows

if TYPE_CHECKING:
    from ..record import TrainingLog
    from .evaluate import AnalogyResult
    from .word_vectors import WordVectors

_BLUE = "#1f77b4"
_ORANGE = "#ff7f0e"
_PALE_BLUE = "#8fb8de"


def save_figure(figure: Figure, path: str | os.PathLike) -> None:
    """Render ``figure`` to ``path`` as PNG, atomically."""
    FigureCanvasAgg(figure)
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=120, bbox_inches="tight")


_SCORE_LABELS = {"analogies": "analogy accuracy", "similarity": "similarity (Spearman)"}


def save_loss_curve(log: TrainingLog, path: str | os.PathLike, title: str = "training loss") -> None:
    """Plot a training log's loss curve (``log.loss_curve``: [units done, mean loss] pairs).

    The scores of ``log.evaluations`` (one per evaluated epoch) go on a second axis, on the right.
    """
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    curve = log.loss_curve
    lines = axes.plot([x for x, _ in curve], [y for _, y in curve], linewidth=1, color=_BLUE, label="loss")
    axes.set_xlabel(f"{log.unit}s")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    names = [name for name in _SCORE_LABELS if any(e.get(name) is not None for e in log.evaluations)]
    if names:
        scores = axes.twinx()
        for name, color in zip(names, (_ORANGE, "#2ca02c")):
            points = [(e["units"], e[name]) for e in log.evaluations if e.get(name) is not None]
            lines += scores.plot([x for x, _ in points], [y for _, y in points], marker="o", linewidth=1,
                                 color=color, label=_SCORE_LABELS[name])
        scores.set_ylabel(" / ".join(_SCORE_LABELS[name] for name in names))
        axes.legend(handles=lines, loc="center right", fontsize=8)
    save_figure(figure, path)


def save_section_chart(result: AnalogyResult, path: str | os.PathLike) -> None:
    """Bar chart of an analogy result's accuracy per section (semantic and syntactic apart)."""
    sections = result.sections
    figure = Figure(figsize=(7, 1.5 + 0.32 * len(sections)))
    axes = figure.add_subplot()
    y = np.arange(len(sections))
    accuracy = [100 * (s.accuracy or 0.0) for s in sections]
    axes.barh(y, accuracy, color=[_ORANGE if s.syntactic else _BLUE for s in sections])
    for row, (section, value) in enumerate(zip(sections, accuracy)):
        label = f"{value:.1f} % of {section.total:,}" if section.total else "none answered"
        axes.text(min(value, 100) + 1, row, label, va="center", fontsize=8)
    axes.set_yticks(y, labels=[s.section for s in sections], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 118)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("accuracy (%)")
    total = f"{100 * result.accuracy:.1f} %" if result.accuracy is not None else "n/a"
    axes.set_title(f"{Path(result.file).name}, {result.method}: {total} of {result.total:,} answered", fontsize=10)
    axes.legend(handles=[Patch(color=_BLUE, label="semantic"), Patch(color=_ORANGE, label="syntactic")],
                loc="lower right", fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    save_figure(figure, path)


def pca_2d(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project points on their first two principal components (an SVD of the centred points).

    Parameters
    ----------
    points : (N, D) array_like

    Returns
    -------
    coords : (N, 2) float64
        Each component's sign is fixed (its largest loading positive), so a picture is
        the same from run to run.
    explained : (2,) float64
        Fraction of the variance along each component (0 where there is none).
    """
    centred = np.asarray(points, dtype=np.float64)
    centred = centred - centred.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:2]
    largest = components[np.arange(len(components)), np.abs(components).argmax(axis=1)]
    components *= np.where(largest < 0, -1, 1)[:, None]
    coords = np.zeros((len(centred), 2))
    coords[:, : len(components)] = centred @ components.T
    variance = singular**2
    explained = np.zeros(2)
    if variance.sum() > 0:
        explained[: len(components)] = variance[:2] / variance.sum()
    return coords, explained


def save_word_plot(
    vectors: WordVectors, words: Sequence[str], path: str | os.PathLike, *, neighbors: int = 0
) -> list[str]:
    """Draw ``words`` and each one's ``neighbors`` nearest words on a labelled 2-D PCA map.

    The projection is of the unit vectors (cosine geometry). Query words are dark, their
    neighbours light. Raises :class:`~w2v.errors.UnknownWordError` for an unknown word.
    Returns the neighbours drawn.
    """
    queries = list(dict.fromkeys(words))
    rows = [vectors.index(word) for word in queries]
    nearby = [w for q in queries for w, _ in (vectors.most_similar(q, topn=neighbors) if neighbors else [])]
    extra = [w for w in dict.fromkeys(nearby) if w not in set(queries)]
    shown = np.array(rows + [vectors.index(w) for w in extra], dtype=np.int64)
    coords, explained = pca_2d(unit_rows(vectors.vectors, vectors.norms, shown))  # only the rows drawn
    figure = Figure(figsize=(7, 6))
    axes = figure.add_subplot()
    drawn = ((extra, coords[len(queries):], _PALE_BLUE, 8), (queries, coords[: len(queries)], _BLUE, 10))
    for group, points, color, fontsize in drawn:  # query words last, on top
        axes.scatter(points[:, 0], points[:, 1], s=4 * fontsize, color=color)
        for word, (x, y) in zip(group, points):
            axes.annotate(word, (x, y), xytext=(4, 3), textcoords="offset points", color=color, fontsize=fontsize)
    axes.set_xlabel(f"PC1 ({100 * explained[0]:.0f} % of variance)")
    axes.set_ylabel(f"PC2 ({100 * explained[1]:.0f} % of variance)")
    axes.set_title(f"{len(queries)} words" + (f" and {len(extra)} neighbours" if extra else "") + " (PCA)")
    axes.grid(alpha=0.3)
    save_figure(figure, path)
    return extra
