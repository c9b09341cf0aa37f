"""Node vectors scored on their graph: node classification (macro and micro F1) and link prediction (AUC).

- **Node classification.** A labels file holds ``node label`` lines; a node may have several
  lines, one per label. Nodes are split into ``folds`` stratified folds (seeded; a node is
  stratified by its rarest label), and for each fold a one-vs-rest L2-regularised logistic
  regression (:func:`fit_one_vs_rest`) is trained on the other folds' vectors. Each test node is
  given its ``k`` best-scoring labels, ``k`` being how many it has (DeepWalk's protocol; for
  single-label data, the argmax). Micro F1 pools every label's hits, misses and false alarms;
  macro F1 averages the F1 of the labels the fold's nodes have or were given. Both are the mean
  over folds, with their standard deviation. Labelled nodes without a vector are counted and
  left out.
- **Link prediction.** Held-out edges (``w2v walks --hold-out``) are the test positives, as
  many sampled node pairs that are no edge of the whole graph (the walked one plus the held-out
  edges) its negatives; the walked graph's edges (up to ``max_train_edges`` of them, sampled)
  and as many other non-edges train a logistic regression on the pairs' Hadamard features
  ``u * v``. The score is the test pairs' AUC, computed from ranks (:func:`rank_auc`).

The logistic regression is scikit-learn's ``LogisticRegression(C=C)`` objective (C times the
summed log loss plus half the squared weights, intercept not penalised), divided by ``C * N``:
the mean log loss plus ``|w|^2 / (2 C N)``, minimised by SciPy's L-BFGS-B with its analytic
gradient. scikit-learn is not needed; where it is installed, ``sklearn=True`` fits its
``LogisticRegression`` instead (:func:`fit_with_sklearn`).

>>> scores = node_classification(wv, "labels.txt", folds=5)    # doctest: +SKIP
>>> scores.macro_f1, scores.micro_f1                            # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..errors import BenchmarkError, ConfigError, check_integer
from ..text.graph import HELD_OUT_FILE, Graph, as_graph, open_graph
from .word_vectors import WordVectors

MAX_TRAIN_EDGES = 100_000  # training positives of link prediction, sampled from the walked graph's edges


# ---------------------------------------------------------------------------- logistic regression


def logistic_loss(params: np.ndarray, x: np.ndarray, y: np.ndarray, C: float) -> tuple[float, np.ndarray]:
    """The regularised mean log loss of K independent binary logistic regressions, and its gradient.

    Parameters
    ----------
    params : ((D + 1) * K,) float64
        The weights (D, K) then the intercepts (K,), flattened.
    x : (N, D) float64
    y : (N, K) float64 of 0 and 1
        Column ``k`` is problem ``k``'s targets.
    C : float
        Inverse regularisation strength, as scikit-learn's.

    Returns
    -------
    loss : float
        Summed over the K problems: ``mean(log(1 + exp(z)) - y z) + |w|^2 / (2 C N)``, ``z = x w + b``.
    grad : ((D + 1) * K,) float64
    """
    n, d = x.shape
    k = y.shape[1]
    w, b = params[: d * k].reshape(d, k), params[d * k :]
    z = x @ w + b  # (N, K)
    loss = (np.logaddexp(0.0, z) - y * z).sum() / n + (w * w).sum() / (2 * C * n)
    residual = (0.5 + 0.5 * np.tanh(0.5 * z) - y) / n  # (N, K): the sigmoid, without overflow, minus y
    grad_w = x.T @ residual + w / (C * n)
    return float(loss), np.concatenate([grad_w.ravel(), residual.sum(axis=0)])


def fit_one_vs_rest(x: np.ndarray, y: np.ndarray, C: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One L2-regularised logistic regression per column of ``y`` (label ``k`` against the rest).

    The K problems are independent, so their summed objective is minimised at once, each
    column at its own problem's optimum.

    Parameters
    ----------
    x : (N, D) float
    y : (N, K) bool or 0/1
    C : float

    Returns
    -------
    weights : (D, K) float64
    intercepts : (K,) float64
    """
    from scipy.optimize import minimize  # imported when used: every command imports this module for its defaults

    if not isinstance(C, (int, float)) or not 0 < C < float("inf"):
        raise ConfigError(f"C={C!r}: must be a positive number", options=("C",))
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d, k = x.shape[1], y.shape[1]
    found = minimize(logistic_loss, np.zeros((d + 1) * k), args=(x, y, C), jac=True, method="L-BFGS-B",
                     options={"maxiter": 2000, "gtol": 1e-7})
    return found.x[: d * k].reshape(d, k), found.x[d * k :]


