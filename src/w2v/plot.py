"""Pictures written straight to PNG files (matplotlib's Agg canvas: no window, no global backend)."""

from __future__ import annotations

import os
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .io import atomic_write


def save_figure(figure: Figure, path: str | os.PathLike) -> None:
    """Render ``figure`` to ``path`` as PNG, atomically."""
    FigureCanvasAgg(figure)
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=120, bbox_inches="tight")


def save_loss_curve(log: dict[str, Any], path: str | os.PathLike, title: str = "training loss") -> None:
    """Plot a training log's loss curve (``log["loss_curve"]``: [units done, mean loss] pairs)."""
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    curve = log.get("loss_curve") or []
    axes.plot([x for x, _ in curve], [y for _, y in curve], linewidth=1)
    axes.set_xlabel(f"{log.get('unit', 'step')}s")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    save_figure(figure, path)
