"""Compiled walks over a neighbour graph: the search behind ``most_similar(..., approximate=True)``.

A query starts from a fixed sample of rows (``entries``) and from the rows that share its
leaf in each of a few random-projection trees (the region of space it lies in: a cluster of
words no entry falls in is still found, as in pynndescent), and walks the graph best first,
as HNSW's bottom layer does (Malkov & Yashunin 2018): it keeps the ``ef`` best rows seen,
expands the best row not yet expanded, and stops when that row scores below the worst of
the ``ef``. Scores are cosines by the rows' lengths, as every w2v query computes them, so
the vectors are read where they lie (mapped or not) and never copied to unit length.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._numba.cache import CACHE

_EMPTY = -1


@njit(cache=CACHE, nogil=True, inline="always")
def _score(vectors: np.ndarray, norms: np.ndarray, row: int, query: np.ndarray) -> np.float32:  # pragma: no cover
    if norms[row] == 0:
        return np.float32(0.0)
    total = np.float32(0.0)
    for k in range(query.shape[0]):
        total += vectors[row, k] * query[k]
    return total / norms[row]


@njit(cache=CACHE, nogil=True)
def _visit(table: np.ndarray, row: int) -> bool:  # pragma: no cover - compiled
    """Mark ``row`` in the open-addressing set ``table`` (a power of two long); False if it was marked."""
    mask = table.shape[0] - 1
    slot = (row * 2654435761) & mask
    while table[slot] != _EMPTY:
        if table[slot] == row:
            return False
        slot = (slot + 1) & mask
    table[slot] = row
    return True


@njit(cache=CACHE, nogil=True)
def _sift_up(scores: np.ndarray, rows: np.ndarray, i: int, sign: np.float32) -> None:  # pragma: no cover
    """Restore a binary heap after its item ``i`` changed: a max-heap of ``sign * scores``."""
    while i > 0:
        parent = (i - 1) // 2
        if sign * scores[parent] >= sign * scores[i]:
            break
        scores[parent], scores[i] = scores[i], scores[parent]
        rows[parent], rows[i] = rows[i], rows[parent]
        i = parent


@njit(cache=CACHE, nogil=True)
def _sift_down(scores: np.ndarray, rows: np.ndarray, size: int, sign: np.float32) -> None:  # pragma: no cover
    i = 0
    while True:
        left, best = 2 * i + 1, i
        if left < size and sign * scores[left] > sign * scores[best]:
            best = left
        if left + 1 < size and sign * scores[left + 1] > sign * scores[best]:
            best = left + 1
        if best == i:
            return
        scores[best], scores[i] = scores[i], scores[best]
        rows[best], rows[i] = rows[i], rows[best]
        i = best


@njit(cache=CACHE, nogil=True)
def _leaf(planes: np.ndarray, thresholds: np.ndarray, query: np.ndarray) -> int:  # pragma: no cover - compiled
    """The leaf of a complete binary tree of hyperplanes (nodes in heap order) that ``query`` falls in."""
    node = 0
    inner = planes.shape[0]
    while node < inner:
        side = np.float32(0.0)
        for k in range(query.shape[0]):
            side += planes[node, k] * query[k]
        node = 2 * node + (2 if side > thresholds[node] else 1)
    return node - inner


@njit(cache=CACHE, nogil=True)
def _starts(entries: np.ndarray, planes: np.ndarray, thresholds: np.ndarray, order: np.ndarray,
            bounds: np.ndarray, query: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """The rows a search starts from: the entries, then the rows of the query's leaf in each tree."""
    leaves = np.empty(planes.shape[0], dtype=np.int64)
    total = entries.shape[0]
    for t in range(planes.shape[0]):
        leaves[t] = _leaf(planes[t], thresholds[t], query)
        total += bounds[t, leaves[t] + 1] - bounds[t, leaves[t]]
    starts = np.empty(total, dtype=np.int64)
    starts[: entries.shape[0]] = entries
    at = entries.shape[0]
    for t in range(planes.shape[0]):
        for i in range(bounds[t, leaves[t]], bounds[t, leaves[t] + 1]):
            starts[at] = order[t, i]
            at += 1
    return starts


