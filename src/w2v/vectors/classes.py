"""Word classes: k-means on the unit vectors (word2vec.c's ``-classes K``), written as it writes them.

:func:`kmeans` is Lloyd's algorithm seeded by k-means++ (Arthur & Vassilvitskii 2007), in
NumPy matrix products (BLAS) over blocks of rows, so memory stays at a few blocks of scores
whatever the vocabulary. It minimises the squared Euclidean distance of each unit vector to
its class's centroid, the objective (``inertia``) scikit-learn's ``KMeans`` reports.

word2vec.c's own k-means differs in three ways: it starts from classes dealt round-robin
(word ``i`` in class ``i mod K``), it normalises each centroid and assigns a word to the
centroid of highest cosine ("spherical" k-means), and it stops after 10 iterations.

The file has one ``word class`` line per word, in vocabulary order (most frequent first), as
word2vec.c writes it; classes are numbered from 0 in order of their most frequent word.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import ConfigError, check_integer
from ..io.files import atomic_write
from .scoring import unit_rows
from .word_vectors import WordVectors

MAX_ITER = 100
MAX_SCORES = 1 << 24  # float32 point-centroid scores held at once (64 MiB)


@dataclass(frozen=True)
class KMeansResult:
    """What :func:`kmeans` found.

    Attributes
    ----------
    labels : (N,) int32
        The class of each point, ``0 .. k-1``.
    centroids : (k, D) float32
        The mean of each class's points.
    inertia : float
        Sum of the squared distances of the points to their centroids.
    iterations : int
        Assignment steps run.
    converged : bool
        Whether the last step changed no point's class (else ``max_iter`` ran out first).
    """

    labels: np.ndarray
    centroids: np.ndarray
    inertia: float
    iterations: int
    converged: bool


def kmeans(points: np.ndarray, k: int, *, seed: int = 0, max_iter: int = MAX_ITER) -> KMeansResult:
    """Cluster ``points`` into ``k`` classes (Lloyd's algorithm from a k-means++ start).

    Parameters
    ----------
    points : (N, D) array_like of float, finite
    k : int
        Classes, ``1 <= k <= N``.
    seed : int
        Seeds the k-means++ draws: the same seed gives the same classes.
    max_iter : int
        Assignment steps at most; it stops earlier once no point changes class.

    A class left empty by an assignment (points that repeat exactly can leave one so) takes
    the point farthest from its centroid, as scikit-learn does.
    """
    x = np.ascontiguousarray(points, dtype=np.float32)  # (N, D)
    if x.ndim != 2 or not np.isfinite(x).all():
        raise ValueError(f"points must be a finite (N, D) array, not of shape {x.shape}")
    check_integer("k", k, 1, len(x), why="the number of points")
    check_integer("max_iter", max_iter)
    squared = np.einsum("ij,ij->i", x, x, dtype=np.float64)  # (N,) |x|^2
    centroids = _kmeans_plus_plus(x, squared, int(k), np.random.default_rng(seed))
    labels = np.full(len(x), -1, dtype=np.int32)
    stable, iterations = False, 0
    while iterations < max_iter:
        iterations += 1
        new_labels, distances = _assign(x, squared, centroids)
        stable = np.array_equal(new_labels, labels)
        labels = new_labels
        if stable:
            break
        centroids = _means(x, labels, distances, int(k))
    if not stable:  # the centroids moved after the last assignment
        labels, distances = _assign(x, squared, centroids)
    return KMeansResult(labels, centroids, float(distances.sum()), iterations, stable)


def _kmeans_plus_plus(x: np.ndarray, squared: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k starting centroids: the first uniformly, each next with probability proportional to its squared
    distance from the nearest one chosen (uniformly again once every point coincides with one)."""
    chosen = np.empty(k, dtype=np.int64)
    chosen[0] = rng.integers(len(x))
    nearest = np.full(len(x), np.inf)
    for i in range(1, k):
        c = x[chosen[i - 1]]
        np.minimum(nearest, np.maximum(squared + float(c @ c) - 2.0 * (x @ c), 0.0), out=nearest)
        total = nearest.sum()
        chosen[i] = rng.choice(len(x), p=nearest / total) if total > 0 else rng.integers(len(x))
    return x[chosen].copy()


def _assign(x: np.ndarray, squared: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearest centroid of each point, (N,) int32, and the squared distance to it, (N,) float64."""
    centre_squared = np.einsum("ij,ij->i", centroids, centroids)  # (k,)
    labels = np.empty(len(x), dtype=np.int32)
    distances = np.empty(len(x), dtype=np.float64)
    rows = max(1, MAX_SCORES // max(len(centroids), 1))
    for start in range(0, len(x), rows):
        block = x[start:start + rows]
        scores = block @ centroids.T  # (B, k)
        scores *= -2.0
        scores += centre_squared  # |c|^2 - 2 x.c: |x - c|^2 less |x|^2, which does not change the ranking
        best = scores.argmin(axis=1)
        labels[start:start + rows] = best
        distances[start:start + rows] = np.maximum(squared[start:start + rows]
                                                   + scores[np.arange(len(block)), best], 0.0)
    return labels, distances


def _means(x: np.ndarray, labels: np.ndarray, distances: np.ndarray, k: int) -> np.ndarray:
    """(k, D) float32 mean of each class; an empty class takes the farthest point not yet taken."""
    from scipy import sparse  # imported when used: every command imports this module for its defaults

    members = sparse.csr_matrix((np.ones(len(x), dtype=np.float32), (labels, np.arange(len(x)))), shape=(k, len(x)))
    sums = np.asarray(members @ x, dtype=np.float32)  # (k, D)
    counts = np.bincount(labels, minlength=k)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        farthest = np.argsort(-distances, kind="stable")[: empty.size]
        sums[empty] = x[farthest]
        counts[empty] = 1
    return sums / counts[:, None].astype(np.float32)


def word_classes(vectors: WordVectors, classes: int, *, seed: int = 0, max_iter: int = MAX_ITER,
                 limit: int | None = None) -> tuple[list[str], np.ndarray, KMeansResult]:
    """Classes of the words of ``vectors``: k-means on their unit vectors.

    Parameters
    ----------
    vectors : WordVectors
    classes : int
        K, at most the number of words classified.
    seed, max_iter
        As in :func:`kmeans`.
    limit : int, optional
        Classify only the first ``limit`` words (the most frequent, in a trained model).

    Returns
    -------
    words : list of str, length N
    labels : (N,) int32
        Class ids numbered in order of each class's first word.
    result : KMeansResult
    """
    n = len(vectors) if limit is None else min(int(limit), len(vectors))
    check_integer("classes", classes, 1, n, why="the words classified", error=ConfigError)
    unit = unit_rows(vectors.vectors, vectors.norms, np.arange(n))  # (n, D): the rows classified, once
    result = kmeans(unit, int(classes), seed=seed, max_iter=max_iter)
    return vectors.index_to_key[:n], _by_first_member(result.labels, int(classes)), result


def _by_first_member(labels: np.ndarray, k: int) -> np.ndarray:
    """``labels`` renumbered so that classes count up in order of their first point."""
    first = np.full(k, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    rank = np.empty(k, dtype=np.int32)
    rank[np.argsort(first, kind="stable")] = np.arange(k, dtype=np.int32)
    return rank[labels]


def write_classes(path: str | os.PathLike, words: Sequence[str], labels: np.ndarray) -> None:
    """Write ``word class`` lines (word2vec.c's ``-classes`` output), atomically."""
    with atomic_write(path) as handle:
        handle.write("".join(f"{word} {label}\n" for word, label in zip(words, labels.tolist())).encode("utf-8"))
