"""Supervised training on the CPU (fastText's ``supervised``): the kernels of :mod:`w2v.fast._classify_kernels`
over threads, and the label probabilities of a trained model.

Each epoch visits the lines in a new random order, split into one contiguous share per worker;
the workers run as threads on the same weights without locks (Hogwild), each with its own
random generator (seeded ``seed + epoch * workers + worker``) and scratch.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from ..text.bags import Bags
from ..text.huffman import HuffmanTree, huffman_tree
from ._classify_kernels import LOSSES, NS, mean_rows, train_lines, uniform_rows

NOISE_SLOTS = 1000  # noise-table slots per label (fastText's table holds 10 million in all)
PREDICT_LINES = 4096  # lines scored at a time


def output_rows(loss: str, labels: int) -> int:
    """Rows of ``W_out``: one per label, or one per inner node of the labels' Huffman tree for ``hs``."""
    return max(labels - 1, 1) if loss == "hs" else labels


def initial_weights(rows: int, out_rows: int, dim: int, seed: int, workers: int = 1
                    ) -> tuple[np.ndarray, np.ndarray]:
    """fastText's start: ``W_in`` (rows, dim) uniform in [-1/dim, 1/dim], ``W_out`` (out_rows, dim) zero; float32.

    ``W_in`` is filled by ``workers`` threads (2 million buckets of 100 dimensions are 800 MB) and is the
    same for any number of them."""
    W_in = np.empty((rows, dim), dtype=np.float32)
    bounds = np.linspace(0, rows, max(1, workers) + 1).astype(np.int64)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(lambda k: uniform_rows(W_in, bounds[k], bounds[k + 1], seed, 1.0 / dim), range(bounds.size - 1)))
    return W_in, np.zeros((out_rows, dim), dtype=np.float32)


def noise_table(label_counts: np.ndarray) -> np.ndarray:
    """(T,) int32: label ``i`` in proportion to ``count**0.5`` (fastText's negatives), at least one slot each."""
    share = np.sqrt(label_counts.astype(np.float64))
    slots = np.maximum(1, np.round(share / share.sum() * NOISE_SLOTS * label_counts.size)).astype(np.int64)
    return np.repeat(np.arange(label_counts.size, dtype=np.int32), slots)


def label_tree(loss: str, label_counts: np.ndarray) -> HuffmanTree:
    """The labels' Huffman tree for ``hs`` (counts most frequent first); an empty one otherwise."""
    if loss == "hs":
        return huffman_tree(label_counts)
    empty = np.zeros((label_counts.size, 1), dtype=np.uint8)
    return HuffmanTree(empty, empty.astype(np.int32), np.zeros(label_counts.size, dtype=np.int32))


def train_supervised(W_in: np.ndarray, W_out: np.ndarray, bags: Bags, label_offsets: np.ndarray, labels: np.ndarray,
                     label_counts: np.ndarray, *, loss: str = "softmax", negative: int = 5, epochs: int = 5,
                     alpha: float = 0.1, workers: int = 1, seed: int = 1,
                     on_epoch: Callable[[int, float], None] | None = None) -> list[float]:
    """Train ``W_in`` and ``W_out`` in place; returns each epoch's mean loss per line.

    Parameters
    ----------
    W_in : (rows, H) float32, W_out : (output_rows(loss, L), H) float32
    bags : Bags of N lines
    label_offsets : (N + 1,) int64, labels : (M,) int32
        Each line's labels, ids in ``0 .. L-1``.
    label_counts : (L,) int64
        Lines per label, most frequent first (the noise table's and the Huffman tree's weights).
    loss : {"softmax", "ns", "hs", "ova"}
    alpha : float
        The learning rate at the start; it falls linearly to 0 by tokens trained.
    on_epoch : callable, optional
        Called with (epoch, its mean loss) after each.
    """
    code = LOSSES[loss]
    tree = label_tree(loss, label_counts)
    table = noise_table(label_counts) if code == NS else np.zeros(1, dtype=np.int32)
    n = bags.offsets.size - 1
    workers = max(1, min(workers, n))
    dim = W_in.shape[1]
    scratch = [(np.zeros(dim, dtype=np.float32), np.zeros(dim, dtype=np.float32),
                np.zeros(W_out.shape[0], dtype=np.float64)) for _ in range(workers)]
    losses = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for epoch in range(epochs):
            order = np.random.default_rng(seed + epoch).permutation(n)
            shares = np.array_split(order, workers)

            def run(worker: int, epoch: int = epoch, shares: list = shares) -> tuple[float, int]:
                share = shares[worker]
                share_tokens = max(int(bags.tokens[share].sum()), 1)
                state = np.array([seed + epoch * workers + worker], dtype=np.uint64)
                hidden, grad, scores = scratch[worker]
                return train_lines(W_in, W_out, bags.offsets, bags.rows, label_offsets, labels, bags.tokens, share,
                                   code, negative, table, tree.codes, tree.points, tree.lengths, alpha,
                                   epoch / epochs, 1.0 / (epochs * share_tokens), state, hidden, grad, scores)

            results = list(pool.map(run, range(workers)))
            total, trained = sum(r[0] for r in results), sum(r[1] for r in results)
            losses.append(total / max(trained, 1))
            if on_epoch is not None:
                on_epoch(epoch, losses[-1])
    return losses


def probabilities(W_in: np.ndarray, W_out: np.ndarray, bags: Bags, loss: str, label_counts: np.ndarray
                  ) -> np.ndarray:
    """(N, L) float64: each line's probability of each label.

    ``softmax``: the softmax of the scores (they sum to 1). ``ns`` and ``ova``: each label's
    sigmoid, on its own. ``hs``: the product of the sigmoids along each label's path (they sum to 1).
    """
    n, L = bags.offsets.size - 1, label_counts.size
    tree = label_tree(loss, label_counts)
    out = np.empty((n, L), dtype=np.float64)
    hidden = np.empty((min(n, PREDICT_LINES), W_in.shape[1]), dtype=np.float32)
    for start in range(0, n, PREDICT_LINES):
        stop = min(n, start + PREDICT_LINES)
        offsets = bags.offsets[start:stop + 1]
        mean_rows(W_in, offsets - offsets[0], bags.rows[offsets[0]:offsets[-1]], hidden[:stop - start])
        scores = hidden[:stop - start].astype(np.float64) @ W_out.T.astype(np.float64)
        if loss == "softmax":
            scores -= scores.max(axis=1, keepdims=True)
            np.exp(scores, out=scores)
            out[start:stop] = scores / scores.sum(axis=1, keepdims=True)
        elif loss == "hs":
            out[start:stop] = _path_probabilities(scores, tree)
        else:
            out[start:stop] = 0.5 * (1.0 + np.tanh(0.5 * scores))  # the sigmoid, without overflow
    return out


def _path_probabilities(scores: np.ndarray, tree: HuffmanTree) -> np.ndarray:
    """(B, L): the product over each label's path of ``s(score)`` for code 1 and ``s(-score)`` for code 0."""
    log_right = -np.logaddexp(0.0, -scores)  # log s(x), (B, L - 1)
    log_left = -np.logaddexp(0.0, scores)  # log s(-x)
    out = np.zeros((scores.shape[0], tree.lengths.size))
    for label, length in enumerate(tree.lengths):
        nodes, codes = tree.points[label, :length], tree.codes[label, :length].astype(bool)
        out[:, label] = (log_right[:, nodes[codes]].sum(axis=1) + log_left[:, nodes[~codes]].sum(axis=1))
    return np.exp(out)

