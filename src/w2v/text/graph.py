"""Graphs for node embeddings: edge lists, NumPy arrays or SciPy matrices in, a compressed sparse row graph out.

An edge list is text (or ``.gz``/``.bz2``/``.xz``), one edge a line: ``src dst`` or
``src dst weight``, fields split on white space; node names are any UTF-8 strings without
white space, blank lines and lines starting with ``#`` or ``%`` (SNAP's and Matrix Market's
comments) are skipped. Every line must have the field count of the first edge. An undirected
graph holds each edge both ways; an edge listed twice (or both ways) is one edge, whose
weights add up. Weights must be positive and finite.

:class:`Graph` is the CSR form the walks read (:mod:`w2v.text.walks`): node ``v``'s
out-neighbours are ``indices[indptr[v]:indptr[v + 1]]``, sorted, so that an edge is found by
binary search. :func:`save_graph` writes it to a folder as raw little-endian arrays beside a
``graph.json``, and :func:`open_graph` maps it back.

:func:`hold_out` takes a seeded share of the edges out of a graph for link prediction, and
:func:`write_held_out` writes them as ``src dst`` lines of node names (``held_out_edges.txt``
beside the walks).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from ..errors import ConfigError, CorpusError
from ..io.files import atomic_write
from ..io.mapped import map_file
from ..io.numbers import parse_json
from ._tokenizer import NEWLINE, Interner, first_bad_byte
from .sources import SourceDigest, expand_inputs, read_text

MAX_NODES = 2**31 - 1  # node ids are int32
HELD_OUT_FILE = "held_out_edges.txt"
GRAPH_FILES = ("graph.json", "graph.indptr.int64", "graph.indices.int32", "graph.weights.float64", "nodes.txt")


@dataclass(frozen=True)
class Graph:
    """A graph in compressed sparse row form.

    Attributes
    ----------
    indptr : (n + 1,) int64
        Node ``v``'s out-edges are ``indptr[v]:indptr[v + 1]``.
    indices : (E,) int32
        Their targets, ascending within each node's edges (no repeats).
    weights : (E,) float64, optional
        Their weights (positive, finite); None: every edge weighs the same.
    names : list of str, length n, optional
        Node ``v``'s name (from an edge list); None: nodes are the integers ``0..n-1``.
    directed : bool
        Whether the edges were read one way only (an undirected graph stores both).
    name : str
        Where it came from, for messages.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray | None
    names: list[str] | None
    directed: bool
    name: str = "graph"

    @property
    def nodes(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def edges(self) -> int:
        """Stored edges (an undirected edge counts twice, a self-loop once)."""
        return int(self.indices.size)

    def keys(self) -> list:
        """What each node is called: its name, or its integer id."""
        return list(self.names) if self.names is not None else list(range(self.nodes))

    def describe(self) -> str:
        kind = "directed" if self.directed else "undirected"
        weighted = "weighted" if self.weights is not None else "unweighted"
        return f"{self.name}: {self.nodes:,} nodes, {self.edges:,} stored edges ({kind}, {weighted})"


def build_graph(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None, nodes: int, *, directed: bool,
                names: list[str] | None = None, name: str = "graph") -> Graph:
    """The CSR graph of edges ``src[i] -> dst[i]`` (both ways unless ``directed``) over ``nodes`` nodes.

    Parameters
    ----------
    src, dst : (M,) int
        Node ids in ``0..nodes-1``.
    weights : (M,) float, optional
        Positive finite weights; repeated edges add theirs up.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if not directed:
        loops = src == dst
        src, dst = np.concatenate([src, dst[~loops]]), np.concatenate([dst, src[~loops]])
        if weights is not None:
            weights = np.concatenate([weights, weights[~loops]])
    key = src * nodes + dst
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    merged = None if weights is None else np.add.reduceat(np.asarray(weights, dtype=np.float64)[order], starts) \
        if starts.size else np.zeros(0)
    key = key[first]
    indptr = np.zeros(nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(key // nodes, minlength=nodes), out=indptr[1:])
    return Graph(indptr, (key % nodes).astype(np.int32), merged, names, directed, name)


def graph_from_arrays(src: Any, dst: Any, weights: Any = None, *, nodes: int | None = None, directed: bool = False,
                      name: str = "arrays") -> Graph:
    """A graph from integer node ids: nodes are ``0..nodes-1`` (default: up to the largest id), kept as given,
    so a node without edges is still a node."""
    src, dst = np.asarray(src), np.asarray(dst)
    for what, array in (("src", src), ("dst", dst)):
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            raise CorpusError(f"{name}: {what} must be a 1-D array of integer node ids, not {array.dtype} of "
                              f"shape {array.shape}")
    if src.shape != dst.shape:
        raise CorpusError(f"{name}: src and dst hold {src.size:,} and {dst.size:,} ids; one of each per edge")
    largest = int(max(src.max(initial=-1), dst.max(initial=-1)))
    if src.size and min(int(src.min()), int(dst.min())) < 0:
        raise CorpusError(f"{name}: node ids must be 0 or more")
    nodes = largest + 1 if nodes is None else int(nodes)
    if nodes < 1 or nodes > MAX_NODES or largest >= nodes:
        raise CorpusError(f"{name}: nodes={nodes:,} must exceed every id (the largest is {largest:,}) and be at "
                          f"most {MAX_NODES:,}")
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != src.shape:
            raise CorpusError(f"{name}: {weights.size:,} weights for {src.size:,} edges")
        bad = np.flatnonzero(~(np.isfinite(weights) & (weights > 0)))
        if bad.size:
            raise CorpusError(f"{name}: edge {int(bad[0]):,} has the weight {float(weights[bad[0]])}; weights must "
                              "be positive and finite")
    return build_graph(src, dst, weights, nodes, directed=directed, name=name)


def graph_from_sparse(matrix: Any, *, directed: bool = False, weighted: bool = True, name: str = "matrix") -> Graph:
    """A graph from a square SciPy sparse matrix: an edge ``i -> j`` for each stored entry ``(i, j)``, weighing
    its value (with ``weighted``); undirected, entries ``(i, j)`` and ``(j, i)`` are one edge."""
    coo = matrix.tocoo()
    if coo.shape[0] != coo.shape[1]:
        raise CorpusError(f"{name}: an adjacency matrix must be square, not {coo.shape[0]:,} x {coo.shape[1]:,}")
    return graph_from_arrays(coo.row, coo.col, coo.data if weighted else None, nodes=coo.shape[0],
                             directed=directed, name=name)


def read_edge_list(path: str | os.PathLike, *, directed: bool = False,
                   digests: list[SourceDigest] | None = None) -> Graph:
    """Read an edge list file (see the module's description) in one streaming pass.

    :class:`CorpusError` names the file and line of a line with another field count, a weight
    that is not a positive finite number, bytes that are not UTF-8, or a file without edges.
    """
    sources = expand_inputs([path])
    source_name = sources[0].name
    interner = Interner()
    ends: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    meta = np.zeros(_META, dtype=np.int64)  # carried from chunk to chunk
    carry = np.zeros(0, dtype=np.uint8)  # a line cut by the end of a chunk
    for _, chunk in read_text(sources, digests):
        cut = _after_last_newline(chunk)
        lines = np.concatenate([carry, chunk[:cut]]) if carry.size else chunk[:cut]
        carry = chunk[cut:].copy()
        _parse(lines, source_name, interner, meta, ends, weights)
    if carry.size:
        _parse(carry, source_name, interner, meta, ends, weights)
    if meta[_EDGES] == 0:
        raise CorpusError(f"{source_name}: holds no edges ('src dst' or 'src dst weight' lines)")
    if len(interner) > MAX_NODES:
        raise CorpusError(f"{source_name}: holds {len(interner):,} nodes, more than {MAX_NODES:,}")
    pairs = np.concatenate(ends)
    weight = np.concatenate(weights) if meta[_FIELDS] == 3 else None
    return build_graph(pairs[0::2], pairs[1::2], weight, len(interner), directed=directed,
                       names=interner.words[1:], name=source_name)


_FIELDS, _EDGES, _LINES, _BAD_LINE, _BAD_FIELDS, _META = 0, 1, 2, 3, 4, 5  # meta's slots


@njit(cache=CACHE, nogil=True)
def _ascii_space(b):  # pragma: no cover - compiled
    return b == 32 or b == 9 or b == 13 or b == 11 or b == 12


@njit(cache=CACHE, nogil=True)
def _split_lines(buf, names, weights, edge_lines, meta):  # pragma: no cover - compiled
    """Split whole lines of an edge list: each edge's two names go to ``names`` as ``src dst\\n``, its weight
    field (if any) to ``weights`` followed by a space, its line number to ``edge_lines``.

    ``meta`` holds the field count of every line (0 until the first edge), edges and lines so
    far; a line with another count stops the split and is noted in ``_BAD_LINE`` and
    ``_BAD_FIELDS``. Returns (bytes of names, bytes of weights, edges of this buffer).
    """
    n_names, n_weights, edges = 0, 0, 0
    i, n = 0, buf.size
    while i < n:
        meta[_LINES] += 1
        end = i
        while end < n and buf[end] != 10:
            end += 1
        j = i
        while j < end and _ascii_space(buf[j]):
            j += 1
        if j == end or buf[j] == 35 or buf[j] == 37:  # blank, '#' or '%'
            i = end + 1
            continue
        fields = 0
        starts = np.empty(3, dtype=np.int64)
        stops = np.empty(3, dtype=np.int64)
        while j < end:
            if fields < 3:
                starts[fields] = j
            while j < end and not _ascii_space(buf[j]):
                j += 1
            if fields < 3:
                stops[fields] = j
            fields += 1
            while j < end and _ascii_space(buf[j]):
                j += 1
        expected = meta[_FIELDS]
        if (expected == 0 and fields not in (2, 3)) or (expected != 0 and fields != expected):
            meta[_BAD_LINE] = meta[_LINES]
            meta[_BAD_FIELDS] = fields
            return n_names, n_weights, edges
        meta[_FIELDS] = fields
        for f in range(2):
            for k in range(starts[f], stops[f]):
                names[n_names] = buf[k]
                n_names += 1
            names[n_names] = 32 if f == 0 else 10
            n_names += 1
        if fields == 3:
            for k in range(starts[2], stops[2]):
                weights[n_weights] = buf[k]
                n_weights += 1
            weights[n_weights] = 32
            n_weights += 1
        edge_lines[edges] = meta[_LINES]
        edges += 1
        i = end + 1
    return n_names, n_weights, edges


def _parse(lines: np.ndarray, name: str, interner: Interner, meta: np.ndarray, ends: list[np.ndarray],
           weights: list[np.ndarray]) -> None:
    """Parse whole lines of an edge list: node ids (in order of first appearance) to ``ends`` as src, dst pairs,
    weights to ``weights``."""
    first_line = int(meta[_LINES]) + 1
    bad = int(first_bad_byte(lines))
    if bad >= 0:
        line = first_line + int(np.count_nonzero(lines[:bad] == 10))
        raise CorpusError(f"{name}:{line}: not valid UTF-8 (byte {int(lines[bad]):#04x}); convert the file to "
                          "UTF-8 first")
    names = np.empty(lines.size + 2, dtype=np.uint8)
    weight_bytes = np.empty(lines.size + 1, dtype=np.uint8)
    edge_lines = np.empty(lines.size // 2 + 1, dtype=np.int64)
    meta[_BAD_LINE] = 0
    n_names, n_weights, edges = _split_lines(lines, names, weight_bytes, edge_lines, meta)
    if meta[_BAD_LINE]:
        fields = int(meta[_BAD_FIELDS])
        wanted = "'src dst' or 'src dst weight'" if meta[_FIELDS] == 0 else \
            ("'src dst', as the first edge" if meta[_FIELDS] == 2 else "'src dst weight', as the first edge")
        raise CorpusError(f"{name}:{int(meta[_BAD_LINE])}: expected {wanted}, found {fields} field"
                          f"{'s' if fields != 1 else ''}")
    meta[_EDGES] += edges
    if edges == 0:
        return
    ids = interner.encode(names[:n_names])
    if ids.size != 3 * edges or np.any(ids[2::3] != NEWLINE):
        raise CorpusError(f"{name}: a node name near line {int(edge_lines[0]):,} holds Unicode white space; "
                          "names must be single tokens")
    pairs = np.empty(2 * edges, dtype=np.int32)
    pairs[0::2] = ids[0::3] - 1
    pairs[1::2] = ids[1::3] - 1
    ends.append(pairs)
    if meta[_FIELDS] == 3:
        weights.append(_weights(weight_bytes[:n_weights].tobytes().split(), edge_lines[:edges], name))


def _weights(fields: list[bytes], lines: np.ndarray, name: str) -> np.ndarray:
    try:
        values = np.array(fields, dtype=np.float64)
    except ValueError:
        values = np.array([_number(field) for field in fields])
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
    if bad.size:
        field = fields[int(bad[0])].decode("utf-8", "backslashreplace")[:40]
        raise CorpusError(f"{name}:{int(lines[bad[0]])}: the weight {field!r} is not a positive finite number")
    return values


def _number(field: bytes) -> float:
    try:
        return float(field)
    except ValueError:
        return float("nan")  # refused with its line by the caller


def _after_last_newline(chunk: np.ndarray) -> int:
    hits = np.flatnonzero(chunk[-(1 << 16):] == 10)
    if hits.size:
        return chunk.size - min(chunk.size, 1 << 16) + int(hits[-1]) + 1
    newlines = np.flatnonzero(chunk == 10)
    return int(newlines[-1]) + 1 if newlines.size else 0


def save_graph(graph: Graph, folder: str | os.PathLike) -> None:
    """Write ``graph`` into ``folder`` (which exists): its arrays as raw little-endian files, node names one a
    line, and ``graph.json`` saying what they hold."""
    folder = Path(folder)
    graph.indptr.astype("<i8", copy=False).tofile(folder / "graph.indptr.int64")
    graph.indices.astype("<i4", copy=False).tofile(folder / "graph.indices.int32")
    if graph.weights is not None:
        graph.weights.astype("<f8", copy=False).tofile(folder / "graph.weights.float64")
    if graph.names is not None:
        (folder / "nodes.txt").write_bytes("".join(f"{n}\n" for n in graph.names).encode("utf-8"))
    info = {"nodes": graph.nodes, "edges": graph.edges, "directed": graph.directed,
            "weighted": graph.weights is not None, "named": graph.names is not None, "name": graph.name}
    (folder / "graph.json").write_text(json.dumps(info, indent=1), encoding="utf-8")


def open_graph(folder: str | os.PathLike) -> Graph:
    """The graph :func:`save_graph` wrote to ``folder``, its arrays memory-mapped read-only."""
    folder = Path(folder)
    try:
        info = parse_json((folder / "graph.json").read_bytes())
        nodes, edges = int(info["nodes"]), int(info["edges"])
        directed, weighted, named = bool(info["directed"]), bool(info["weighted"]), bool(info["named"])
    except OSError as err:
        raise CorpusError(f"{folder}: holds no readable graph.json ({err.strerror})") from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CorpusError(f"{folder}: its graph.json is malformed") from None
    indptr = _mapped(folder / "graph.indptr.int64", "<i8", nodes + 1)
    indices = _mapped(folder / "graph.indices.int32", "<i4", edges)
    weights = _mapped(folder / "graph.weights.float64", "<f8", edges) if weighted else None
    names = None
    if named:
        names = (folder / "nodes.txt").read_text(encoding="utf-8").split("\n")[:-1]
        if len(names) != nodes:
            raise CorpusError(f"{folder}: nodes.txt names {len(names):,} nodes, graph.json says {nodes:,}")
    if indptr[0] != 0 or indptr[-1] != edges or np.any(np.diff(indptr) < 0) or \
            (edges and (indices.min() < 0 or indices.max() >= nodes)):
        raise CorpusError(f"{folder}: its graph files are inconsistent (damaged?)")
    return Graph(indptr, indices, weights, names, directed, str(info.get("name") or folder))


def _mapped(path: Path, dtype: str, count: int) -> np.ndarray:
    try:
        size = path.stat().st_size
    except OSError:
        raise CorpusError(f"{path.parent}: lacks {path.name} (damaged?)") from None
    if size != count * np.dtype(dtype).itemsize:
        raise CorpusError(f"{path}: holds {size:,} bytes, not the {count:,} values graph.json says (damaged?)")
    return np.zeros(0, dtype=dtype) if count == 0 else map_file(path, np.dtype(dtype), count)


def as_graph(edges: Any, *, directed: bool = False, weighted: bool = True, nodes: int | None = None) -> Graph:
    """A :class:`Graph` from what a user passes: a Graph, an edge list path, a SciPy sparse matrix, an (M, 2) or
    (M, 3) array of edges, or a (src, dst[, weights]) tuple of arrays."""
    if isinstance(edges, Graph):
        return edges
    if isinstance(edges, (str, os.PathLike)):
        return read_edge_list(edges, directed=directed)
    if hasattr(edges, "tocoo"):
        return graph_from_sparse(edges, directed=directed, weighted=weighted)
    if isinstance(edges, np.ndarray) and edges.ndim == 2 and edges.shape[1] in (2, 3):
        columns: Sequence[Any] = [edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)]
        if edges.shape[1] == 3 and weighted:
            columns.append(edges[:, 2])
        if edges.dtype.kind == "f" and np.any(np.stack(columns[:2]) != edges[:, :2].T):
            raise CorpusError("edges: node ids must be whole numbers")
        return graph_from_arrays(*columns, nodes=nodes, directed=directed)
    if isinstance(edges, tuple) and len(edges) in (2, 3):
        return graph_from_arrays(*edges[:2], edges[2] if len(edges) == 3 and weighted else None, nodes=nodes,
                                 directed=directed)
    raise CorpusError(f"edges: expected an edge list file, a SciPy sparse matrix, an (M, 2) or (M, 3) array or a "
                      f"(src, dst[, weights]) tuple, not {type(edges).__name__}")


def hold_out(graph: Graph, fraction: float, seed: int) -> tuple[Graph, np.ndarray]:
    """Take about ``fraction`` of the graph's edges out, for link prediction: (the graph without them, the
    held-out edges as (H, 2) int64 node ids ``src, dst``).

    An undirected edge counts once. Edges are visited in a seeded random order and one is held
    out only if its source keeps another out-edge and its target another in-edge (undirected:
    both ends keep another edge), so no node is left without edges; self-loops stay. On a graph
    with few such edges (a star, a tree's leaves) fewer than asked are held out.
    """
    if not isinstance(fraction, (int, float)) or not 0 <= fraction < 1:
        raise ConfigError(f"hold_out={fraction!r}: must be a fraction in [0, 1)", options=("hold_out",))
    src = np.repeat(np.arange(graph.nodes, dtype=np.int64), np.diff(graph.indptr))
    dst = graph.indices.astype(np.int64)
    weights = graph.weights
    if not graph.directed:  # each edge once
        once = src <= dst
        src, dst, weights = src[once], dst[once], None if weights is None else weights[once]
    order = np.random.default_rng([seed, 37]).permutation(src.size)
    candidates = int(np.count_nonzero(src != dst))
    held = _choose_held_out(src[order], dst[order], np.diff(graph.indptr), _in_degrees(graph),
                            round(fraction * candidates), not graph.directed)
    kept = np.ones(src.size, dtype=bool)
    kept[order[held]] = False
    rest = build_graph(src[kept], dst[kept], None if weights is None else weights[kept], graph.nodes,
                       directed=graph.directed, names=graph.names, name=graph.name)
    taken = np.sort(order[held])
    return rest, np.stack([src[taken], dst[taken]], axis=1)


def _in_degrees(graph: Graph) -> np.ndarray:
    return np.bincount(graph.indices, minlength=graph.nodes).astype(np.int64)


@njit(cache=CACHE, nogil=True)
def _choose_held_out(src, dst, out_degree, in_degree, wanted, undirected):  # pragma: no cover - compiled
    """Which of the edges ``src[i] -> dst[i]``, in this order, to hold out: (M,) bool, ``wanted`` at most.
    ``out_degree`` and ``in_degree`` (n,) int64 are the nodes' edges, counted down as edges go."""
    held = np.zeros(src.size, dtype=np.bool_)
    taken = 0
    for i in range(src.size):
        if taken == wanted:
            break
        u, v = src[i], dst[i]
        if u == v or out_degree[u] < 2 or in_degree[v] < 2:
            continue
        held[i] = True
        taken += 1
        out_degree[u] -= 1
        in_degree[v] -= 1
        if undirected:  # stored both ways: v loses an out-edge, u an in-edge
            out_degree[v] -= 1
            in_degree[u] -= 1
    return held


def write_held_out(path: str | os.PathLike, graph: Graph, pairs: np.ndarray) -> None:
    """Write the edges ``pairs`` ((H, 2) node ids of ``graph``) to ``path`` as ``src dst`` lines of node names,
    atomically (:func:`w2v.io.files.atomic_write`)."""
    keys = graph.keys()
    with atomic_write(path) as handle:
        handle.write("".join(f"{keys[u]} {keys[v]}\n" for u, v in pairs.tolist()).encode("utf-8"))
