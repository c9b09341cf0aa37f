"""Optimizers with the book's update rules: ``update(params, grads)`` fits any model.

Dense Adam over float32 NumPy matrices runs as one compiled pass (``adam_dense_step``), equal
bit for bit to the array-module code it replaces, which CuPy arrays and float64 still use.

``Adam`` is the book's Adam, exactly: every row of every matrix moves every step, since the
moments of rows without gradient still decay. ``LazyAdam`` applies the same rule only to
the rows a batch touched (TensorFlow's LazyAdam): rows absent from a batch keep their
moments and do not move. It costs O(rows touched) instead of O(V x H) per step, which is
most of the reference trainer's speed-up; the vectors it learns are of the same quality but
not bit-identical to dense Adam's.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ._adam import adam_dense_step
from .grads import RowSparseGrad
from .xp import get_xp


class SGD:
    """p -= lr * g."""

    def __init__(self, lr: float = 0.01):
        self.lr = lr

    def update(self, params: Sequence[Any], grads: Sequence[Any]) -> None:
        for param, grad in zip(params, grads):
            if isinstance(grad, RowSparseGrad):
                rows, values = grad.coalesce()
                param[rows] -= self.lr * values
            else:
                param -= self.lr * grad

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


class Adam:
    """The book's Adam (eps = 1e-7, bias correction folded into the step size).

    Gives bit-for-bit the book's results; it works in place on reused buffers, because
    allocating (V, H) temporaries every step is most of what makes the book's Adam slow.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m: list[Any] | None = None
        self.v: list[Any] | None = None
        self._buffers: list[_Buffers] = []

    def _step_size(self) -> float:
        self.iter += 1
        return self.lr * math.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)

    def _moments(self, params: Sequence[Any]) -> None:
        if self.m is None:
            self.m = [get_xp(p).zeros_like(p) for p in params]
            self.v = [get_xp(p).zeros_like(p) for p in params]
        if len(self._buffers) != len(params):
            self._buffers = [_Buffers(p) for p in params]

    def update(self, params: Sequence[Any], grads: Sequence[Any]) -> None:
        self._moments(params)
        lr_t = self._step_size()
        for param, grad, m, v, buffers in zip(params, grads, self.m, self.v, self._buffers):
            if isinstance(grad, RowSparseGrad) and _compiled_step_applies(param):
                rows, values = grad.coalesce()
                adam_dense_step(param, m, v, rows, values, lr_t, self.beta1, self.beta2)
            else:
                _adam_rule(param, buffers.dense(grad), m, v, lr_t, self.beta1, self.beta2, buffers)

    def state_dict(self) -> dict[str, Any]:
        return {"iter": self.iter, "m": self.m, "v": self.v}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.iter, self.m, self.v = int(state["iter"]), state["m"], state["v"]
        self._buffers = []


class LazyAdam(Adam):
    """The book's Adam rule applied only to the rows present in a row-sparse gradient."""

    def update(self, params: Sequence[Any], grads: Sequence[Any]) -> None:
        self._moments(params)
        lr_t = self._step_size()
        for param, grad, m, v, buffers in zip(params, grads, self.m, self.v, self._buffers):
            if not isinstance(grad, RowSparseGrad):
                _adam_rule(param, grad, m, v, lr_t, self.beta1, self.beta2, buffers)
                continue
            rows, g = grad.coalesce()
            m_rows, v_rows, p_rows = m[rows], v[rows], param[rows]
            _adam_rule(p_rows, g, m_rows, v_rows, lr_t, self.beta1, self.beta2, _Buffers(g))
            m[rows], v[rows], param[rows] = m_rows, v_rows, p_rows


def _compiled_step_applies(param: Any) -> bool:
    """The one-pass compiled step serves float32 NumPy matrices; others take the array-module path."""
    return isinstance(param, np.ndarray) and param.dtype == np.float32 and param.ndim == 2


class _Buffers:
    """Scratch arrays shaped like one parameter, reused across steps."""

    def __init__(self, like: Any):
        xp = get_xp(like)
        self.a = xp.empty_like(like)
        self.b = xp.empty_like(like)
        self._dense: Any = None
        self._rows: Any = None

    def dense(self, grad: Any) -> Any:
        """A dense view of ``grad``; a sparse one is written into a reused zeroed buffer."""
        if not isinstance(grad, RowSparseGrad):
            return grad
        rows, values = grad.coalesce()
        if self._dense is None:
            self._dense = grad.xp.zeros(grad.shape, dtype=grad.dtype)
        else:
            self._dense[self._rows] = 0  # only the rows the previous step wrote
        self._dense[rows] = values
        self._rows = rows
        return self._dense


def _adam_rule(
    param: Any, grad: Any, m: Any, v: Any, lr_t: float, beta1: float, beta2: float, buf: _Buffers
) -> None:
    """In place, in the book's order of operations:
    m += (1-b1)(g-m); v += (1-b2)(g^2-v); p -= lr_t * m / (sqrt(v) + 1e-7)."""
    xp = get_xp(param)
    a, b = buf.a, buf.b
    xp.subtract(grad, m, out=a)
    a *= 1 - beta1
    m += a
    xp.multiply(grad, grad, out=a)
    a -= v
    a *= 1 - beta2
    v += a
    xp.sqrt(v, out=a)
    a += 1e-7
    xp.multiply(m, lr_t, out=b)
    b /= a
    param -= b
