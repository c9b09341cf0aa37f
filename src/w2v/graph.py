"""Node embeddings: DeepWalk and node2vec walks over a graph, and skip-gram trained on them.

>>> import w2v.graph
>>> wv = w2v.graph.embed("edges.txt", p=1, q=0.5)   # doctest: +SKIP
>>> wv.most_similar("node42")                        # doctest: +SKIP
>>> w2v.graph.evaluate_nodes(wv, "labels.txt").macro_f1            # doctest: +SKIP
>>> w2v.graph.evaluate_links("nodes.npz", "walks/").auc             # doctest: +SKIP

The graph reading and the walks are :mod:`w2v.text.graph` and :mod:`w2v.text.walks`; this
module joins them to training, which :mod:`w2v.text` may not import.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, NamedTuple

import numpy as np

from .datasets.fetch import cache_dir
from .devices import available_cores
from .errors import ConfigError
from .io.files import work_folder
from .text.graph import Graph, as_graph
from .text.graph import hold_out as take_out
from .text.prepared import open_corpus
from .text.walks import WalkOptions, WalksReport, walk_arrays, write_walks
from .train import train
from .vectors.graph_evaluation import LinkScores, NodeScores, held_out_edges, link_prediction, node_classification
from .vectors.word_vectors import WordVectors, load


class Walks(NamedTuple):
    """Walks in memory: walk ``s`` visits the nodes ``ids[offsets[s]:offsets[s + 1]]``.

    Attributes
    ----------
    ids : (N,) int32
        Node ids ``0..n-1``.
    offsets : (S + 1,) int64
    keys : list, length n
        Node ``v``'s name (an edge list's) or its integer id.
    """

    ids: np.ndarray
    offsets: np.ndarray
    keys: list


def walks(edges: Any, output: str | os.PathLike | None = None, *, directed: bool = False, weighted: bool = True,
          nodes: int | None = None, walks_per_node: int = 10, walk_length: int = 80, p: float = 1.0,
          q: float = 1.0, seed: int = 1, workers: int | None = None, hold_out: float = 0.0) -> Walks | WalksReport:
    """DeepWalk (``p = q = 1``) or node2vec walks over a graph.

    Parameters
    ----------
    edges : path, SciPy sparse matrix, (M, 2) or (M, 3) array, (src, dst[, weights]) tuple, or Graph
        An edge list file (``src dst [weight]`` lines; text, ``.gz``, ``.bz2``, ``.xz``), an
        adjacency matrix, or integer node ids ``0..nodes-1`` (see :func:`w2v.text.graph.as_graph`).
    output : path, optional
        Write the walks there as a prepared corpus that :func:`w2v.train` maps (as
        ``w2v walks -o``) and return what was written; without it the walks are returned.
    directed : bool
        Read edges one way only; by default each edge goes both ways.
    weighted : bool
        Use the weights (a third column, a matrix's values); False: every edge weighs the same.
    walks_per_node, walk_length : int
        Walks starting at each node, and the nodes each visits at most.
    p, q : float
        node2vec's return and in-out parameters.
    seed : int
        The walks are the same for the same seed, whatever ``workers``.
    workers : int, optional
        Threads computing the walks (default: every core).
    hold_out : float
        With ``output``: take this share of the edges out before walking (seeded by ``seed``;
        never a node's last edge, see :func:`w2v.text.graph.hold_out`) and write them to
        ``output/held_out_edges.txt``, for :func:`evaluate_links`.
    """
    graph = as_graph(edges, directed=directed, weighted=weighted, nodes=nodes)
    options = WalkOptions(walks_per_node, walk_length, p, q, seed, workers or available_cores())
    if hold_out and output is None:
        raise ConfigError("hold_out: the held-out edges are written beside the walks; give output too",
                          options=("hold_out", "output"))
    if output is not None:
        inputs = [os.fspath(edges)] if isinstance(edges, (str, os.PathLike)) else []
        held = None
        if hold_out:
            graph, held = take_out(graph, hold_out, seed)
        return write_walks(graph, output, options, inputs=inputs, held_out=held)
    ids, offsets = walk_arrays(graph, options)
    return Walks(ids, offsets, graph.keys())


def embed(edges: Any, *, directed: bool = False, weighted: bool = True, nodes: int | None = None,
          walks_per_node: int = 10, walk_length: int = 80, p: float = 1.0, q: float = 1.0, seed: int = 1,
          workers: int | None = None, **options: Any) -> WordVectors:
    """Node vectors: the walks of :func:`walks`, written to a temporary prepared corpus in the cache (memory
    holds the graph and one chunk of walks, not all of them) and trained on with :func:`w2v.train`.

    ``options`` are :func:`w2v.train`'s (``model="skipgram"`` by default here, as in DeepWalk and
    node2vec; ``window``, ``vector_size``, ``negative``, ``epochs``, ...). The vectors are keyed
    by the nodes' names, or by their integer ids for a graph given as arrays or a matrix;
    every node gets one.
    """
    graph: Graph = as_graph(edges, directed=directed, weighted=weighted, nodes=nodes)
    cores = workers or available_cores()
    walked = WalkOptions(walks_per_node, walk_length, p, q, seed, cores)
    options = {"model": "skipgram", "seed": seed, "workers": cores} | options
    cache_dir().mkdir(parents=True, exist_ok=True)
    with work_folder(cache_dir() / "walks", "walks") as folder:
        write_walks(graph, folder / "corpus", walked)
        corpus = open_corpus(folder / "corpus")
        if graph.names is None:
            corpus = dataclasses.replace(corpus, keys=[int(word) for word in corpus.vocab.words])
        return train(corpus, **options)


def evaluate_nodes(vectors: WordVectors | str | os.PathLike, labels: Any, *, folds: int = 5, seed: int = 1,
                   C: float = 1.0, sklearn: bool = False) -> NodeScores:
    """Node classification: macro and micro F1 of a one-vs-rest logistic regression over ``folds`` stratified
    folds (see :mod:`w2v.vectors.graph_evaluation`).

    ``vectors`` are node vectors or a file of them; ``labels`` a file of ``node label`` lines
    (a node may have several) or (node, label) pairs; ``sklearn`` fits scikit-learn's
    ``LogisticRegression`` instead of w2v's own.
    """
    wv = vectors if isinstance(vectors, WordVectors) else load(vectors)
    return node_classification(wv, labels, folds=folds, seed=seed, C=C, sklearn=sklearn)


def evaluate_links(vectors: WordVectors | str | os.PathLike, held_out: str | os.PathLike, graph: Any = None, *,
                   seed: int = 1, C: float = 1.0) -> LinkScores:
    """Link prediction: the AUC of the held-out edges against as many sampled non-edges (Hadamard features,
    a logistic regression trained on the walked graph's edges; see :mod:`w2v.vectors.graph_evaluation`).

    ``held_out`` is a walks folder written with ``hold_out`` (``w2v walks --hold-out``) or a file
    of ``src dst`` lines; ``graph`` the graph without them (an edge list, arrays, a matrix, a walks
    folder), by default the one saved beside ``held_out``.
    """
    wv = vectors if isinstance(vectors, WordVectors) else load(vectors)
    walked, pairs = held_out_edges(held_out, graph)
    return link_prediction(wv, walked, pairs, seed=seed, C=C)
