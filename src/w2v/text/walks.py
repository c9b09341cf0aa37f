"""Random walks over a graph (DeepWalk, node2vec), written as a prepared corpus that ``w2v train`` maps.

A walk starts at a node and steps along out-edges, chosen in proportion to their weights
(uniformly without weights): DeepWalk's walk. node2vec's second-order walk, having come from
``t`` to ``v``, weighs the step to ``x`` by its first-order weight times

- ``1/p`` if ``x`` is ``t`` (returning),
- ``1`` if ``x`` is an out-neighbour of ``t``,
- ``1/q`` otherwise (moving away),

without the per-edge transition tables of node2vec's own code (O(sum of squared degrees)):
a step is drawn by rejection, proposing ``x`` by the first-order weights and accepting it
with probability ``alpha / max(1/p, 1, 1/q)``, with ``t -> x`` looked up by binary search
in ``t``'s sorted edges (KnightKing's approach). ``p = q = 1`` is DeepWalk. A walk ends early
at a node without out-edges, so every walk holds its start node at least.

Each of the ``walks_per_node`` rounds starts one walk at every node, in a seeded random
order; walk ``w``'s random numbers are ``splitmix64`` of a key made from the seed and ``w``,
so the walks are the same whatever the number of threads. Walks are computed a chunk at a
time in compiled code that releases the GIL, and memory holds the graph and one chunk.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from .._numba.hashing import splitmix64
from ..errors import ConfigError, check_integer
from ..io.files import staged_folder
from . import MAX_SENTENCE_LENGTH
from .graph import HELD_OUT_FILE, Graph, save_graph, write_held_out
from .prepared import check_target, id_blocks, write_manifest
from .sources import SourceDigest
from .vocab import Pruned, Vocab

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_UNIT = 1.0 / 2.0**53
CHUNK_IDS = 1 << 23  # node ids a chunk of walks holds at most (32 MiB)

_inline = njit(cache=CACHE, nogil=True, inline="always")
_hash = _inline(splitmix64)


@_inline
def _uniform(key, k):  # pragma: no cover - compiled
    """The ``k``-th random number of the walk with ``key``: a float64 in [0, 1)."""
    return float(_hash(key + np.uint64(k) * _GOLDEN) >> np.uint64(11)) * _UNIT


@_inline
def _pick(indptr, cumulative, v, u):  # pragma: no cover - compiled
    """The out-edge of ``v`` that ``u`` in [0, 1) chooses: uniformly, or with ``cumulative`` (the running sum
    of all weights) in proportion to the weights."""
    lo, hi = indptr[v], indptr[v + 1]
    if cumulative.size == 0:
        return min(lo + np.int64(u * (hi - lo)), hi - 1)
    base = cumulative[lo - 1] if lo > 0 else 0.0
    target = base + u * (cumulative[hi - 1] - base)
    left, right = lo, hi - 1
    while left < right:  # the first edge whose running sum exceeds the target
        middle = (left + right) // 2
        if cumulative[middle] > target:
            right = middle
        else:
            left = middle + 1
    return left


@_inline
def _has_edge(indptr, indices, t, x):  # pragma: no cover - compiled
    left, right = indptr[t], indptr[t + 1]
    while left < right:
        middle = (left + right) // 2
        if indices[middle] < x:
            left = middle + 1
        else:
            right = middle
    return left < indptr[t + 1] and indices[left] == x


@_inline
def _walk(indptr, indices, cumulative, start, length, inv_p, inv_q, key, out):  # pragma: no cover - compiled
    """One walk from ``start`` into ``out[:length]``; the nodes it holds (fewer at a node without out-edges)."""
    out[0] = start
    highest = max(inv_p, 1.0, inv_q)
    second_order = inv_p != 1.0 or inv_q != 1.0
    k = 0
    previous, current, n = -1, start, 1
    while n < length and indptr[current] < indptr[current + 1]:
        while True:
            x = indices[_pick(indptr, cumulative, current, _uniform(key, k))]
            k += 1
            if previous < 0 or not second_order:
                break
            if x == previous:
                alpha = inv_p
            elif _has_edge(indptr, indices, previous, x):
                alpha = 1.0
            else:
                alpha = inv_q
            accept = _uniform(key, k) * highest < alpha
            k += 1
            if accept:
                break
        out[n] = x
        n += 1
        previous, current = current, x
    return n


@njit(cache=CACHE, nogil=True)
def walk_range(indptr, indices, cumulative, starts, first_walk, length, inv_p, inv_q, seed, out,
               lengths):  # pragma: no cover - compiled
    """Walks from ``starts[i]`` (walk number ``first_walk + i``) into the rows of ``out``.

    Parameters
    ----------
    indptr : (n + 1,) int64, indices : (E,) int32
        The graph (:class:`~w2v.text.graph.Graph`).
    cumulative : (E,) float64, or (0,) for an unweighted graph
        The running sum of the edge weights.
    starts : (W,) int32
    out : (W, length) int32
        Row ``i`` gets walk ``i``; entries past ``lengths[i]`` are left as they were.
    lengths : (W,) int64
    """
    for i in range(starts.size):
        key = _hash(_hash(np.uint64(seed)) ^ np.uint64(first_walk + i))
        lengths[i] = _walk(indptr, indices, cumulative, starts[i], length, inv_p, inv_q, key, out[i])


@dataclass(frozen=True)
class WalkOptions:
    """How to walk: ``walks_per_node`` rounds of walks of up to ``walk_length`` nodes; node2vec's return ``p``
    and in-out ``q`` (1 and 1: DeepWalk); the seed, and threads computing them."""

    walks_per_node: int = 10
    walk_length: int = 80
    p: float = 1.0
    q: float = 1.0
    seed: int = 1
    workers: int = 1

    def validate(self) -> None:
        check_integer("walks_per_node", self.walks_per_node, 1, 2**20, error=ConfigError)
        check_integer("walk_length", self.walk_length, 1, MAX_SENTENCE_LENGTH, error=ConfigError)
        check_integer("seed", self.seed, 0, 2**63 - 1, error=ConfigError)
        check_integer("workers", self.workers, 1, 1024, error=ConfigError)
        for name in ("p", "q"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
                raise ConfigError(f"{name}={value!r}: must be a positive number", options=(name,))


def walk_chunks(graph: Graph, options: WalkOptions) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every walk, a chunk at a time: (ids (N,) int32 of the walks one after another, lengths (W,) int64)."""
    options.validate()
    cumulative = np.zeros(0) if graph.weights is None else np.cumsum(graph.weights, dtype=np.float64)
    per_chunk = max(1, CHUNK_IDS // options.walk_length)
    nodes = graph.nodes
    with ThreadPoolExecutor(options.workers) as pool:
        for round_ in range(options.walks_per_node):
            order = np.random.default_rng([options.seed, round_]).permutation(nodes).astype(np.int32)
            for first in range(0, nodes, per_chunk):
                starts = order[first : first + per_chunk]
                out = np.empty((starts.size, options.walk_length), dtype=np.int32)
                lengths = np.empty(starts.size, dtype=np.int64)
                share = -(-starts.size // options.workers)
                pieces = [pool.submit(walk_range, graph.indptr, graph.indices, cumulative, starts[s : s + share],
                                      round_ * nodes + first + s, options.walk_length, 1.0 / options.p,
                                      1.0 / options.q, options.seed, out[s : s + share], lengths[s : s + share])
                          for s in range(0, starts.size, share)]
                for piece in pieces:
                    piece.result()
                yield out[np.arange(options.walk_length) < lengths[:, None]], lengths


def walk_arrays(graph: Graph, options: WalkOptions) -> tuple[np.ndarray, np.ndarray]:
    """Every walk in memory: (ids (N,) int32 node ids, offsets (S + 1,) int64), walk ``s`` being
    ``ids[offsets[s]:offsets[s + 1]]``."""
    chunks = list(walk_chunks(graph, options))
    ids = np.concatenate([c[0] for c in chunks])
    offsets = np.zeros(sum(c[1].size for c in chunks) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([c[1] for c in chunks]), out=offsets[1:])
    return ids, offsets


@dataclass(frozen=True)
class WalksReport:
    """What :func:`write_walks` wrote."""

    path: str
    nodes: int
    edges: int
    walks: int
    tokens: int
    seconds: float
    held_out: int = 0

    def describe(self) -> str:
        held = f", and {self.held_out:,} held-out edges to {HELD_OUT_FILE}" if self.held_out else ""
        return (f"wrote {self.walks:,} walks ({self.tokens:,} nodes visited) over {self.nodes:,} nodes and "
                f"{self.edges:,} stored edges to {self.path}{held}; {self.seconds:.1f} s")


def write_walks(graph: Graph, output: str | os.PathLike, options: WalkOptions, *,
                sources: list[SourceDigest] | None = None, inputs: list[str] | None = None,
                started: float | None = None, held_out: np.ndarray | None = None) -> WalksReport:
    """Walk ``graph`` and write the walks to the folder ``output`` as a prepared corpus (node names as the
    vocabulary, ids by how often the walks visit them), with the graph itself beside it (:func:`save_graph`).

    The folder replaces one there only once complete (:func:`w2v.io.files.staged_folder`);
    ``sources`` are the edge list's digests for the manifest, ``inputs`` the files it must not hold.
    ``held_out`` ((H, 2) node ids, :func:`w2v.text.graph.hold_out`'s), edges taken out of ``graph``
    for link prediction, goes to ``held_out_edges.txt`` in the folder.
    """
    started = time.perf_counter() if started is None else started
    options.validate()
    target = Path(output)
    check_target(target, inputs or [])
    keys = [str(key) for key in graph.keys()]
    with staged_folder(target) as folder:
        counts = np.zeros(graph.nodes, dtype=np.int64)
        walks, ended, longest = 0, 0, 0
        raw_path = folder / "walks.raw"
        with open(raw_path, "wb") as raw, open(folder / "offsets.int64", "wb") as offsets:
            np.zeros(1, dtype="<i8").tofile(offsets)
            for ids, lengths in walk_chunks(graph, options):
                ids.astype("<i4", copy=False).tofile(raw)
                counts += np.bincount(ids, minlength=graph.nodes)
                (np.cumsum(lengths) + ended).astype("<i8").tofile(offsets)
                ended += int(lengths.sum())
                walks += lengths.size
                longest = max(longest, int(lengths.max()))
            _sync(raw, offsets)
        order = np.argsort(-counts, kind="stable")
        new_id = np.empty(graph.nodes, dtype=np.int32)
        new_id[order] = np.arange(graph.nodes, dtype=np.int32)
        with open(folder / "tokens.int32", "wb") as tokens:
            for block in id_blocks(raw_path):
                new_id[block].astype("<i4").tofile(tokens)
            _sync(tokens)
        raw_path.unlink()
        save_graph(graph, folder)
        if held_out is not None:
            write_held_out(folder / HELD_OUT_FILE, graph, held_out)
        vocab = Vocab([keys[i] for i in order.tolist()], counts[order])
        walked = {"walks": {"walks_per_node": options.walks_per_node, "walk_length": options.walk_length,
                            "p": options.p, "q": options.q, "seed": options.seed}}
        write_manifest(folder, name=graph.name, sources=sources or [], tokens=ended, sentences=walks,
                       longest=longest, vocab=vocab,
                       options={"min_count": 1, "max_vocab_size": None, "max_sentence_length": MAX_SENTENCE_LENGTH},
                       pruned=Pruned(0, 0, 0, 0), extra=walked)
    return WalksReport(str(target), graph.nodes, graph.edges, walks, ended, time.perf_counter() - started,
                       0 if held_out is None else len(held_out))


def _sync(*handles) -> None:
    for handle in handles:
        handle.flush()
        os.fsync(handle.fileno())
