"""The book's dense Adam step as one compiled pass over float32 NumPy matrices."""

from __future__ import annotations

import numpy as np
from numba import njit

from .._numba.cache import CACHE

_exact = njit(nogil=True, cache=CACHE, error_model="numpy")  # IEEE arithmetic in the written order


@_exact
def _adam_row(p, m, v, g, c1, c2, lr, eps):
    for k in range(p.size):
        m[k] += c1 * (g[k] - m[k])
        v[k] += c2 * (g[k] * g[k] - v[k])
        p[k] -= lr * m[k] / (np.sqrt(v[k]) + eps)


@_exact
def adam_dense_step(param, m, v, rows, grad_rows, lr_t, beta1, beta2):
    """The book's dense Adam step for a gradient that is zero outside ``rows``, in one pass.

    param, m, v : (V, D) float32, updated in place
    rows : (u,) int64 sorted distinct rows; grad_rows : (u, D) float32, their gradient

    Every row is updated (untouched rows with g = 0), with the book's operations in the book's
    order (no fastmath), so the result equals NumPy's ``m += (1-b1)(g-m); v += (1-b2)(g*g-v);
    p -= lr_t m / (sqrt(v) + 1e-7)`` bit for bit while reading and writing each array once.
    """
    c1 = np.float32(1.0 - beta1)
    c2 = np.float32(1.0 - beta2)
    lr = np.float32(lr_t)
    eps = np.float32(1e-7)
    zeros = np.zeros(param.shape[1], dtype=np.float32)
    nxt = 0
    for r in range(param.shape[0]):
        if nxt < rows.size and rows[nxt] == r:
            _adam_row(param[r], m[r], v[r], grad_rows[nxt], c1, c2, lr, eps)
            nxt += 1
        else:
            _adam_row(param[r], m[r], v[r], zeros, c1, c2, lr, eps)
