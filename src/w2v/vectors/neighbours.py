"""Approximate nearest neighbours: a graph built once over the vectors, walked by every query.

The graph is pynndescent's (Dong et al.'s NN-descent, compiled with Numba like w2v; the
``ann`` extra) K nearest neighbours by cosine, made undirected; a few random-projection trees
say where in the graph a query starts; the walk is w2v's own
(:mod:`w2v.vectors._graph_search`), so querying needs nothing beyond w2v's core. An index is
saved next to its vectors file (:func:`w2v.io.neighbour_graph.index_path`) and mapped
read-only, so processes that serve one model share it as they share its vectors.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import numpy as np

from ..errors import ModelFileError, W2VError, check_integer
from ..io.neighbour_graph import load_neighbour_graph, save_neighbour_graph
from ._graph_search import search, undirected

NEIGHBOURS = 30  # pynndescent's default K
DEGREE = 48  # edges kept per row once the graph is undirected
ENTRIES = 256  # rows every search scores first
TREES = 2  # random-projection trees (each adds its leaf's rows to a search's start)
LEAF = 64  # rows per leaf at most
EF = 128  # the rows a search keeps in its beam (more: higher recall, slower)
_FINGERPRINT_ROWS = 4096


def fingerprint(vectors: np.ndarray) -> str:
    """A SHA-256 over the shape and a fixed sample of rows of ``vectors`` (V, D): cheap for 3 M rows, and it
    changes when the vectors are retrained or edited (anywhere in the sample)."""
    rows = np.unique(np.linspace(0, len(vectors) - 1, min(len(vectors), _FINGERPRINT_ROWS)).astype(np.int64))
    digest = hashlib.sha256(np.array(vectors.shape, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(vectors[rows], dtype="<f4").tobytes())
    return digest.hexdigest()


def projection_trees(vectors: np.ndarray, norms: np.ndarray, trees: int, leaf: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``trees`` complete binary trees that split the unit rows at the median of their projection on the difference
    of two of them, down to leaves of at most ``leaf`` rows.

    Returns
    -------
    planes : (T, N, D) float32, thresholds : (T, N) float32
        Node n (heap order: children 2n + 1 and 2n + 2) sends a unit vector x right if
        ``planes[t, n] @ x > thresholds[t, n]``; N = 2**depth - 1.
    order : (T, V) int32, bounds : (T, N + 2) int64
        Leaf i of tree t holds the rows ``order[t, bounds[t, i]:bounds[t, i + 1]]``.
    """
    size, dim = vectors.shape
    depth = max(0, int(np.ceil(np.log2(max(size, 1) / leaf))))
    inner = 2**depth - 1
    rng = np.random.default_rng(seed)
    planes = np.zeros((trees, inner, dim), dtype=np.float32)
    thresholds = np.zeros((trees, inner), dtype=np.float32)
    order = np.empty((trees, size), dtype=np.int32)
    bounds = np.empty((trees, inner + 2), dtype=np.int64)
    safe = np.where(norms > 0, norms, np.float32(1))
    for t in range(trees):
        order[t] = np.arange(size, dtype=np.int32)
        segments = [(0, size)]
        for node in range(inner):
            lo, hi = segments[node]
            rows = order[t, lo:hi]
            half = (hi - lo) // 2
            if hi - lo >= 2:
                a, b = rng.choice(rows, 2, replace=False)
                plane = vectors[a] / safe[a] - vectors[b] / safe[b]
                projections = np.concatenate([vectors[block] @ plane / safe[block]
                                              for block in np.array_split(rows, max(1, (hi - lo) >> 16))])
                split = np.argpartition(projections, half)
                order[t, lo:hi] = rows[split]
                planes[t, node] = plane
                thresholds[t, node] = (projections[split[:half]].max() + projections[split[half]]) / 2
            else:
                half = hi - lo  # too few rows to split: all go left, where queries go (a zero plane)
            segments += [(lo, lo + half), (lo + half, hi)]
        leaves = segments[inner:]
        bounds[t] = [start for start, _ in leaves] + [size]
    return planes, thresholds, order, bounds