def fit_with_sklearn(x: np.ndarray, y: np.ndarray, C: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fit_one_vs_rest` by scikit-learn's ``LogisticRegression(C=C)``, one per column of ``y``.

    A column of one class only (a label no training node has) gets zero weights and an
    intercept that gives that class, where scikit-learn refuses to fit.
    """
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise BenchmarkError("sklearn: needs scikit-learn, which is not installed (pip install scikit-learn)",
                             options=("sklearn",)) from None
    weights, intercepts = np.zeros((x.shape[1], y.shape[1])), np.zeros(y.shape[1])
    for k, column in enumerate(np.asarray(y, dtype=bool).T):
        if column.all() or not column.any():
            intercepts[k] = 30.0 if column.all() else -30.0
            continue
        model = LogisticRegression(C=C, max_iter=1000).fit(x, column)
        weights[:, k], intercepts[k] = model.coef_[0], model.intercept_[0]
    return weights, intercepts


# ---------------------------------------------------------------------------- node classification


@dataclass(frozen=True)
class NodeScores:
    """Node classification: F1 means over the folds and their standard deviations."""

    macro_f1: float
    micro_f1: float
    macro_f1_std: float
    micro_f1_std: float
    folds: int
    nodes: int  # labelled nodes with a vector, the ones scored
    labels: int
    missing: int  # labelled nodes without a vector

    def describe(self) -> str:
        have = "node has" if self.missing == 1 else "nodes have"
        missing = f"; {self.missing:,} labelled {have} no vector, left out" if self.missing else ""
        return (f"node classification ({self.nodes:,} nodes, {self.labels:,} labels, {self.folds} folds): macro F1 "
                f"{self.macro_f1:.4f} ± {self.macro_f1_std:.4f}, micro F1 {self.micro_f1:.4f} ± "
                f"{self.micro_f1_std:.4f}{missing}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def stratified_folds(truth: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Each node's fold, (N,) int64 in ``0..folds-1``: nodes shuffled (seeded), grouped by their rarest label,
    and dealt out in turn, so every label is spread evenly over the folds and the folds differ in size by
    one node at most.

    Parameters
    ----------
    truth : (N, K) bool
        Node ``i`` has label ``k``.
    """
    counts = truth.sum(axis=0)
    rarest = np.where(truth, counts, np.iinfo(np.int64).max).argmin(axis=1)
    shuffled = np.random.default_rng([seed, 37]).permutation(len(truth))
    order = shuffled[np.argsort(rarest[shuffled], kind="stable")]
    fold = np.empty(len(truth), dtype=np.int64)
    fold[order] = np.arange(len(truth)) % folds
    return fold


def top_k(scores: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(N, K) bool: row ``i``'s ``k[i]`` highest ``scores``."""
    ranks = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1)
    return ranks < k[:, None]


def f1_scores(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """(macro F1, micro F1) of (N, K) bool predictions; macro over the labels in ``truth`` or ``predicted``."""
    hits = (truth & predicted).sum(axis=0)
    wrong = (predicted & ~truth).sum(axis=0) + (truth & ~predicted).sum(axis=0)
    seen = 2 * hits + wrong > 0
    macro = float(np.mean(2 * hits[seen] / (2 * hits[seen] + wrong[seen])))
    micro = float(2 * hits.sum() / (2 * hits.sum() + wrong.sum()))
    return macro, micro


def classify_folds(x: np.ndarray, truth: np.ndarray, fold: np.ndarray, C: float = 1.0, *,
                   sklearn: bool = False) -> np.ndarray:
    """(folds, 2) float64: each fold's (macro F1, micro F1), trained on the other folds
    (:func:`fit_one_vs_rest`, or :func:`fit_with_sklearn` with ``sklearn``).

    Parameters
    ----------
    x : (N, D) float
    truth : (N, K) bool
    fold : (N,) int
        Each node's fold (:func:`stratified_folds`).
    """
    x = np.asarray(x, dtype=np.float64)
    fit = fit_with_sklearn if sklearn else fit_one_vs_rest
    scores = []
    for f in range(int(fold.max()) + 1):
        test = fold == f
        weights, intercepts = fit(x[~test], truth[~test], C)
        predicted = top_k(x[test] @ weights + intercepts, truth[test].sum(axis=1))
        scores.append(f1_scores(truth[test], predicted))
    return np.array(scores)


def label_matrix(pairs: list[tuple[Any, Any]]) -> tuple[list[str], np.ndarray]:
    """The labelled nodes' names, sorted, and their labels as (N, K) bool, column ``k`` the ``k``-th label
    name in sorted order."""
    nodes = sorted({str(node) for node, _ in pairs})
    names = sorted({str(label) for _, label in pairs})
    node_id = {node: i for i, node in enumerate(nodes)}
    label_id = {label: i for i, label in enumerate(names)}
    truth = np.zeros((len(nodes), len(names)), dtype=bool)
    for node, label in pairs:
        truth[node_id[str(node)], label_id[str(label)]] = True
    return nodes, truth


def node_classification(wv: WordVectors, labels: str | os.PathLike | Iterable[tuple[Any, Any]], *, folds: int = 5,
                        seed: int = 1, C: float = 1.0, sklearn: bool = False) -> NodeScores:
    """Macro and micro F1 of a one-vs-rest logistic regression on node vectors over stratified folds.

    Parameters
    ----------
    wv : WordVectors
        Keyed by node (names, or integer ids: a label file's ``17`` is the key ``17``).
    labels : path or iterable of (node, label) pairs
        A file of ``node label`` lines (see :func:`read_pairs`); a node may have several labels.
    folds : int
        At least 2, at most the number of labelled nodes with a vector.
    seed : int
        Seeds the folds.
    C : float
        Inverse regularisation strength (scikit-learn's ``C``).
    sklearn : bool
        Fit scikit-learn's ``LogisticRegression`` instead of w2v's own (which gives the same F1
        within about 0.01); needs scikit-learn.
    """
    pairs = read_pairs(labels, "node label") if isinstance(labels, (str, os.PathLike)) else list(labels)
    nodes, truth = label_matrix(pairs)
    rows = _rows(wv, nodes)
    known = rows >= 0
    truth = truth[known]
    if len(truth) < 2:
        source = labels if isinstance(labels, (str, os.PathLike)) else "labels"
        raise BenchmarkError(f"{source}: {len(truth)} of its {len(nodes):,} nodes have a vector; node "
                             "classification needs two at least")
    check_integer("folds", folds, 2, len(truth), why="at most the labelled nodes with a vector", error=ConfigError)
    per_fold = classify_folds(wv.vectors[rows[known]], truth, stratified_folds(truth, folds, seed), C,
                              sklearn=sklearn)
    mean, std = per_fold.mean(axis=0), per_fold.std(axis=0)
    return NodeScores(float(mean[0]), float(mean[1]), float(std[0]), float(std[1]), folds, len(truth),
                      int(truth.any(axis=0).sum()), int((~known).sum()))


# ---------------------------------------------------------------------------- link prediction


@dataclass(frozen=True)
class LinkScores:
    """Link prediction: the AUC of held-out edges against as many non-edges."""

    auc: float
    test_edges: int  # held-out edges scored (each against one sampled non-edge)
    train_edges: int  # the walked graph's edges the regression was trained on
    missing: int  # held-out edges with a node that has no vector (or is not in the graph)

    def describe(self) -> str:
        have = "edge has" if self.missing == 1 else "edges have"
        missing = f"; {self.missing:,} held-out {have} a node without a vector, left out" \
            if self.missing else ""
        return (f"link prediction ({self.test_edges:,} held-out edges and as many non-edges, trained on "
                f"{self.train_edges:,} edges): AUC {self.auc:.4f}{missing}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rank_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """The area under the ROC curve of scores: the chance that a positive outscores a negative, ties counting
    half (Mann-Whitney's U over ``P * N``), from the ranks of all scores (ties averaged).

    Parameters
    ----------
    positive : (P,) float
    negative : (N,) float
    """
    from scipy.stats import rankdata  # imported when used, as minimize

    ranks = rankdata(np.concatenate([positive, negative]))
    p, n = len(positive), len(negative)
    return float((ranks[:p].sum() - p * (p + 1) / 2) / (p * n))


def sample_non_edges(graph: Graph, edge_keys: np.ndarray, candidates: np.ndarray, count: int,
                     rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct node pairs (u != v) of ``candidates`` that are no edge: (count, 2) int64.

    Parameters
    ----------
    edge_keys : (E,) int64, sorted
        ``u * n + v`` of every edge ``u -> v`` to avoid (an undirected edge both ways).
    candidates : (C,) int64
        The node ids pairs are drawn from, uniformly.
    """
    n = graph.nodes
    found = np.zeros(0, dtype=np.int64)
    for _ in range(50):
        u, v = (candidates[rng.integers(0, candidates.size, 2 * count)] for _ in range(2))
        if not graph.directed:
            u, v = np.minimum(u, v), np.maximum(u, v)
        key = u * n + v
        spot = np.minimum(np.searchsorted(edge_keys, key), max(edge_keys.size - 1, 0))
        fresh = key[(u != v) & ((edge_keys.size == 0) | (edge_keys[spot] != key))]
        found = np.unique(np.concatenate([found, fresh]))
        if found.size >= count:
            chosen = rng.choice(found, count, replace=False)
            return np.stack([chosen // n, chosen % n], axis=1)
    raise BenchmarkError(f"{graph.name}: found only {found.size:,} of the {count:,} non-edges link prediction "
                         "needs; the graph is too dense for it")


def link_prediction(wv: WordVectors, graph: Graph, held_out: np.ndarray, *, seed: int = 1, C: float = 1.0,
                    max_train_edges: int = MAX_TRAIN_EDGES) -> LinkScores:
    """The AUC of a logistic regression on Hadamard features telling held-out edges from non-edges.

    Parameters
    ----------
    wv : WordVectors
        Keyed by the graph's node names (or integer ids).
    graph : Graph
        The graph the vectors were trained on, without the held-out edges.
    held_out : (H, 2) int
        Node ids of the held-out edges ``src, dst``; -1 for a node the graph lacks.
    seed : int
        Seeds the sampled non-edges and training edges.
    """
    rng = np.random.default_rng([seed, 37])
    rows = _rows(wv, [str(key) for key in graph.keys()])
    held_out = np.asarray(held_out, dtype=np.int64).reshape(-1, 2)
    usable = (held_out >= 0).all(axis=1)
    usable[usable] = (rows[held_out[usable]] >= 0).all(axis=1)
    test = held_out[usable]
    train = _train_edges(graph, rows, max_train_edges, rng)
    if not len(test) or not len(train):
        raise BenchmarkError(f"{graph.name}: link prediction needs held-out and walked edges whose nodes have "
                             f"vectors; it has {len(test):,} and {len(train):,}")
    negatives = sample_non_edges(graph, _edge_keys(graph, held_out[(held_out >= 0).all(axis=1)]),
                                 np.flatnonzero(rows >= 0), len(train) + len(test), rng)
    train_negative, test_negative = negatives[: len(train)], negatives[len(train) :]
    x = np.concatenate([_hadamard(wv, rows, train), _hadamard(wv, rows, train_negative)])
    y = np.concatenate([np.ones(len(train)), np.zeros(len(train))])[:, None]
    weights, intercept = fit_one_vs_rest(x, y, C)
    scores = [(_hadamard(wv, rows, pairs) @ weights + intercept)[:, 0] for pairs in (test, test_negative)]
    return LinkScores(rank_auc(*scores), len(test), len(train), int((~usable).sum()))


def _train_edges(graph: Graph, rows: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``limit`` of the graph's edges between nodes with vectors (undirected: each once), no self-loops."""
    src = np.repeat(np.arange(graph.nodes, dtype=np.int64), np.diff(graph.indptr))
    dst = np.asarray(graph.indices, dtype=np.int64)
    keep = (src < dst if not graph.directed else src != dst) & (rows[src] >= 0) & (rows[dst] >= 0)
    edges = np.stack([src[keep], dst[keep]], axis=1)
    return edges[rng.choice(len(edges), limit, replace=False)] if len(edges) > limit else edges


def _edge_keys(graph: Graph, extra: np.ndarray) -> np.ndarray:
    """Sorted ``u * n + v`` of the graph's edges and the ``extra`` ones (undirected: both ways)."""
    n = graph.nodes
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    keys = [src * n + np.asarray(graph.indices, dtype=np.int64), extra[:, 0] * n + extra[:, 1]]
    if not graph.directed:
        keys.append(extra[:, 1] * n + extra[:, 0])
    return np.unique(np.concatenate(keys))


def _hadamard(wv: WordVectors, rows: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """(P, D) float64: the element-wise products of the pairs' vectors."""
    return wv.vectors[rows[pairs[:, 0]]].astype(np.float64) * wv.vectors[rows[pairs[:, 1]]]


# ---------------------------------------------------------------------------- files and keys


def read_pairs(path: str | os.PathLike, columns: str) -> list[tuple[str, str]]:
    """The two fields of each line of a UTF-8 text file (``node label`` lines, ``src dst`` edges).

    Fields are split on white space; blank lines and lines starting with ``#`` are skipped.
    :class:`BenchmarkError` names the file (and line) of a missing or unreadable file, bytes
    that are not UTF-8, a line with another field count, or a file without pairs.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise BenchmarkError(f"{path}: cannot be read ({err.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise BenchmarkError(f"{path}:{line}: not valid UTF-8 (byte {data[err.start]:#04x})") from None
    pairs = []
    for number, line in enumerate(text.split("\n"), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != 2:
            raise BenchmarkError(f"{path}:{number}: expected '{columns}', found {len(fields)} field"
                                 f"{'s' if len(fields) != 1 else ''}")
        pairs.append((fields[0], fields[1]))
    if not pairs:
        raise BenchmarkError(f"{path}: holds no '{columns}' lines")
    return pairs


def held_out_edges(path: str | os.PathLike, graph: Any = None) -> tuple[Graph, np.ndarray]:
    """The walked graph and its held-out edges: (graph, (H, 2) int64 node ids, -1 for a name it lacks).

    Parameters
    ----------
    path : path
        A walks folder (``w2v walks --hold-out``'s: its ``held_out_edges.txt``) or a ``src dst`` file.
    graph : optional
        The graph without those edges, as :func:`w2v.text.graph.as_graph` takes it or a folder
        holding one; by default the one saved beside the file.
    """
    path = Path(path)
    file = path / HELD_OUT_FILE if path.is_dir() else path
    pairs = read_pairs(file, "src dst")
    if graph is None or (isinstance(graph, (str, os.PathLike)) and Path(graph).is_dir()):
        folder = file.parent if graph is None else Path(graph)
        if not (folder / "graph.json").exists():
            raise BenchmarkError(f"{folder}: holds no graph (graph.json) to sample non-edges from; give the walks "
                                 "folder w2v walks --hold-out wrote")
        graph = open_graph(folder)
    graph = as_graph(graph)
    node_id = {str(key): i for i, key in enumerate(graph.keys())}
    return graph, np.array([[node_id.get(u, -1), node_id.get(v, -1)] for u, v in pairs], dtype=np.int64)


def _rows(wv: WordVectors, nodes: list[str]) -> np.ndarray:
    """(len(nodes),) int64: each node's row of ``wv`` (matched by ``str(key)``), -1 where it has none."""
    row_of = {str(key): i for i, key in enumerate(wv.index_to_key)}
    return np.array([row_of.get(node, -1) for node in nodes], dtype=np.int64)
