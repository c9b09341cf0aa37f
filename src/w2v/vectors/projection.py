"""Word vectors on a plane: the two principal axes of the vocabulary, fitted on a sample and applied to any rows.

The explorer's maps (``w2v serve``) are computed here, on the server: a word's neighbourhood
is projected on its own principal axes (PCA of those few rows); the whole vocabulary on the
vocabulary's axes, fitted once on a sample of rows and applied a block at a time, so that a
3-million-word map costs one pass over the vectors and its density grid covers every word
(TensorBoard's projector stops at 100,000 points).
"""

from __future__ import annotations

import numpy as np

from .scoring import NORM_BLOCK

SAMPLE = 50_000  # rows the vocabulary's axes are fitted on


def principal_axes(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean (D,), axes (2, D)) of the rows (N, D): their mean and the top two right singular vectors of the
    centred rows (an axis is zero where the rows span less than two dimensions)."""
    rows = np.asarray(rows, dtype=np.float64)
    mean = rows.mean(axis=0)
    _, _, vt = np.linalg.svd(rows - mean, full_matrices=False)
    axes = np.zeros((2, rows.shape[1]))
    axes[: min(2, len(vt))] = vt[:2]
    return mean, axes


def project(rows: np.ndarray, mean: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """(N, 2) float32 coordinates of the rows (N, D) on ``axes``, a block of rows at a time."""
    out = np.empty((len(rows), 2), dtype=np.float32)
    for start in range(0, len(rows), NORM_BLOCK):
        block = np.asarray(rows[start : start + NORM_BLOCK], dtype=np.float64)
        out[start : start + NORM_BLOCK] = (block - mean) @ axes.T
    return out


class VocabularyMap:
    """The whole vocabulary projected once on its principal axes.

    Parameters
    ----------
    vectors : (V, D) float32
    seed : int
        Which rows the axes are fitted on (when V exceeds ``SAMPLE``).

    Attributes
    ----------
    points : (V, 2) float32
        Every word's coordinates, in row order (most frequent first in a trained model).
    """

    def __init__(self, vectors: np.ndarray, seed: int = 0):
        size = len(vectors)
        sample = np.sort(np.random.default_rng(seed).choice(size, SAMPLE, replace=False)) if size > SAMPLE \
            else np.arange(size)
        self.mean, self.axes = principal_axes(vectors[sample])
        self.points = project(vectors, self.mean, self.axes)

    def density(self, bins: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """(bins, bins) int64 counts of all V words on a grid (row y, column x) and its (x0, x1, y0, y1)."""
        x, y = self.points[:, 0], self.points[:, 1]
        extent = (float(x.min()), float(x.max()), float(y.min()), float(y.max()))
        counts, _, _ = np.histogram2d(y, x, bins=bins, range=[extent[2:], extent[:2]])
        return counts.astype(np.int64), extent
