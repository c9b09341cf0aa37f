"""Compiled kernels of supervised training (fastText's ``supervised``): one SGD step per line, Hogwild.

A line's hidden vector is the mean of its bag's rows of ``W_in``; each score's row of ``W_out``
moves by ``lr * (label - p) * hidden`` while ``grad`` gathers ``lr * (label - p) * W_out[row]``
(the row before its move), and every row of the bag then moves by ``grad / n``: one SGD step of
:class:`w2v.reference.classifier.SupervisedModel` on the line (fastText's ``Model::update``).
The learning rate falls linearly to 0 over the run, by tokens trained (word2vec.c's and
fastText's schedule). Several threads run these kernels on the same weights without locks.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from .._numba.hashing import splitmix64
from ._math import bounded, label_probability

SOFTMAX, NS, HS, OVA = 0, 1, 2, 3  # the losses as the kernels' codes
LOSSES = {"softmax": SOFTMAX, "ns": NS, "hs": HS, "ova": OVA}

_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}  # as fast._cpu_kernels: no nnan/ninf
_kernel = njit(nogil=True, cache=CACHE, fastmath=_FASTMATH, error_model="numpy")
_inline = njit(nogil=True, cache=CACHE, fastmath=_FASTMATH, error_model="numpy", inline="always")
_label_probability = _inline(label_probability)
_bounded = _inline(bounded)


@_inline
def _random(state):  # pragma: no cover - compiled
    """word2vec.c's linear congruential generator: 32 random bits, ``state[0]`` advanced."""
    state[0] = state[0] * np.uint64(25214903917) + np.uint64(11)
    return (state[0] >> np.uint64(16)) & np.uint64(0xFFFFFFFF)


@_inline
def _binary(W_out, row, label, hidden, grad, lr):  # pragma: no cover - compiled
    """One sigmoid score of ``W_out[row]``: its update, gathered into ``grad``; returns its loss."""
    out = W_out[row]
    f = 0.0
    for d in range(hidden.size):
        f += out[d] * hidden[d]
    s, p = _label_probability(f, label)
    g = np.float32(lr * (label - s))
    for d in range(hidden.size):
        grad[d] += g * out[d]
        out[d] += g * hidden[d]
    return -math.log(p)


@_inline
def _softmax(W_out, target, hidden, grad, scores, lr):  # pragma: no cover - compiled
    top = -np.inf
    for i in range(W_out.shape[0]):
        out = W_out[i]
        f = 0.0
        for d in range(hidden.size):
            f += out[d] * hidden[d]
        scores[i] = f
        top = max(top, f)
    total = 0.0
    for i in range(W_out.shape[0]):
        scores[i] = math.exp(scores[i] - top)
        total += scores[i]
    for i in range(W_out.shape[0]):
        p = scores[i] / total
        g = np.float32(lr * ((1.0 if i == target else 0.0) - p))
        out = W_out[i]
        for d in range(hidden.size):
            grad[d] += g * out[d]
            out[d] += g * hidden[d]
    return -math.log(max(scores[target] / total, 1e-300))


@_inline
def _mean_row(W_in, rows, start, stop, hidden):  # pragma: no cover - compiled
    hidden[:] = 0
    for r in range(start, stop):
        row = W_in[rows[r]]
        for d in range(hidden.size):
            hidden[d] += row[d]
    scale = np.float32(1.0 / (stop - start))
    for d in range(hidden.size):
        hidden[d] *= scale


