"""Each formula of the fast kernels, written once in plain Python.

The CPU kernels compile these with ``njit(inline="always")`` and the CUDA kernels with
``cuda.jit(device=True)``, so both devices compute the same numbers the same way. The
reference layers (:mod:`w2v.reference.layers`) state the same sigmoid over whole arrays; the
kernel tests hold the two to each other.
"""

from __future__ import annotations

import math

import numpy as np

from ._constants import MIN_PROBABILITY


def label_probability(f, label):
    """The sigmoid ``s(f)`` and the probability of ``label``: ``s(f)`` for 1, ``s(-f) = 1 - s(f)`` for 0.

    Both are computed from ``exp(-|f|)``, so neither overflows nor cancels for any finite f.
    The probability is at least ``MIN_PROBABILITY`` (a loss of 27.6 per label, reached only by
    vectors that have blown up), so the product of one example's K + 1 probabilities stays a
    normal float64 and costs one log per example instead of one per score.
    """
    e = math.exp(-abs(f))
    big = 1.0 / (1.0 + e)  # s(|f|)
    small = e / (1.0 + e)  # s(-|f|)
    s = big if f >= 0 else small
    p = s if label == 1 else (small if f >= 0 else big)
    return s, max(p, MIN_PROBABILITY)


def gradient_step(s, label, alpha):
    """word2vec.c's ``g = (label - s) * alpha`` as float32: how far a score's row pair moves, for the
    sigmoid ``s`` of the score and the label (1 for the target, 0 for a negative or a Huffman turn)."""
    return np.float32((label - s) * alpha)


def bounded(bits, n):
    """An integer in ``0 .. n-1`` from 32 random bits (a uint64 below 2**32): ``bits * n >> 32``.

    Multiply-shift instead of a modulo: no division, and the bias is below n / 2**32.
    """
    return np.int64((bits * np.uint64(n)) >> np.uint64(32))