@njit(cache=CACHE, nogil=True, inline="always")
def _offer(cand_scores: np.ndarray, cand_rows: np.ndarray, n_cand: int, best_scores: np.ndarray,
           best_rows: np.ndarray, n_best: int, ef: int, score: np.float32,
           row: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """Push a scored row onto the candidates (a max-heap) and the best rows (a min-heap kept to ``ef``); the heaps'
    new sizes."""
    cand_scores[n_cand], cand_rows[n_cand] = score, row
    _sift_up(cand_scores, cand_rows, n_cand, np.float32(1.0))
    best_scores[n_best], best_rows[n_best] = score, row
    _sift_up(best_scores, best_rows, n_best, np.float32(-1.0))
    n_best += 1
    if n_best > ef:
        n_best -= 1
        best_scores[0], best_rows[0] = best_scores[n_best], best_rows[n_best]
        _sift_down(best_scores, best_rows, n_best, np.float32(-1.0))
    return n_cand + 1, n_best


@njit(cache=CACHE, nogil=True)
def _search_one(vectors: np.ndarray, norms: np.ndarray, graph: np.ndarray, entries: np.ndarray,
                query: np.ndarray, ef: int, out_rows: np.ndarray, out_scores: np.ndarray) -> None:  # pragma: no cover
    """The ``len(out_rows)`` best rows found for one unit ``query`` (D,) from the rows ``entries``, best first,
    into ``out_rows``."""
    degree = graph.shape[1]
    budget = 2 * ef * degree + entries.shape[0]  # rows scored at most: a walk that wanders stops
    size = 1
    while size < 2 * budget:
        size *= 2
    table = np.full(size, _EMPTY, dtype=np.int64)
    # candidates: a max-heap of rows to expand; best: a min-heap of the ef best rows seen
    cand_scores = np.empty(budget, dtype=np.float32)
    cand_rows = np.empty(budget, dtype=np.int64)
    best_scores = np.empty(ef + 1, dtype=np.float32)
    best_rows = np.empty(ef + 1, dtype=np.int64)
    n_cand, n_best, scored = 0, 0, 0
    for e in range(entries.shape[0]):
        row = entries[e]
        if not _visit(table, row):
            continue
        s = _score(vectors, norms, row, query)
        scored += 1
        n_cand, n_best = _offer(cand_scores, cand_rows, n_cand, best_scores, best_rows, n_best, ef, s, row)
    while n_cand > 0:
        s, row = cand_scores[0], cand_rows[0]
        n_cand -= 1
        cand_scores[0], cand_rows[0] = cand_scores[n_cand], cand_rows[n_cand]
        _sift_down(cand_scores, cand_rows, n_cand, np.float32(1.0))
        if n_best == ef and s < best_scores[0]:
            break
        for j in range(degree):
            other = graph[row, j]
            if other < 0:
                break
            if scored >= budget or not _visit(table, other):
                continue
            t = _score(vectors, norms, other, query)
            scored += 1
            if n_best == ef and t <= best_scores[0]:
                continue
            n_cand, n_best = _offer(cand_scores, cand_rows, n_cand, best_scores, best_rows, n_best, ef, t, other)
    order = np.argsort(-best_scores[:n_best], kind="mergesort")
    k = min(out_rows.shape[0], n_best)
    for i in range(k):
        out_rows[i] = best_rows[order[i]]
        out_scores[i] = best_scores[order[i]]
    for i in range(k, out_rows.shape[0]):
        out_rows[i] = _EMPTY
        out_scores[i] = -np.inf


@njit(cache=CACHE, nogil=True)
def _search_serial(vectors, norms, graph, entries, planes, thresholds, order, bounds, queries, ef, rows,
                   scores) -> None:  # pragma: no cover - compiled
    for q in range(queries.shape[0]):
        starts = _starts(entries, planes, thresholds, order, bounds, queries[q])
        _search_one(vectors, norms, graph, starts, queries[q], ef, rows[q], scores[q])


@njit(cache=CACHE, nogil=True, parallel=True)
def _search_parallel(vectors, norms, graph, entries, planes, thresholds, order, bounds, queries, ef, rows,
                     scores) -> None:  # pragma: no cover - compiled
    for q in prange(queries.shape[0]):
        starts = _starts(entries, planes, thresholds, order, bounds, queries[q])
        _search_one(vectors, norms, graph, starts, queries[q], ef, rows[q], scores[q])


def search(vectors: np.ndarray, norms: np.ndarray, graph: np.ndarray, entries: np.ndarray, planes: np.ndarray,
           thresholds: np.ndarray, order: np.ndarray, bounds: np.ndarray, queries: np.ndarray, ef: int, k: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best rows of each unit query (Q, D) found with a beam of ``ef`` (>= k).

    ``planes`` (T, N, D), ``thresholds`` (T, N), ``order`` (T, V) and ``bounds`` (T, N + 2) are T
    random-projection trees (:func:`w2v.vectors.neighbours.projection_trees`). Returns (Q, k) int64 rows, -1
    where fewer were found, and their (Q, k) float32 cosines, best first. One query runs on the calling thread
    (a server's threads answer one each); several on Numba's threads.
    """
    rows = np.empty((queries.shape[0], k), dtype=np.int64)
    scores = np.empty((queries.shape[0], k), dtype=np.float32)
    run = _search_serial if queries.shape[0] == 1 else _search_parallel
    run(vectors, norms, graph, entries, planes, thresholds, order, bounds, queries, ef, rows, scores)
    return rows, scores


@njit(cache=CACHE, nogil=True)
def undirected(graph: np.ndarray, cap: int) -> np.ndarray:  # pragma: no cover - compiled
    """(V, cap) int32: each row's neighbours in ``graph`` (V, K) (-1 and the row itself skipped), then the rows
    that have it as a neighbour while there is room; -1 pads. Reverse edges let a walk leave a cluster."""
    V, K = graph.shape
    out = np.full((V, cap), _EMPTY, dtype=np.int32)
    fill = np.zeros(V, dtype=np.int64)
    for i in range(V):
        for j in range(K):
            other = graph[i, j]
            if other >= 0 and other != i and fill[i] < cap:
                out[i, fill[i]] = other
                fill[i] += 1
    for i in range(V):
        for j in range(K):
            other = graph[i, j]
            if other < 0 or other == i or fill[other] >= cap:
                continue
            present = False
            for m in range(fill[other]):
                if out[other, m] == i:
                    present = True
                    break
            if not present:
                out[other, fill[other]] = i
                fill[other] += 1
    return out