@_kernel
def train_lines(W_in, W_out, offsets, rows, label_offsets, labels, tokens, order, loss, negative, table, codes,
                points, lengths, alpha, progress, per_token, state, hidden, grad, scores):  # pragma: no cover
    """Train ``order``'s lines once each, in that order; returns (summed loss, lines trained).

    Parameters
    ----------
    W_in : (rows, H) float32, W_out : (L, H) float32 ((L - 1, H) for ``HS``)
        Updated in place.
    offsets : (N + 1,) int64, rows : (R,) int32
        The lines' bags (:class:`w2v.text.bags.Bags`).
    label_offsets : (N + 1,) int64, labels : (M,) int32
        Line ``i``'s labels are ``labels[label_offsets[i]:label_offsets[i + 1]]``.
    tokens : (N,) int64
        Each line's tokens, which the schedule counts.
    order : (n,) int64
        The lines to train.
    loss : int
        ``SOFTMAX``, ``NS``, ``HS`` or ``OVA``. All but ``OVA`` train one of a line's labels,
        drawn at random (fastText's rule for a line of several).
    negative : int, table : (T,) int32
        ``NS``: negatives per line, drawn from ``table`` (labels by count**0.5), never the target.
    codes : (L, P) uint8, points : (L, P) int32, lengths : (L,) int32
        ``HS``: each label's path in the labels' Huffman tree.
    alpha, progress, per_token : float
        The learning rate at line ``k`` of ``order`` is ``alpha * (1 - progress - per_token * t)``,
        ``t`` the tokens of the lines before it, and never below 0.
    state : (1,) uint64
        The random generator's state, advanced.
    hidden, grad : (H,) float32, scores : (L,) float64
        Scratch.
    """
    total, trained, done = 0.0, 0, 0
    for k in range(order.size):
        line = order[k]
        lr = alpha * max(0.0, 1.0 - progress - per_token * done)
        done += tokens[line]
        start, stop = offsets[line], offsets[line + 1]
        first, last = label_offsets[line], label_offsets[line + 1]
        if stop == start or last == first:
            continue
        _mean_row(W_in, rows, start, stop, hidden)
        grad[:] = 0
        if loss == OVA:
            for i in range(W_out.shape[0]):
                label = 0
                for j in range(first, last):
                    if labels[j] == i:
                        label = 1
                total += _binary(W_out, i, label, hidden, grad, lr)
        else:
            target = labels[first] if last - first == 1 else labels[first + _bounded(_random(state), last - first)]
            if loss == SOFTMAX:
                total += _softmax(W_out, target, hidden, grad, scores, lr)
            elif loss == NS:
                total += _binary(W_out, target, 1, hidden, grad, lr)
                if W_out.shape[0] > 1:
                    for _ in range(negative):
                        drawn = target
                        while drawn == target:
                            drawn = table[_bounded(_random(state), table.size)]
                        total += _binary(W_out, drawn, 0, hidden, grad, lr)
            else:
                for d in range(lengths[target]):
                    total += _binary(W_out, points[target, d], codes[target, d], hidden, grad, lr)
        scale = np.float32(1.0 / (stop - start))
        for d in range(hidden.size):
            grad[d] *= scale
        for r in range(start, stop):
            row = W_in[rows[r]]
            for d in range(hidden.size):
                row[d] += grad[d]
        trained += 1
    return total, trained


@_kernel
def mean_rows(W_in, offsets, rows, out):  # pragma: no cover - compiled
    """out : (N, H) float32: each bag's mean row of ``W_in`` (0 for an empty bag)."""
    for line in range(offsets.size - 1):
        start, stop = offsets[line], offsets[line + 1]
        if stop > start:
            _mean_row(W_in, rows, start, stop, out[line])
        else:
            out[line, :] = 0


_splitmix64 = _inline(splitmix64)


@_kernel
def uniform_rows(W, start, stop, seed, bound):  # pragma: no cover - compiled
    """Rows ``start .. stop-1`` of ``W`` (rows, H) float32 uniform in [-bound, bound): value (r, d) is a hash of
    ``seed`` and its position (splitmix64), so the matrix does not depend on how its rows are shared out."""
    width = W.shape[1]
    base = _splitmix64(np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15))
    for r in range(start, stop):
        for d in range(width):
            bits = _splitmix64(base + np.uint64(r * width + d)) >> np.uint64(40)  # 24 random bits
            W[r, d] = np.float32((np.float64(bits) * (2.0 / 16777216.0) - 1.0) * bound)