class NeighbourIndex:
    """A neighbour graph over V vectors and the rows its searches start from.

    Parameters
    ----------
    graph : (V, K) int32
        Each row's neighbours, -1 padding (mapped read-only when loaded).
    entries : (E,) int64
    trees : dict
        ``planes``, ``thresholds``, ``order`` and ``bounds`` of :func:`projection_trees`.
    info : dict
        ``words`` V, ``dimensions`` D and ``fingerprint`` of the vectors it was built for, and how.
    """

    def __init__(self, graph: np.ndarray, entries: np.ndarray, trees: dict[str, np.ndarray], info: dict[str, Any]):
        self.graph = graph
        self.entries = entries
        self.trees = trees
        self.info = info

    @property
    def nbytes(self) -> int:
        return self.graph.nbytes + self.entries.nbytes + sum(array.nbytes for array in self.trees.values())

    @classmethod
    def build(cls, vectors: np.ndarray, norms: np.ndarray, *, neighbours: int = NEIGHBOURS, degree: int = DEGREE,
              entries: int = ENTRIES, trees: int = TREES, leaf: int = LEAF, seed: int = 0) -> "NeighbourIndex":
        """Build the index of ``vectors`` (V, D) float32 with lengths ``norms`` (pynndescent: ``pip install
        'w2v[ann]'``)."""
        for name, value in (("neighbours", neighbours), ("degree", degree), ("entries", entries), ("trees", trees),
                            ("leaf", leaf)):
            check_integer(name, value, low=2 if name == "neighbours" else 1)
        try:
            from pynndescent import NNDescent
        except ImportError:
            raise W2VError("building an approximate-neighbour index needs pynndescent: pip install 'w2v[ann]'") \
                from None
        size = len(vectors)
        if size < 2:
            raise W2VError(f"an approximate-neighbour index needs at least 2 words, not {size}")
        k = min(neighbours, size - 1) + 1  # pynndescent counts each row as its own first neighbour
        rows, _ = NNDescent(vectors, metric="cosine", n_neighbors=k, random_state=seed, low_memory=True,
                            compressed=True).neighbor_graph
        graph = undirected(np.ascontiguousarray(rows, dtype=np.int32), degree)
        start = np.sort(np.random.default_rng(seed).choice(size, min(entries, size), replace=False))
        planes, thresholds, order, bounds = projection_trees(vectors, norms, trees, leaf, seed)
        info = {"words": size, "dimensions": int(vectors.shape[1]), "fingerprint": fingerprint(vectors),
                "neighbours": neighbours, "degree": degree, "trees": trees, "leaf": leaf, "seed": seed}
        return cls(graph, start.astype(np.int64),
                   {"planes": planes, "thresholds": thresholds, "order": order, "bounds": bounds}, info)

    def save(self, path: str | os.PathLike) -> None:
        save_neighbour_graph(path, self.graph, self.entries, self.trees, self.info)

    @classmethod
    def load(cls, path: str | os.PathLike, vectors: np.ndarray, *, mmap: bool = True) -> "NeighbourIndex":
        """The index saved at ``path``; ModelFileError if it was built for other vectors than ``vectors``."""
        info, graph, entries, trees = load_neighbour_graph(path, mmap=mmap)
        if (info["words"], info["dimensions"]) != vectors.shape or info["fingerprint"] != fingerprint(vectors):
            raise ModelFileError(f"{path}: this index was built for other vectors ({info['words']} x "
                                 f"{info['dimensions']}); build it again for these (w2v index MODEL)")
        return cls(graph, entries, trees, info)

    def search(self, vectors: np.ndarray, norms: np.ndarray, queries: np.ndarray, k: int,
               ef: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` rows nearest (cosine) each unit query found by the walk.

        Parameters
        ----------
        vectors : (V, D) float32, norms : (V,) float32
            The vectors the index was built for.
        queries : (Q, D) float32, unit length
        k : int
        ef : int, optional
            The beam (default ``EF``, at least ``k``).

        Returns
        -------
        rows : (Q, k) int64, -1 where fewer were found
        scores : (Q, k) float32 cosines, best first
        """
        ef = max(k, EF if ef is None else ef)
        trees = self.trees
        return search(vectors, norms, self.graph, self.entries, trees["planes"], trees["thresholds"], trees["order"],
                      trees["bounds"], np.ascontiguousarray(queries, dtype=np.float32), ef, k)
