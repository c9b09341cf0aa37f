"""The file of an approximate-neighbour index: a neighbour graph saved next to its vectors file.

An ``.npz`` (written by :func:`w2v.io.npz.write_archive`, read without pickles) holding
``graph`` (V, K) int32, each row's neighbours (-1 pads), ``entries`` (E,) int64, the rows a
search starts from, T random-projection trees (``planes`` (T, N, D) float32, ``thresholds``
(T, N) float32, ``order`` (T, V) int32, ``bounds`` (T, N + 2) int64: leaf i holds
``order[t, bounds[t, i]:bounds[t, i + 1]]``), and a JSON document naming the vectors it was built for (V, D and a
fingerprint of their values), so an index left beside vectors that changed is refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .npz import VERSION, read_archive, write_archive

FORMAT = "w2v.neighbour-index"
SUFFIX = ".ann"  # vectors.npz -> vectors.npz.ann


def index_path(vectors_path: str | os.PathLike) -> Path:
    """Where the index of the vectors file ``vectors_path`` lives: beside it, its name plus ``.ann``."""
    path = Path(vectors_path)
    return path.with_name(path.name + SUFFIX)


_TREE_DTYPES = {"planes": np.float32, "thresholds": np.float32, "order": np.int32, "bounds": np.int64}


def save_neighbour_graph(path: str | os.PathLike, graph: np.ndarray, entries: np.ndarray,
                         trees: dict[str, np.ndarray], info: dict[str, Any]) -> None:
    """Write ``graph`` (V, K) int32, ``entries`` (E,) int64, the ``trees``' arrays and ``info`` (JSON) atomically."""
    write_archive(path, {"format": FORMAT, "version": VERSION, **info},
                  {"graph": np.ascontiguousarray(graph, dtype=np.int32),
                   "entries": np.ascontiguousarray(entries, dtype=np.int64),
                   **{name: np.ascontiguousarray(trees[name], dtype=dtype) for name, dtype in _TREE_DTYPES.items()}})


def load_neighbour_graph(path: str | os.PathLike, *, mmap: bool = True
                         ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(info, graph, entries, trees) of an index file, the graph and trees mapped read-only if ``mmap``.

    ModelFileError unless the graph is (V, K) int32 holding rows ``-1 .. V-1``, the entries and
    leaves hold rows, and the trees' shapes agree: a compiled search reads where they point, so
    every value is checked.
    """
    mapped = ("graph", "planes", "order") if mmap else ()
    info, arrays = read_archive(path, "neighbour index", FORMAT, mmap=mapped)
    graph, entries = arrays.get("graph"), arrays.get("entries")
    size = info.get("words")
    if not isinstance(size, int) or not isinstance(info.get("dimensions"), int) \
            or not isinstance(info.get("fingerprint"), str):
        raise ModelFileError(f"{path}: its metadata is malformed")
    if not isinstance(graph, np.ndarray) or graph.dtype != np.int32 or graph.ndim != 2 or len(graph) != size \
            or not isinstance(entries, np.ndarray) or entries.dtype != np.int64 or entries.ndim != 1:
        raise ModelFileError(f"{path}: its graph or entries are not the arrays a neighbour index holds")
    if graph.size and (graph.min() < -1 or graph.max() >= size) or entries.size and (
            entries.min() < 0 or entries.max() >= size) or size and not entries.size:
        raise ModelFileError(f"{path}: its graph points outside its {size} rows")
    trees = {name: arrays.get(name) for name in _TREE_DTYPES}
    if not all(isinstance(array, np.ndarray) and array.dtype == dtype for array, dtype in
               zip(trees.values(), _TREE_DTYPES.values())):
        raise ModelFileError(f"{path}: its trees are not the arrays a neighbour index holds")
    planes, thresholds, order, bounds = trees.values()
    count, inner = planes.shape[:2] if planes.ndim == 3 else (-1, -1)
    if planes.ndim != 3 or planes.shape[2] != info["dimensions"] or (inner + 1) & inner \
            or thresholds.shape != (count, inner) or order.shape != (count, size) or bounds.shape != (count, inner + 2):
        raise ModelFileError(f"{path}: its trees' shapes do not agree")
    if order.size and (order.min() < 0 or order.max() >= size) or bounds.size and (
            (bounds[:, 0] != 0).any() or (bounds[:, -1] != size).any() or (np.diff(bounds, axis=1) < 0).any()):
        raise ModelFileError(f"{path}: its trees point outside its {size} rows")
    return info, graph, entries, trees
